// TMF639 resource writes by operators against the real Postgres and the shipped authorization
// policy: create, maintenance, capacity changes, and the reservations those must not corrupt.
import { resolve } from 'node:path';
import type { Hono } from 'hono';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKey } from '../../platform/config.js';
import { createMetrics } from '../../platform/metrics.js';
import type { Decision, PolicyEngine } from '../../policies/engine/index.js';
import { createTestDatabase, silentLogger, type TestDatabase, ROLE_KEYS } from '../../test/support/index.js';
import { createAccessControl } from '../access.js';
import { createGatewayApp } from '../app.js';
import { buildAuthzBundle, createAuthzEngine, policyAuthorizer } from '../auth/policy-authorizer.js';
import type { GatewayEnv } from '../context.js';
import { inventoryRoutes } from './inventory.js';
import { tmfSchemaCheck } from './schema-check.js';

const logger = silentLogger();
const KEYS: ApiKey[] = Object.values(ROLE_KEYS);
const [OPERATOR, BSS, AUDITOR, NETWORK] = [ROLE_KEYS.operator.key, ROLE_KEYS.bss.key, ROLE_KEYS.auditor.key, ROLE_KEYS.network.key];
const BASE = '/tmf-api/resourceInventory/v4/resource';
const schemas = tmfSchemaCheck();

interface ResourceBody {
  id: string;
  href: string;
  administrativeState: string;
  operationalState: string;
  resourceStatus: string;
  resourceCharacteristic: Array<{ name: string; value: unknown }>;
}
const characteristic = (r: ResourceBody, name: string) => r.resourceCharacteristic.find((c) => c.name === name)?.value;

const port = (name: string, capacity = 1000, extra: Record<string, unknown> = {}) => ({
  name,
  category: 'olt-port',
  place: { id: 'SITE-W', role: 'site' },
  resourceCharacteristic: [
    { name: 'domain', value: 'access' },
    { name: 'unit', value: 'Mbps' },
    { name: 'capacity', value: capacity },
    { name: 'vendor', value: 'acme-optics' },
  ],
  '@type': 'Resource',
  ...extra,
});

