import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmfSchemaCheck } from '../gateway/tmf/schema-check.js';
import { inventorySnapshot } from './inventory.js';
import { orderFor, startTestJunction, type TestJunction } from './testing.js';

const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';
const CANCELS = '/tmf-api/serviceOrdering/v4/cancelServiceOrder';
const schemas = tmfSchemaCheck();

describe('TMF641 cancellation', () => {
  let t: TestJunction;
  beforeAll(async () => {
    // Slow network: each action takes ~300 ms, so a cancel lands mid-provisioning.
    t = await startTestJunction({
      adapterEntries: [{ name: 'sim', builtin: 'simulator', settings: { topology: './simulator/topology.demo.json', latency: { apply: { minMs: 300, maxMs: 300 } } } }],
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  async function waitForCancel(id: string, states: string[]) {
    for (let i = 0; i < 300; i++) {
      const r = await t.call('GET', `${CANCELS}/${id}`);
      if (states.includes(r.body.state)) return r.body;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`cancel ${id} never reached ${states.join('|')}`);
  }

  it('cancels an order mid-provisioning: actions rolled back, capacity released, request done', async () => {
    const before = await inventorySnapshot(t.database.db);
    const created = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 1000 }));
    for (;;) {
      const applied = await t.database.db.selectFrom('order_actions').select('status').where('order_id', '=', created.body.id).where('status', '=', 'applied').execute();
      if (applied.length > 0) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const cancel = await t.call('POST', CANCELS, { serviceOrder: { id: created.body.id }, cancellationReason: 'customer changed their mind' });
    expect(cancel.status).toBe(201);
    expect(cancel.body.state).toBe('accepted');
    expect(schemas.errors('tmf641', 'CancelServiceOrder', cancel.body)).toEqual([]);
    const order = await t.waitFor(created.body.id, ['cancelled', 'completed', 'failed']);
    expect(order.state).toBe('cancelled');
    expect(order.cancellationReason).toBe('customer changed their mind');
    expect(schemas.errors('tmf641', 'ServiceOrder', order)).toEqual([]);
    const done = await waitForCancel(cancel.body.id, ['done', 'terminatedWithError']);
    expect(done.state).toBe('done');
    expect(schemas.errors('tmf641', 'CancelServiceOrder', done)).toEqual([]);
    expect(await inventorySnapshot(t.database.db)).toEqual(before);
    const actions = await t.database.db.selectFrom('order_actions').select('status').where('order_id', '=', created.body.id).execute();
    expect(actions.map((a) => a.status)).toContain('rolledBack');
    expect(actions.map((a) => a.status)).not.toContain('applied');
  });

  it('refuses to cancel a completed order, and unknown orders name the field', async () => {
    const created = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 100 }));
    await t.waitFor(created.body.id, ['completed']);
    const late = await t.call('POST', CANCELS, { serviceOrder: { id: created.body.id } });
    expect(late.status).toBe(409);
    expect(late.body.reason).toBe(`service order ${created.body.id} is already completed and cannot be cancelled`);
    const unknown = await t.call('POST', CANCELS, { serviceOrder: { id: 'nope' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.reason).toBe('invalid field serviceOrder.id');
    const list = await t.call('GET', `${CANCELS}?state=done`);
    expect(list.headers.get('X-Total-Count')).toBe('1');
  });
});
