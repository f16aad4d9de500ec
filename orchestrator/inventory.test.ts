import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySeed, type Seed } from '../catalog/seed.js';
import { createTestDatabase, type TestDatabase } from '../test/support/index.js';
import { expireReservations, inventorySnapshot, itemReserver, releaseReservations, reserveItem } from './inventory.js';

const SITE_S: Seed['resources'] = [
  { id: 'port-1', type: 'olt-port', site: 'S', domain: 'access', unit: 'Mbps', capacity: 1000, state: 'available', attributes: {} },
  { id: 'port-2', type: 'olt-port', site: 'S', domain: 'access', unit: 'Mbps', capacity: 1000, state: 'available', attributes: {} },
  { id: 'pool', type: 'ip-pool', site: 'S', domain: 'access', unit: 'addresses', capacity: 100, state: 'available', attributes: {} },
  { id: 'gnb-1', type: 'gnb', site: 'S', domain: 'ran', unit: 'PRB', capacity: 100, state: 'available', attributes: {} },
  { id: 'gnb-2', type: 'gnb', site: 'S', domain: 'ran', unit: 'PRB', capacity: 50, state: 'available', attributes: {} },
  { id: 'gnb-m', type: 'gnb', site: 'M', domain: 'ran', unit: 'PRB', capacity: 50, state: 'maintenance', attributes: {} },
];

describe('resource inventory', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await applySeed(t.db, { tenant: 'acme', customers: [], resources: SITE_S });
  });
  afterAll(async () => {
    await t?.drop();
  });

  const broadband = [
    { key: 'port', resourceType: 'olt-port', amount: '{{characteristic.bw}}', scope: 'one' as const },
    { key: 'ip', resourceType: 'ip-pool', amount: 1, scope: 'one' as const },
  ];

  it('never hands out more than the capacity under 60 concurrent reservations', async () => {
    // 2 ports x 1000 Mb/s = 6 orders of 300 Mb/s; 60 compete.
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        reserveItem(t.db, { orderId: `o-${i}`, itemId: '1', site: 'S', specs: broadband, context: { characteristic: { bw: 300 } }, ttlMs: 60_000 }),
      ),
    );
    const ok = outcomes.filter((o) => o.ok);
    expect(ok).toHaveLength(6);
    const failed = outcomes.find((o) => !o.ok);
    expect(failed).toEqual({ ok: false, reason: 'insufficient capacity: no olt-port at S has 300 units free' });
    const snapshot = await inventorySnapshot(t.db);
    expect(snapshot['port-1']).toBe(900);
    expect(snapshot['port-2']).toBe(900);
    expect(snapshot.pool).toBe(6); // failed orders left nothing behind
    const rows = await t.db.selectFrom('reservations').select(['order_id']).where('status', '=', 'reserved').execute();
    expect(rows).toHaveLength(12);
  });

  it('is idempotent per order item and releases exactly what it took', async () => {
    const req = { orderId: 'o-0', itemId: '1', site: 'S', specs: broadband, context: { characteristic: { bw: 300 } }, ttlMs: 60_000 };
    const again = await reserveItem(t.db, req);
    expect(again.ok).toBe(true);
    expect((await inventorySnapshot(t.db))['port-1']).toBe(900);
    expect(await releaseReservations(t.db, 'o-0')).toBe(2);
    expect(await releaseReservations(t.db, 'o-0')).toBe(0);
    const s = await inventorySnapshot(t.db);
    expect(s['port-1']! + s['port-2']!).toBe(1500);
    expect(s.pool).toBe(5);
  });

  it('takes capacity once when two runs of one order reserve at the same time', async () => {
    await t.db
      .insertInto('service_orders')
      .values({ id: 'twice', tenant: 'acme', state: 'inProgress', body: JSON.stringify({}) })
      .execute();
    const before = await inventorySnapshot(t.db);
    const req = { orderId: 'twice', itemId: '1', site: 'S', specs: broadband, context: { characteristic: { bw: 100 } }, ttlMs: 60_000 };
    const runs = await Promise.all([reserveItem(t.db, req), reserveItem(t.db, req), reserveItem(t.db, req)]);
    expect(runs.every((r) => r.ok)).toBe(true);
    const after = await inventorySnapshot(t.db);
    expect(after.pool! - before.pool!).toBe(1);
    const rows = await t.db.selectFrom('reservations').select('id').where('order_id', '=', 'twice').execute();
    expect(rows).toHaveLength(2);
    await releaseReservations(t.db, 'twice');
  });

  it('reserves on every resource for scope all, all or nothing, skipping resources in maintenance', async () => {
    const ran = [{ key: 'ran', resourceType: 'gnb', amount: 40, scope: 'all' as const }];
    const first = await reserveItem(t.db, { orderId: 'r-1', itemId: '1', site: 'S', specs: ran, context: {}, ttlMs: 60_000 });
    expect(first).toMatchObject({ ok: true, reservations: { ran: { resourceIds: ['gnb-1', 'gnb-2'] } } });
    const second = await reserveItem(t.db, { orderId: 'r-2', itemId: '1', site: 'S', specs: ran, context: {}, ttlMs: 60_000 });
    expect(second.ok).toBe(false);
    const s = await inventorySnapshot(t.db);
    expect([s['gnb-1'], s['gnb-2']]).toEqual([40, 40]);
    const maint = await reserveItem(t.db, { orderId: 'r-3', itemId: '1', site: 'M', specs: ran, context: {}, ttlMs: 60_000 });
    expect(maint).toEqual({ ok: false, reason: 'no gnb in service at M' });
  });

  it('reserves nothing for an order cancelled first, and reports the cancellation; a reservation reports its resources\' states', async () => {
    await t.db
      .insertInto('service_orders')
      .values({ id: 'o-cancelled', tenant: 'acme', external_id: null, idempotency_key: null, customer_id: null, state: 'inProgress', body: '{}', cancellation_id: 'c-1' })
      .execute();
    const before = await inventorySnapshot(t.db);
    const req = { itemId: '1', site: 'S', specs: broadband, context: { characteristic: { bw: 100 } }, ttlMs: 60_000 };
    expect(await reserveItem(t.db, { ...req, orderId: 'o-cancelled' })).toEqual({ ok: false, reason: 'the order was cancelled', cancellationId: 'c-1' });
    expect(await inventorySnapshot(t.db)).toEqual(before);
    const taken = await reserveItem(t.db, { ...req, orderId: 'o-states' });
    expect(taken.ok && taken.resourceStates).toEqual({ [taken.ok ? taken.reservations.port!.resourceId : '']: 'available', pool: 'available' });
    await releaseReservations(t.db, 'o-states');
  });

  it('expires reservations of orders that died', async () => {
    const past = new Date(Date.now() - 120_000);
    await reserveItem(t.db, { orderId: 'dead', itemId: '1', site: 'S', specs: broadband, context: { characteristic: { bw: 100 } }, ttlMs: 1_000, now: past });
    const before = await inventorySnapshot(t.db);
    expect(await expireReservations(t.db)).toEqual(['dead']);
    const after = await inventorySnapshot(t.db);
    expect(before.pool! - after.pool!).toBe(1);
  });
});