describe('TMF639 resource writes', () => {
  let tdb: TestDatabase;
  let engine: PolicyEngine;
  let app: Hono<GatewayEnv>;
  const audited: Decision[] = [];

  const send = (method: string, path: string, key: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  const stored = (id: string) => tdb.db.selectFrom('resources').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  /** What a reservation by the saga leaves behind (orchestrator/inventory.ts): a reservation row and the allocation. */
  const reserve = async (resourceId: string, amount: number) => {
    await sql`update resources set allocated = allocated + ${amount} where id = ${resourceId}`.execute(tdb.db);
    await tdb.db
      .insertInto('reservations')
      .values({ id: `res-${resourceId}-${amount}`, resource_id: resourceId, order_id: 'ord-1', order_item_id: '1', key: 'access', amount, status: 'committed' })
      .execute();
  };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    engine = await createAuthzEngine(await buildAuthzBundle(resolve(import.meta.dirname, '../../policies/rego')));
    app = createGatewayApp({
      logger,
      access: createAccessControl(KEYS, { authorizer: policyAuthorizer({ engine, publish: async (d) => void audited.push(d), logger }) }),
      metrics: createMetrics({ processMetrics: false }),
      bus: { publish: async () => Promise.reject(new Error('no bus in this test')) },
      readiness: async () => ({ ready: true, checks: {} }),
      routes: [inventoryRoutes({ db: tdb.db })],
    });
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
    await tdb?.drop();
  });

  it('creates a resource for an operator, answering a TMF639 Resource, and audits the write', async () => {
    const res = await send('POST', BASE, OPERATOR, port('olt-w/0/1'));
    expect(res.status).toBe(201);
    const body = (await res.json()) as ResourceBody;
    expect(schemas.errors('tmf639', 'Resource', body)).toEqual([]);
    expect(res.headers.get('Location')).toBe(body.href);
    expect(body).toMatchObject({ id: 'olt-w/0/1', administrativeState: 'unlocked', operationalState: 'enable', resourceStatus: 'available', category: 'olt-port' });
    expect([characteristic(body, 'capacity'), characteristic(body, 'available'), characteristic(body, 'vendor')]).toEqual([1000, 1000, 'acme-optics']);
    expect(await stored('olt-w/0/1')).toMatchObject({ type: 'olt-port', site: 'SITE-W', domain: 'access', unit: 'Mbps', capacity: '1000', state: 'available', attributes: { vendor: 'acme-optics' } });
    expect(audited.some((d) => d.principal === 'noc' && (d.input as { method: string }).method === 'POST')).toBe(true);

    const again = await send('POST', BASE, OPERATOR, port('olt-w/0/1', 5));
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'alreadyExists', '@type': 'Error' });
    expect((await stored('olt-w/0/1')).capacity).toBe('1000');
  });

  it('refuses resource writes to bss, auditor and network callers', async () => {
    for (const key of [BSS, AUDITOR, NETWORK]) {
      expect((await send('POST', BASE, key, port(`olt-w/9/${key.slice(0, 3)}`))).status).toBe(403);
      expect((await send('PATCH', `${BASE}/${encodeURIComponent('olt-w/0/1')}`, key, { administrativeState: 'locked' })).status).toBe(403);
    }
    const rows = await tdb.db.selectFrom('resources').select('id').execute();
    expect(rows.map((r) => r.id)).toEqual(['olt-w/0/1']);
    expect((await stored('olt-w/0/1')).state).toBe('available');
  });

  it('answers invalid bodies with a TMF Error naming the field and stores nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...port('x1'), name: undefined }, 'name'],
      [{ ...port('x2'), category: 7 }, 'category'],
      [{ ...port('x3'), administrativeState: 'sleeping' }, 'administrativeState'],
      [{ ...port('x4'), usageState: 'idle' }, 'usageState'],
      [{ ...port('x5'), colour: 'blue' }, 'colour'],
      [{ ...port('x6'), place: { role: 'site' } }, 'place.id'],
      [{ ...port('x7'), resourceCharacteristic: [{ name: 'domain', value: 'access' }, { name: 'unit', value: 'Mbps' }] }, 'resourceCharacteristic'],
      [{ ...port('x8'), resourceCharacteristic: [{ name: 'domain', value: 'access' }, { name: 'unit', value: 'Mbps' }, { name: 'capacity', value: -5 }] }, 'resourceCharacteristic[2].value'],
      [{ ...port('x9'), resourceCharacteristic: [{ name: 'used', value: 0 }] }, 'resourceCharacteristic[0].name'],
      ['{"name": ', 'JSON'],
      [{ ...port('x10'), category: 'olt\u0000port' }, 'NUL'],
    ];
    for (const [body, field] of cases) {
      const res = await send('POST', BASE, OPERATOR, body);
      expect(res.status, field).toBe(400);
      const error = (await res.json()) as { message: string; '@type': string };
      expect(error['@type']).toBe('Error');
      expect(error.message, field).toContain(field);
    }
    expect((await tdb.db.selectFrom('resources').select('id').execute()).length).toBe(1);
  });

  it('takes a resource into maintenance and back, and merges characteristics by name', async () => {
    const href = `${BASE}/${encodeURIComponent('olt-w/0/1')}`;
    const locked = await send('PATCH', href, OPERATOR, { administrativeState: 'locked', resourceCharacteristic: [{ name: 'vendor', value: null }, { name: 'firmware', value: '2.1' }] });
    expect(locked.status).toBe(200);
    const body = (await locked.json()) as ResourceBody;
    expect(schemas.errors('tmf639', 'Resource', body)).toEqual([]);
    expect(body).toMatchObject({ administrativeState: 'locked', operationalState: 'enable', resourceStatus: 'suspended' });
    expect([characteristic(body, 'vendor'), characteristic(body, 'firmware'), characteristic(body, 'capacity')]).toEqual([undefined, '2.1', 1000]);
    expect(await stored('olt-w/0/1')).toMatchObject({ state: 'maintenance', attributes: { firmware: '2.1' } });

    const back = await send('PATCH', href, OPERATOR, { administrativeState: 'unlocked' });
    expect(((await back.json()) as ResourceBody).resourceStatus).toBe('available');
    expect((await stored('olt-w/0/1')).state).toBe('available');

    expect((await send('PATCH', `${BASE}/nope`, OPERATOR, { administrativeState: 'locked' })).status).toBe(404);
    expect((await send('PATCH', `${BASE}/bad%00id`, OPERATOR, { administrativeState: 'locked' })).status).toBe(404);
    expect((await send('PATCH', href, OPERATOR, { name: 'renamed' })).status).toBe(400);
    expect((await send('PATCH', href, OPERATOR, { resourceStatus: 'available' })).status).toBe(400);
  });

  it('never lets capacity fall below what is reserved or used, nor retires or moves a resource that holds reservations', async () => {
    const href = `${BASE}/${encodeURIComponent('olt-w/0/1')}`;
    await reserve('olt-w/0/1', 600);
    const before = await stored('olt-w/0/1');

    const below = await send('PATCH', href, OPERATOR, { resourceCharacteristic: [{ name: 'capacity', value: 599 }] });
    expect(below.status).toBe(409);
    expect(await below.json()).toMatchObject({ code: 'conflict', status: '409', '@type': 'Error' });
    const retire = await send('PATCH', href, OPERATOR, { operationalState: 'disable' });
    expect(retire.status).toBe(409);
    const move = await send('PATCH', href, OPERATOR, { place: { id: 'SITE-X', role: 'site' } });
    expect(move.status).toBe(409);
    // A rejected patch changes nothing, not even the parts that were fine.
    const mixed = await send('PATCH', href, OPERATOR, { administrativeState: 'locked', resourceCharacteristic: [{ name: 'capacity', value: 100 }] });
    expect(mixed.status).toBe(409);
    expect(await stored('olt-w/0/1')).toEqual(before);

    const exact = await send('PATCH', href, OPERATOR, { resourceCharacteristic: [{ name: 'capacity', value: 600 }] });
    expect(exact.status).toBe(200);
    const body = (await exact.json()) as ResourceBody;
    expect([characteristic(body, 'capacity'), characteristic(body, 'used'), characteristic(body, 'available')]).toEqual([600, 600, 0]);
    expect(characteristic(body, 'reservations')).toEqual([{ orderId: 'ord-1', serviceId: null, amount: 600, status: 'committed', expiresAt: null }]);
    // Maintenance is allowed with reservations in place: existing services keep their capacity.
    const maintenance = await send('PATCH', href, OPERATOR, { administrativeState: 'locked' });
    expect(maintenance.status).toBe(200);
    expect(await stored('olt-w/0/1')).toMatchObject({ state: 'maintenance', capacity: '600', allocated: '600' });
  });
});
