// Every route the running gateway serves × every role × a second tenant, decided by the shipped
// data.junction.authz policy; every denial must land in the audit log with its reason.
//
// The routes are not listed here: they are read from the router of a real running Junction
// (createGatewayApp is wrapped to keep the app startJunction builds), so a route another module
// adds is covered at once, and a route the policy cannot place in an API family fails.
// What each caller should get is worked out from the policy's own role table (checked against
// issue 8's role rules below) and the tenant rules, written out here independently of the Rego.
import { resolve } from 'node:path';
import type { Hono } from 'hono';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BSS_KEY, startTestJunction, type TestJunction } from '../../orchestrator/testing.js';
import type { ApiKey, Role } from '../../platform/config.js';
import { createPolicyEngine, type PolicyEngine } from '../../policies/engine/index.js';
import type { GatewayEnv } from '../context.js';
import { buildAuthzBundle } from './policy-authorizer.js';

const captured = vi.hoisted(() => ({ apps: [] as Array<Hono<GatewayEnv>> }));
vi.mock('../app.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../app.js')>();
  return {
    ...real,
    createGatewayApp: (deps: Parameters<typeof real.createGatewayApp>[0]) => {
      const app = real.createGatewayApp(deps);
      captured.apps.push(app);
      return app;
    },
  };
});

const KEYS: ApiKey[] = [
  { key: BSS_KEY, principal: 'crm-acme', roles: ['bss'], tenant: 'acme' },
  { key: 'bss-globex-012345678', principal: 'crm-globex', roles: ['bss'], tenant: 'globex' },
  { key: 'bss-unbound-01234567', principal: 'crm-nobody', roles: ['bss'] },
  { key: 'compliance-0123456789', principal: 'cmp', roles: ['compliance'] },
  { key: 'auditor-01234567890', principal: 'aud', roles: ['auditor'] },
  { key: 'operator-0123456789', principal: 'noc', roles: ['operator'] },
  { key: 'network-01234567890', principal: 'probe', roles: ['network'] },
];

/** Open probes: answered without a key by design (gateway/app.ts PUBLIC_PATHS). */
const PUBLIC = new Set(['GET /health', 'GET /ready']);

interface RouteSpec {
  method: string;
  path: string;
}

/** The routes an app answers (middleware entries and the catch-all left out), once each. */
function servedRoutes(app: Hono<GatewayEnv>): RouteSpec[] {
  const seen = new Map<string, RouteSpec>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path === '*' || r.path === '/*') continue;
    const id = `${r.method} ${r.path}`;
    if (!PUBLIC.has(id)) seen.set(id, { method: r.method, path: r.path });
  }
  return [...seen.values()];
}

/** The policy's own tables, read from the compiled policy. */
interface PolicyTables {
  permissions: Record<string, Record<string, string[]>>;
  tenant_scoped: string[];
  audit_read_only_posts: string[];
  replay_routes: string[];
}

const TABLES = ['permissions', 'tenant_scoped', 'audit_read_only_posts', 'replay_routes'] as const;
const ISSUE_FAMILIES_OF_BSS = ['orders', 'services', 'problems', 'credits', 'subscriptions'];

const isRead = (method: string) => method === 'GET' || method === 'HEAD';
const concrete = (path: string) => path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, 'x-$1');

