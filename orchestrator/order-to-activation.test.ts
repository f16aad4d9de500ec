import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmfSchemaCheck } from '../gateway/tmf/schema-check.js';
import { billingSubjects } from './events.js';
import { inventorySnapshot } from './inventory.js';
import { OPERATOR_KEY, orderFor, OTHER_TENANT_KEY, startTestJunction, type TestJunction } from './testing.js';

const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';
const schemas = tmfSchemaCheck();

describe('order to activation through gateway, orchestrator, Postgres, NATS, policies and simulator', () => {
  let t: TestJunction;
  beforeAll(async () => {
    t = await startTestJunction();
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('activates a broadband order: completed, service active with its resources, billing started', async () => {
    const created = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 300 }, 'SITE-A', 'bb-1'));
    expect(created.status).toBe(201);
    expect(created.body.state).toBe('acknowledged');
    expect(schemas.errors('tmf641', 'ServiceOrder', created.body)).toEqual([]);
    const done = await t.waitFor(created.body.id, ['completed', 'failed', 'rejected']);
    expect(done.state).toBe('completed');
    expect(schemas.errors('tmf641', 'ServiceOrder', done)).toEqual([]);
    const serviceId = done.serviceOrderItem[0].service.id;
    const service = await t.call('GET', `/tmf-api/serviceInventory/v4/service/${serviceId}`);
    expect(service.status).toBe(200);
    expect(service.body.state).toBe('active');
    expect(service.body.supportingResource.map((r: { id: string }) => r.id).sort()).toEqual(['cgnat-north', 'olt-north-1/0/1', 'uplink-SITE-A']);
    expect(schemas.errors('tmf638', 'Service', service.body)).toEqual([]);
    const inv = await inventorySnapshot(t.database.db);
    expect(inv['olt-north-1/0/1']).toBe(300);
    const port = await t.call('GET', `/tmf-api/resourceInventory/v4/resource/${encodeURIComponent('olt-north-1/0/1')}`, undefined, { authorization: `Bearer ${OPERATOR_KEY}` });
    expect(port.status).toBe(200);
    expect(schemas.errors('tmf639', 'Resource', port.body)).toEqual([]);
    expect(port.body.resourceCharacteristic.find((c: { name: string }) => c.name === 'available').value).toBe(2200);
    const bus = t.junction.bus;
    const billing = await bus.jsm.streams.getMessage(bus.topology.streams.notifications.name, { last_by_subj: billingSubjects(bus.namespace).start });
    expect(billing?.json()).toMatchObject({ serviceId, orderId: done.id, customerId: 'CUST-1001', specification: 'broadband', characteristics: { bandwidthMbps: 300 } });
  });

  it('activates an enterprise 5G slice for the gold customer', async () => {
    const created = await t.call('POST', ORDERS, orderFor('CUST-2001', 'enterprise-5g-slice', { bandwidthMbps: 1000, maxLatencyMs: 10, sliceType: 'urllc' }));
    expect(created.status).toBe(201);
    const done = await t.waitFor(created.body.id, ['completed', 'failed', 'rejected']);
    expect(done.state).toBe('completed');
    const inv = await inventorySnapshot(t.database.db);
    expect([inv['gnb-north-1'], inv['gnb-north-2'], inv['upf-edge-north']]).toEqual([50, 50, 100]);
  });

  it("rejects the suspended customer's order with the policy's reason", async () => {
    const created = await t.call('POST', ORDERS, orderFor('CUST-3001', 'broadband', { bandwidthMbps: 100 }));
    const done = await t.waitFor(created.body.id, ['completed', 'failed', 'rejected']);
    expect(done.state).toBe('rejected');
    expect(done.errorMessage.map((e: { reason: string }) => e.reason)).toEqual(['customer CUST-3001 is suspended, not active']);
    expect(schemas.errors('tmf641', 'ServiceOrder', done)).toEqual([]);
  });

  it('rejects an order beyond capacity and leaves inventory unchanged', async () => {
    const before = await inventorySnapshot(t.database.db);
    // SITE-B's gNB has 106 PRBs; 5000 Mb/s needs 250.
    const created = await t.call('POST', ORDERS, orderFor('CUST-2001', 'enterprise-5g-slice', { bandwidthMbps: 5000 }, 'SITE-B'));
    const done = await t.waitFor(created.body.id, ['completed', 'failed', 'rejected']);
    expect(done.state).toBe('rejected');
    expect(done.errorMessage[0].reason).toBe('gnb-south-1 lacks 250 free gnb units at SITE-B');
    expect(await inventorySnapshot(t.database.db)).toEqual(before);
  });

  it('answers a repeated POST with the original order (externalId and Idempotency-Key)', async () => {
    const body = orderFor('CUST-1001', 'broadband', { bandwidthMbps: 100 }, 'SITE-A', 'bb-idem');
    const first = await t.call('POST', ORDERS, body);
    const again = await t.call('POST', ORDERS, body);
    expect(again.status).toBe(200);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    // A repeat is answered with the original even if its body would no longer pass the catalog.
    const changed = orderFor('CUST-1001', 'broadband', { bandwidthMbps: 123 }, 'SITE-A', 'bb-idem');
    const stale = await t.call('POST', ORDERS, changed);
    expect(stale.status).toBe(200);
    expect(stale.body.id).toBe(first.body.id);
    const keyed = orderFor('CUST-1001', 'broadband', { bandwidthMbps: 100 });
    // Six at once: the gateway stores new orders several to a statement, so some of these repeat
    // one another inside one insert; still one order, and every answer is it.
    const keyedAnswers = await Promise.all(Array.from({ length: 6 }, () => t.call('POST', ORDERS, keyed, { 'Idempotency-Key': 'k-1' })));
    expect(new Set(keyedAnswers.map((a) => a.body.id)).size).toBe(1);
    expect(keyedAnswers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const stored = await t.database.db.selectFrom('service_orders').select('id').where('idempotency_key', '=', 'k-1').execute();
    expect(stored).toHaveLength(1);
    const list = await t.call('GET', `${ORDERS}?externalId=bb-idem`);
    expect(list.body).toHaveLength(1);
  });

  it('refuses invalid bodies with a TMF Error naming the field, storing nothing', async () => {
    const before = await t.call('GET', `${ORDERS}?limit=1`);
    const noItems = await t.call('POST', ORDERS, { relatedParty: [{ id: 'CUST-1001' }], serviceOrderItem: [] });
    expect(noItems.status).toBe(400);
    expect(noItems.body).toMatchObject({ code: 'invalidField', reason: 'invalid field serviceOrderItem', '@type': 'Error' });
    expect(schemas.errors('tmf641', 'Error', noItems.body)).toEqual([]);
    const badBw = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 200 }));
    expect(badBw.status).toBe(400);
    expect(badBw.body.message).toBe('serviceOrderItem[0].service.serviceCharacteristic: characteristic bandwidthMbps must be one of 100, 300, 1000');
    const badAction = await t.call('POST', ORDERS, { ...orderFor('CUST-1001', 'broadband', {}), serviceOrderItem: [{ id: '1', action: 'upgrade', service: {} }] });
    expect(badAction.body.reason).toBe('invalid field serviceOrderItem[0].action');
    const notJson = await t.call('POST', ORDERS, '{nope');
    expect(notJson.status).toBe(400);
    const after = await t.call('GET', `${ORDERS}?limit=1`);
    expect(after.headers.get('X-Total-Count')).toBe(before.headers.get('X-Total-Count'));
  });

  it('lists with paging, fields and filters, scoped to the tenant', async () => {
    const page = await t.call('GET', `${ORDERS}?offset=1&limit=2&fields=state`);
    expect(page.status).toBe(200);
    expect(Number(page.headers.get('X-Total-Count'))).toBeGreaterThanOrEqual(5);
    expect(page.headers.get('X-Result-Count')).toBe('2');
    expect(Object.keys(page.body[0]).sort()).toEqual(['@type', 'href', 'id', 'state']);
    const rejected = await t.call('GET', `${ORDERS}?state=rejected`);
    expect(rejected.body.every((o: { state: string }) => o.state === 'rejected')).toBe(true);
    for (const o of rejected.body) expect(schemas.errors('tmf641', 'ServiceOrder', o)).toEqual([]);
    const other = await t.call('GET', ORDERS, undefined, { authorization: `Bearer ${OTHER_TENANT_KEY}` });
    expect(other.body).toEqual([]);
    const foreign = await t.call('GET', `${ORDERS}/${rejected.body[0].id}`, undefined, { authorization: `Bearer ${OTHER_TENANT_KEY}` });
    expect(foreign.status).toBe(404);
  });

  it('exposes order KPIs at /metrics: activation time, fallout by reason, policy denials by rule', async () => {
    const res = await fetch(`${t.junction.url}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_KEY}` } });
    const text = await res.text();
    expect(text).toContain('junction_policy_denials_total{policy="junction/entitlement",rule="customer * is suspended, not active"} 1');
    expect(text).toContain('junction_order_fallout_total{code="entitlement"} 1');
    expect(text).toContain('junction_order_fallout_total{code="infeasible"} 1');
    expect(text).toMatch(/junction_order_to_activation_seconds_count\{outcome="completed"\} [1-9]/);
  });
});

