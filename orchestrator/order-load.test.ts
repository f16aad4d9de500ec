import { afterAll, describe, expect, it } from 'vitest';
import { tmfSchemaCheck } from '../gateway/tmf/schema-check.js';
import { largeNetwork, simulatorEntries } from './load-fixture.js';
import { orderFor, startTestJunction, type TestJunction, inventoryMismatches } from './testing.js';

const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';
const schemas = tmfSchemaCheck();
const CONCURRENT = 200;

function mixedOrder(i: number) {
  const site = i % 2 === 0 ? 'SITE-A' : 'SITE-B';
  return i % 4 === 3
    ? orderFor('CUST-2001', 'enterprise-5g-slice', { bandwidthMbps: 100, sliceType: i % 8 === 3 ? 'urllc' : 'embb' }, site, `load-${i}`)
    : orderFor('CUST-1001', 'broadband', { bandwidthMbps: [100, 300, 1000][i % 3] }, site, `load-${i}`);
}


describe(`${CONCURRENT} concurrent orders end to end`, () => {
  const running: TestJunction[] = [];
  afterAll(async () => {
    for (const t of running) await t.stop();
  });

  it('completes every order for both specifications, responses valid TMF641', async () => {
    const net = largeNetwork();
    const t = await startTestJunction({ seed: net.seedFile, adapterEntries: simulatorEntries(net.topology) });
    running.push(t);
    const started = performance.now();
    const created = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => t.call('POST', ORDERS, mixedOrder(i))));
    const accepted = performance.now();
    expect(created.map((c) => c.status)).toEqual(Array(CONCURRENT).fill(201));
    const done = await t.waitForAll(created.map((c) => c.body.id));
    console.info(`${CONCURRENT} orders: accepted in ${Math.round(accepted - started)} ms, all terminal after ${Math.round(performance.now() - started)} ms`);
    const states = done.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.state]: (acc[o.state] ?? 0) + 1 }), {});
    const reasons = done.filter((o) => o.state !== 'completed').map((o) => o.errorMessage?.[0]?.reason);
    expect({ states, reasons }).toEqual({ states: { completed: CONCURRENT }, reasons: [] });
    for (const o of done.slice(0, 20)) expect(schemas.errors('tmf641', 'ServiceOrder', o)).toEqual([]);
    const services = await t.call('GET', '/tmf-api/serviceInventory/v4/service?limit=1');
    expect(services.headers.get('X-Total-Count')).toBe(String(CONCURRENT));
    expect(await inventoryMismatches(t.database.db)).toEqual([]);
  }, 180_000);

  it('with 30% injected permanent failures, every failed order leaves inventory as before', async () => {
    const net = largeNetwork();
    const t = await startTestJunction({
      seed: net.seedFile,
      adapterEntries: simulatorEntries(net.topology, { faults: { apply: { rate: 0.3, kind: 'permanent' } } }),
    });
    running.push(t);
    const n = 100;
    const created = await Promise.all(Array.from({ length: n }, (_, i) => t.call('POST', ORDERS, mixedOrder(i))));
    const done = await t.waitForAll(created.map((c) => c.body.id));
    const failed = done.filter((o) => o.state === 'failed');
    const completed = done.filter((o) => o.state === 'completed');
    expect(failed.length).toBeGreaterThan(10);
    expect(completed.length).toBeGreaterThan(10);
    expect(failed.length + completed.length).toBe(n);
    for (const o of failed) {
      expect(o.errorMessage[0].status).toBe('failed');
      expect(schemas.errors('tmf641', 'ServiceOrder', o)).toEqual([]);
    }
    // Failed orders hold nothing and left nothing configured; the rest is exactly the active services'.
    const failedIds = failed.map((o) => o.id);
    const held = await t.database.db.selectFrom('reservations').select('id').where('order_id', 'in', failedIds).where('status', '!=', 'released').execute();
    expect(held).toEqual([]);
    const applied = await t.database.db.selectFrom('order_actions').select(['order_id', 'action_id']).where('order_id', 'in', failedIds).where('status', '=', 'applied').execute();
    expect(applied).toEqual([]);
    expect(await inventoryMismatches(t.database.db)).toEqual([]);
    const committed = await t.database.db.selectFrom('reservations').select('order_id').distinct().where('status', '=', 'committed').execute();
    expect(committed.map((r) => r.order_id).sort()).toEqual(completed.map((o) => o.id).sort());
  }, 180_000);
});