describe('authorization by data.junction.authz on every mounted route', () => {
  let t: TestJunction;
  let policy: PolicyEngine;
  let routes: RouteSpec[];
  let tables: PolicyTables;
  const families = new Map<string, string | undefined>();

  beforeAll(async () => {
    t = await startTestJunction({}, { JUNCTION_API_KEYS: JSON.stringify(KEYS) });
    const app = captured.apps.at(-1);
    if (!app) throw new Error('startJunction did not build its app through createGatewayApp');
    routes = servedRoutes(app);
    const dir = resolve(import.meta.dirname, '../../policies/rego');
    policy = await createPolicyEngine({ bundle: await buildAuthzBundle(dir, ['junction/authz/family', ...TABLES.map((n) => `junction/authz/${n}`)]), workers: 0 });
    tables = Object.fromEntries(await Promise.all(TABLES.map(async (n) => [n, (await policy.decide(`junction/authz/${n}`, {})).result]))) as PolicyTables;
    for (const r of routes) {
      const d = await policy.decide('junction/authz/family', { method: r.method, route: r.path });
      families.set(`${r.method} ${r.path}`, typeof d.result === 'string' ? d.result : undefined);
    }
  }, 120_000);
  afterAll(async () => {
    await policy?.close();
    await t?.stop();
  });

  it('reads the routes of every mounted API from the running app', () => {
    const ids = routes.map((r) => `${r.method} ${r.path}`);
    for (const known of [
      'POST /tmf-api/serviceOrdering/v4/serviceOrder',
      'GET /tmf-api/serviceOrdering/v4/serviceOrder/:id',
      'POST /tmf-api/serviceOrdering/v4/hub',
      'DELETE /tmf-api/serviceOrdering/v4/hub/:id',
      'POST /tmf-api/serviceOrdering/v4/cancelServiceOrder',
      'GET /tmf-api/serviceInventory/v4/service/:id',
      'GET /tmf-api/resourceInventory/v4/resource',
      'POST /assurance/v1/alarms',
      'GET /audit/v1/decisions',
      'POST /policy/v1/bundles/:rev/activate',
      'GET /metrics',
    ]) {
      expect(ids).toContain(known);
    }
  });

  it('places every mounted route in an API family of the policy (a new route without one fails here)', () => {
    const unplaced = [...families].filter(([, f]) => f === undefined).map(([id]) => id);
    expect(unplaced).toEqual([]);
  });

  it("has the role table issue 8 describes", () => {
    const p = tables.permissions;
    expect(p.auditor).toEqual({ audit: ['read'] });
    expect(p.compliance).toEqual({ policy: ['read', 'write'] });
    expect(p.network).toEqual({ network_events: ['write'] });
    // bss orders and reads its own tenant's orders, services, problems (and their credits) and subscriptions.
    expect(Object.keys(p.bss!).filter((f) => !ISSUE_FAMILIES_OF_BSS.includes(f))).toEqual([]);
    expect(p.bss!.orders).toEqual(['read', 'write']);
    expect(p.bss!.subscriptions).toEqual(['read', 'write']);
    for (const f of ISSUE_FAMILIES_OF_BSS) expect(tables.tenant_scoped).toContain(f);
    // operator reads everything operational and handles dead letters; it never writes tenants'
    // records, policy or the audit log (other issues may give it operational writes, e.g. resources).
    const operatorWrites = Object.entries(p.operator!).filter(([f, actions]) => actions.includes('write') && (tables.tenant_scoped.includes(f) || f === 'policy' || f === 'audit'));
    expect(operatorWrites).toEqual([]);
    for (const f of ISSUE_FAMILIES_OF_BSS) expect(p.operator![f], f).toContain('read');
    expect(p.operator!.dead_letters).toEqual(['read', 'write']);
    for (const r of [...tables.audit_read_only_posts, ...tables.replay_routes]) expect(r.startsWith('/audit/')).toBe(true);
  });

  /** What a caller must get, from the role table and the tenant rules (bound principals reach their tenant only; unbound operators read every tenant). */
  function expectedAllowed(key: ApiKey, r: RouteSpec, target: string | undefined): boolean {
    const family = families.get(`${r.method} ${r.path}`);
    if (family === undefined) return false;
    const action = isRead(r.method) ? 'read' : 'write';
    const roles = key.roles as string[];
    const rolePermits =
      roles.some((role) => tables.permissions[role]?.[family]?.includes(action)) ||
      (tables.audit_read_only_posts.includes(r.path) && roles.includes('auditor')) ||
      (tables.replay_routes.includes(r.path) && roles.some((role) => role === 'compliance' || role === 'auditor'));
    if (!rolePermits) return false;
    if (!tables.tenant_scoped.includes(family)) return true;
    if (key.tenant !== undefined) return target === undefined || target === key.tenant;
    return roles.includes('operator') && action === 'read';
  }

  async function call(method: string, path: string, headers: Record<string, string>) {
    const res = await fetch(`${t.junction.url}${path}`, { method, headers });
    const text = await res.text();
    let body: { error?: string; message?: string; requestId?: string } | undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body };
  }

  async function auditRows(requestIds: string[]) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await sql<{ request_id: string; principal: string | null; result: { allow: boolean; reasons: string[]; audit?: boolean } }>`
        SELECT request_id, principal, result FROM audit_decisions WHERE path = 'junction/authz/decision' AND request_id = ANY(${requestIds})`.execute(t.database.db);
      if (rows.length >= requestIds.length || Date.now() > deadline) return new Map(rows.map((r) => [r.request_id, r]));
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('admits and refuses each role on each route as the rules say, for its own tenant and a second one, and audits each denial with its reason', async () => {
    const mismatches: string[] = [];
    const denials = new Map<string, string>(); // request id → message answered
    const admittedByRole = new Map<Role, number>();
    for (const r of routes) {
      for (const key of KEYS) {
        for (const target of [undefined, 'globex']) {
          const headers: Record<string, string> = { Authorization: `Bearer ${key.key}` };
          if (target) headers['Junction-Tenant'] = target;
          const res = await call(r.method, concrete(r.path), headers);
          const deniedByPolicy = res.status === 403 && res.body?.error === 'forbidden';
          const want = expectedAllowed(key, r, target);
          const where = `${key.principal} ${r.method} ${r.path}${target ? ` (tenant ${target})` : ''}`;
          if (res.status === 401 || res.status === 429) mismatches.push(`${where}: ${res.status}`);
          else if (want && deniedByPolicy) mismatches.push(`${where}: denied (${res.body?.message}), expected admitted`);
          else if (!want && !deniedByPolicy) mismatches.push(`${where}: ${res.status}, expected 403 forbidden`);
          else if (want && res.status >= 500) mismatches.push(`${where}: admitted but answered ${res.status}`);
          if (deniedByPolicy && res.body?.requestId) denials.set(res.body.requestId, res.body.message ?? '');
          if (!deniedByPolicy) admittedByRole.set(key.roles[0]!, (admittedByRole.get(key.roles[0]!) ?? 0) + 1);
        }
      }
    }
    expect(mismatches).toEqual([]);
    // Every role is admitted somewhere and refused somewhere: the matrix is not trivially one-sided.
    for (const role of ['bss', 'compliance', 'auditor', 'operator', 'network'] as const) expect(admittedByRole.get(role) ?? 0).toBeGreaterThan(0);
    expect(denials.size).toBeGreaterThan(routes.length * 3);

    const rows = await auditRows([...denials.keys()]);
    const unaudited: string[] = [];
    for (const [requestId, message] of denials) {
      const row = rows.get(requestId);
      if (!row) unaudited.push(`${requestId}: not in the audit log`);
      else if (row.result.allow !== false || row.result.reasons.length === 0 || !row.result.reasons.every((reason) => message.includes(reason))) {
        unaudited.push(`${requestId}: audit row ${JSON.stringify(row.result)} vs answer ${message}`);
      }
    }
    expect(unaudited).toEqual([]);
  }, 180_000);

  it('answers 401 without a credential and audits that denial too', async () => {
    const res = await call('GET', '/tmf-api/serviceOrdering/v4/serviceOrder', {});
    expect(res.status).toBe(401);
    const row = (await auditRows([res.body!.requestId!])).get(res.body!.requestId!);
    expect(row?.principal).toBeNull();
    expect(row?.result).toMatchObject({ allow: false, reasons: ['authentication required'] });
  }, 60_000);

  it('audits an allowed policy change because the policy marks it, and not a plain read', async () => {
    const read = await call('GET', '/tmf-api/serviceOrdering/v4/serviceOrder', { Authorization: `Bearer ${BSS_KEY}`, 'X-Request-Id': 'plain-read-1' });
    expect(read.status).toBe(200);
    const act = await call('POST', '/policy/v1/bundles/r-unknown/activate', { Authorization: 'Bearer compliance-0123456789', 'X-Request-Id': 'activate-audited-1' });
    expect(act.status).not.toBe(403);
    const rows = await auditRows(['activate-audited-1']);
    expect(rows.get('activate-audited-1')).toMatchObject({ principal: 'cmp', result: { allow: true, audit: true } });
    // Decisions reach the log in order: the read came first, so had it been sent it would be there.
    const { rows: readRows } = await sql`SELECT 1 FROM audit_decisions WHERE request_id = 'plain-read-1'`.execute(t.database.db);
    expect(readRows).toEqual([]);
  }, 60_000);
});