describe('disconnect: a delete order', () => {
  let t: TestJunction;
  beforeAll(async () => {
    t = await startTestJunction();
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('de-provisions the service, releases its inventory, terminates it and stops billing', async () => {
    const before = await inventorySnapshot(t.database.db);
    const add = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 1000 }));
    const added = await t.waitFor(add.body.id, ['completed', 'failed', 'rejected']);
    expect(added.state).toBe('completed');
    const serviceId = added.serviceOrderItem[0].service.id;
    expect(await inventorySnapshot(t.database.db)).not.toEqual(before);

    const del = await t.call('POST', ORDERS, {
      relatedParty: [{ id: 'CUST-1001', role: 'customer' }],
      serviceOrderItem: [{ id: '1', action: 'delete', service: { id: serviceId } }],
    });
    expect(del.status).toBe(201);
    const deleted = await t.waitFor(del.body.id, ['completed', 'failed', 'rejected']);
    expect(deleted.state).toBe('completed');
    expect(schemas.errors('tmf641', 'ServiceOrder', deleted)).toEqual([]);
    const service = await t.call('GET', `/tmf-api/serviceInventory/v4/service/${serviceId}`);
    expect(service.body.state).toBe('terminated');
    expect(await inventorySnapshot(t.database.db)).toEqual(before);
    const actions = await t.database.db.selectFrom('order_actions').select(['action_id', 'status']).where('order_id', '=', del.body.id).orderBy('seq').execute();
    expect(actions).toEqual([
      { action_id: 'access', status: 'applied' },
      { action_id: 'transport', status: 'applied' },
    ]);
    const bus = t.junction.bus;
    const stop = await bus.jsm.streams.getMessage(bus.topology.streams.notifications.name, { last_by_subj: billingSubjects(bus.namespace).stop });
    expect(stop?.json()).toMatchObject({ serviceId, orderId: del.body.id, customerId: 'CUST-1001' });

    const again = await t.call('POST', ORDERS, {
      relatedParty: [{ id: 'CUST-1001', role: 'customer' }],
      serviceOrderItem: [{ id: '1', action: 'delete', service: { id: serviceId } }],
    });
    const refused = await t.waitFor(again.body.id, ['completed', 'failed', 'rejected']);
    expect(refused.state).toBe('rejected');
    expect(refused.errorMessage[0].reason).toBe(`service ${serviceId} is not an active service`);
    const noId = await t.call('POST', ORDERS, { relatedParty: [{ id: 'CUST-1001' }], serviceOrderItem: [{ id: '1', action: 'delete', service: {} }] });
    expect(noId.body.reason).toBe('invalid field serviceOrderItem[0].service.id');
  });
});
