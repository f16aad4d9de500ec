// Every route the gateway serves × every role × a second tenant, decided by the shipped
// data.junction.authz policy compiled to Wasm; denials must reach the audit path with a reason.
import { generateKeyPairSync } from 'node:crypto';
import { resolve } from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditRoutes } from '../../audit/routes.js';
import type { ApiKey, Role } from '../../platform/config.js';
import { createMetrics } from '../../platform/metrics.js';
import type { Decision } from '../../policies/engine/index.js';
import { silentLogger } from '../../test/support/index.js';
import { createAccessControl, requireRoles, type AccessControl } from '../access.js';
import { createGatewayApp } from '../app.js';
import type { GatewayEnv } from '../context.js';
import { assuranceRoutes } from '../assurance/routes.js';
import { cancelServiceOrderRoutes } from '../tmf/cancel-service-order.js';
import { inventoryRoutes } from '../tmf/inventory.js';
import { serviceOrderingRoutes } from '../tmf/service-ordering.js';
import { policyLifecycleRoutes } from '../../policies/lifecycle/routes.js';
import { buildAuthzBundle, createAuthzEngine, policyAuthorizer } from './policy-authorizer.js';

const KEYS: ApiKey[] = [
  { key: 'bss-acme-0123456789', principal: 'crm-acme', roles: ['bss'], tenant: 'acme' },
  { key: 'bss-globex-012345678', principal: 'crm-globex', roles: ['bss'], tenant: 'globex' },
  { key: 'bss-unbound-01234567', principal: 'crm-nobody', roles: ['bss'] },
  { key: 'compliance-0123456789', principal: 'cmp', roles: ['compliance'] },
  { key: 'auditor-01234567890', principal: 'aud', roles: ['auditor'] },
  { key: 'operator-0123456789', principal: 'noc', roles: ['operator'] },
  { key: 'network-01234567890', principal: 'probe', roles: ['network'] },
];

interface RouteSpec {
  method: string;
  path: string;
}

/** The routes the real route modules register (handlers are never called here). */
function existingRoutes(): RouteSpec[] {
  const probe = new Hono<GatewayEnv>();
  const legacy = createAccessControl([]);
  const none = {} as never;
  serviceOrderingRoutes({ db: none, bus: none, catalog: none, events: none })(probe, legacy);
  inventoryRoutes({ db: none })(probe, legacy);
  cancelServiceOrderRoutes({ db: none, bus: none })(probe, legacy);
  assuranceRoutes({ db: none, bus: none, subjects: none })(probe, legacy);
  probe.route('/audit/v1', auditRoutes({ db: none, access: legacy, publicKey: generateKeyPairSync('ed25519').publicKey }));
  policyLifecycleRoutes({ lifecycle: none })(probe, legacy);
  probe.get('/metrics', () => new Response());
  const seen = new Map<string, RouteSpec>();
  for (const r of probe.routes) if (r.method !== 'ALL') seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  return [...seen.values()];
}

/** The role rules, written out independently of the Rego policy. */
function expectedAllowed(role: Role, bound: boolean, r: RouteSpec, targetsOtherTenant: boolean): boolean {
  const read = r.method === 'GET';
  const p = r.path;
  const ingest = !read && ['/assurance/v1/alarms', '/assurance/v1/kpis', '/assurance/v1/usage'].includes(p);
  const problems = p.startsWith('/tmf-api/serviceProblemManagement/') || p.startsWith('/assurance/v1/serviceProblem');
  const credits = p.startsWith('/assurance/v1/credits');
  const alarms = !ingest && ['/assurance/v1/alarms', '/assurance/v1/drift', '/assurance/v1/summary'].includes(p);
  switch (role) {
    case 'bss':
      if (!bound || targetsOtherTenant) return false;
      if (p.startsWith('/tmf-api/serviceOrdering/')) return true;
      return read && (p.startsWith('/tmf-api/serviceInventory/') || problems || credits);
    case 'compliance':
      return p.startsWith('/policy/') || p === '/audit/v1/replay';
    case 'auditor':
      return p.startsWith('/audit/') && (read || ['/audit/v1/verify', '/audit/v1/checkpoints/consistency', '/audit/v1/replay'].includes(p));
    case 'operator':
      if (p.startsWith('/operations/v1/dead-letters')) return true;
      return read && (p.startsWith('/tmf-api/') || p === '/metrics' || problems || credits || alarms);
    case 'network':
      return ingest || (p.startsWith('/network/') && !read);
  }
}