describe('resource inventory, many items to a call', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    // The first suite's site S, under other names.
    await applySeed(t.db, { tenant: 'acme', customers: [], resources: SITE_S.slice(0, 3).map((r) => ({ ...r, id: `b-${r.id}`, site: 'B' })) });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('reserves each item on its own when 60 share a few calls: the fitting ones all, the others nothing', async () => {
    const reserve = itemReserver(t.db);
    const specs = [
      { key: 'port', resourceType: 'olt-port', amount: '{{characteristic.bw}}', scope: 'one' as const },
      { key: 'ip', resourceType: 'ip-pool', amount: 1, scope: 'one' as const },
    ];
    // Every fifth asks for more than a port holds: it must fail alone, whatever call it shares.
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) => reserve({ orderId: `b-${i}`, itemId: '1', site: 'B', specs, context: { characteristic: { bw: i % 5 === 4 ? 1200 : 300 } }, ttlMs: 60_000 })),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(6);
    expect(outcomes.filter((_, i) => i % 5 === 4).every((o) => !o.ok && o.reason === 'insufficient capacity: no olt-port at B has 1200 units free')).toBe(true);
    expect(await inventorySnapshot(t.db)).toMatchObject({ 'b-port-1': 900, 'b-port-2': 900, 'b-pool': 6 });
    const held = await t.db.selectFrom('reservations').select(['order_id']).where('status', '=', 'reserved').execute();
    expect(held).toHaveLength(12);
    // A repeat answers the same reservations, batched or not.
    const again = await Promise.all(outcomes.map((o, i) => (o.ok ? reserve({ orderId: `b-${i}`, itemId: '1', site: 'B', specs, context: { characteristic: { bw: 300 } }, ttlMs: 60_000 }) : undefined)));
    expect(again.filter(Boolean).map((o) => o!.ok && o!.reservations.port!.resourceId)).toEqual(outcomes.filter((o) => o.ok).map((o) => o.ok && o.reservations.port!.resourceId));
    expect(await inventorySnapshot(t.db)).toMatchObject({ 'b-port-1': 900, 'b-port-2': 900, 'b-pool': 6 });
  });
});