const concrete = (path: string) => path.replace(/:([A-Za-z]+)/g, 'x-$1');

describe('authorization by data.junction.authz on every route', () => {
  const routes = existingRoutes();
  const published: Decision[] = [];
  let app: Hono<GatewayEnv>;

  beforeAll(async () => {
    const engine = await createAuthzEngine(await buildAuthzBundle(resolve(import.meta.dirname, '../../policies/rego')));
    const access = createAccessControl(KEYS, {
      authorizer: policyAuthorizer({ engine, publish: async (d) => void published.push(d), logger: silentLogger() }),
    });
    app = createGatewayApp({
      logger: silentLogger(),
      access,
      metrics: createMetrics({ processMetrics: false }),
      bus: { publish: async () => Promise.reject(new Error('no bus')) },
      readiness: async () => ({ ready: true, checks: {} }),
      // The real patterns, each answered by a stub that says "admitted".
      routes: [
        (a: Hono<GatewayEnv>, acc: AccessControl) => {
          for (const r of routes) if (r.path !== '/metrics') a.on(r.method, r.path, requireRoles(acc), (c) => c.json({ admitted: c.get('principal')?.name }, 299 as 200));
        },
      ],
    });
  }, 60_000);

  it('finds the routes of every mounted API', () => {
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain('POST /tmf-api/serviceOrdering/v4/serviceOrder');
    expect(paths).toContain('GET /tmf-api/resourceInventory/v4/resource/:id');
    expect(paths).toContain('GET /audit/v1/decisions');
    expect(paths).toContain('POST /policy/v1/bundles/:rev/activate');
    expect(paths).toContain('POST /assurance/v1/alarms');
    expect(routes.length).toBeGreaterThan(15);
  });

  const callers: Array<{ key: ApiKey; role: Role; bound: boolean }> = KEYS.map((k) => ({ key: k, role: k.roles[0]!, bound: k.tenant !== undefined }));

  it('admits and refuses each role on each route as the role rules say, own tenant and a second tenant', async () => {
    const mismatches: string[] = [];
    let denied = 0;
    for (const r of routes) {
      for (const { key, role, bound } of callers) {
        for (const target of [undefined, 'globex']) {
          const other = target !== undefined && target !== key.tenant;
          const headers: Record<string, string> = { Authorization: `Bearer ${key.key}` };
          if (target) headers['Junction-Tenant'] = target;
          const res = await app.request(concrete(r.path), { method: r.method, headers });
          const want = expectedAllowed(role, bound, r, other) ? (r.path === '/metrics' ? 200 : 299) : 403;
          if (res.status !== want) mismatches.push(`${key.principal} ${r.method} ${r.path} target=${target}: ${res.status}, expected ${want}`);
          if (res.status === 403) {
            denied++;
            const body = (await res.json()) as { message: string; requestId: string };
            const d = published.find((x) => x.request_id === body.requestId);
            if (!d) mismatches.push(`${key.principal} ${r.method} ${r.path}: denial not published`);
            else if (!(d.result as { reasons: string[] }).reasons.some((reason) => body.message.includes(reason))) mismatches.push(`reason mismatch ${body.message}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(denied).toBeGreaterThan(100);
  });

  it('answers 401 without a credential and audits that denial too', async () => {
    const res = await app.request('/tmf-api/serviceOrdering/v4/serviceOrder');
    expect(res.status).toBe(401);
    const { requestId } = (await res.json()) as { requestId: string };
    const d = published.find((x) => x.request_id === requestId);
    expect(d?.result).toMatchObject({ allow: false, reasons: ['authentication required'] });
    expect(d?.path).toBe('junction/authz/decision');
  });

  it('publishes an allowed policy change because the policy marks it audited, and not a plain read', async () => {
    const before = published.length;
    const read = await app.request('/tmf-api/serviceOrdering/v4/serviceOrder', { headers: { Authorization: 'Bearer bss-acme-0123456789' } });
    expect(read.status).toBe(299);
    expect(published.length).toBe(before);
    const act = await app.request('/policy/v1/bundles/r1/activate', { method: 'POST', headers: { Authorization: 'Bearer compliance-0123456789' } });
    expect(act.status).toBe(299);
    expect(published.at(-1)).toMatchObject({ principal: 'cmp', result: { allow: true, audit: true }, input: { route: '/policy/v1/bundles/:rev/activate' } });
  });
});
