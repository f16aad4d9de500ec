// Tenant isolation on every GET route of a whole running Junction: tenant acme has an order,
// its service and a cancellation request; tenant globex, asking every list and every single read
// (with acme's ids), sees none of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_KEY, orderFor, OTHER_TENANT_KEY, startTestJunction, type TestJunction } from '../../orchestrator/testing.js';

const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';

describe('tenant isolation on every route', () => {
  let t: TestJunction;
  const acme: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestJunction();
    const created = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 100 }, 'SITE-A', 'acme-isolation-order'));
    expect(created.status).toBe(201);
    const done = await t.waitFor(created.body.id, ['completed', 'failed', 'rejected']);
    acme.order = done.id;
    acme.externalId = 'acme-isolation-order';
    if (done.serviceOrderItem?.[0]?.service?.id) acme.service = done.serviceOrderItem[0].service.id;
    const other = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 50 }, 'SITE-A', 'acme-to-cancel'));
    acme.cancelled = other.body.id;
    const cancel = await t.call('POST', '/tmf-api/serviceOrdering/v4/cancelServiceOrder', { serviceOrder: { id: other.body.id }, cancellationReason: 'test' });
    if (cancel.body?.id) acme.cancellation = cancel.body.id;
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  const readRoutes = [
    ORDERS,
    `${ORDERS}/:id`,
    '/tmf-api/serviceOrdering/v4/cancelServiceOrder',
    '/tmf-api/serviceOrdering/v4/cancelServiceOrder/:id',
    '/tmf-api/serviceInventory/v4/service',
    '/tmf-api/serviceInventory/v4/service/:id',
    '/assurance/v1/serviceProblem',
    '/assurance/v1/serviceProblem/:id',
    '/assurance/v1/credits',
  ];

  it('shows acme its own records (the routes are live)', async () => {
    const own = await t.call('GET', `${ORDERS}/${acme.order}`);
    expect(own.status).toBe(200);
    expect((await t.call('GET', ORDERS)).body.map((o: { id: string }) => o.id)).toContain(acme.order);
    expect(acme.service).toBeDefined();
    expect((await t.call('GET', `/tmf-api/serviceInventory/v4/service/${acme.service}`)).status).toBe(200);
  });

  it('shows globex nothing of acme on any list or single read, and refuses naming acme as the target tenant', async () => {
    const secrets = Object.values(acme);
    const leaks: string[] = [];
    let checked = 0;
    for (const route of readRoutes) {
      // Route modules not mounted by this runtime (yet) answer 404 "no route" to anyone.
      const probe = await t.call('GET', route.replace(':id', 'x'));
      if (probe.status === 404 && String(probe.body?.message).startsWith('no route')) continue;
      checked++;
      const ids = route.includes(':id') ? secrets : [''];
      for (const id of ids) {
        const path = route.replace(':id', encodeURIComponent(id));
        const res = await t.call('GET', path, undefined, { authorization: `Bearer ${OTHER_TENANT_KEY}` });
        const text = JSON.stringify(res.body ?? '');
        if (res.status >= 500) leaks.push(`${path}: ${res.status}`);
        if (res.status < 300 && secrets.some((s) => text.includes(s))) leaks.push(`${path}: ${res.status} shows acme data`);
        if (route.includes(':id') && res.status === 200) leaks.push(`${path}: 200 for acme's record`);
      }
      const targeted = await t.call('GET', route.replace(':id', acme.order!), undefined, { authorization: `Bearer ${OTHER_TENANT_KEY}`, 'Junction-Tenant': 'acme' });
      if (targeted.status !== 403) leaks.push(`${route} naming tenant acme: ${targeted.status}, expected 403`);
    }
    expect(leaks).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it("keeps hub subscriptions apart: globex cannot remove acme's subscription, acme can", async () => {
    const hub = '/tmf-api/serviceOrdering/v4/hub';
    const sub = await t.call('POST', hub, { callback: 'https://hooks.example.com/acme-isolation' });
    expect(sub.status).toBe(201);
    const other = await t.call('DELETE', `${hub}/${sub.body.id}`, undefined, { authorization: `Bearer ${OTHER_TENANT_KEY}` });
    expect(other.status).toBe(404);
    const targeted = await t.call('DELETE', `${hub}/${sub.body.id}`, undefined, { authorization: `Bearer ${OTHER_TENANT_KEY}`, 'Junction-Tenant': 'acme' });
    expect(targeted.status).toBe(403);
    const stored = await t.database.db.selectFrom('hub_subscriptions').select('tenant').where('id', '=', sub.body.id).executeTakeFirst();
    expect(stored).toEqual({ tenant: 'acme' });
    expect((await t.call('DELETE', `${hub}/${sub.body.id}`)).status).toBe(204);
  });

  it('an unbound operator reads every tenant (or the one it names) but writes no order', async () => {
    const asOperator = (path: string, headers: Record<string, string> = {}) => t.call('GET', path, undefined, { authorization: `Bearer ${OPERATOR_KEY}`, ...headers });
    const single = await asOperator(`${ORDERS}/${acme.order}`);
    expect(single.status).toBe(200);
    expect(single.body.id).toBe(acme.order);
    // A globex order, so "every tenant" has two tenants in it.
    const globexOrder = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 100 }, 'SITE-A', 'globex-op'), { authorization: `Bearer ${OTHER_TENANT_KEY}` });
    const all = await asOperator(`${ORDERS}?limit=1000`);
    expect(all.status).toBe(200);
    const ids = all.body.map((o: { id: string }) => o.id);
    expect(ids).toEqual(expect.arrayContaining([acme.order, globexOrder.body.id]));
    const onlyAcme = await asOperator(`${ORDERS}?limit=1000`, { 'Junction-Tenant': 'acme' });
    expect(onlyAcme.body.map((o: { id: string }) => o.id)).toContain(acme.order);
    expect(onlyAcme.body.map((o: { id: string }) => o.id)).not.toContain(globexOrder.body.id);
    if (acme.service) expect((await asOperator(`/tmf-api/serviceInventory/v4/service/${acme.service}`)).status).toBe(200);
    if (acme.cancellation) expect((await asOperator(`/tmf-api/serviceOrdering/v4/cancelServiceOrder/${acme.cancellation}`)).status).toBe(200);
    // globex, bound to its tenant, still sees only its own, whatever it names.
    const globexView = await t.call('GET', `${ORDERS}?limit=1000`, undefined, { authorization: `Bearer ${OTHER_TENANT_KEY}` });
    expect(globexView.body.map((o: { id: string }) => o.id)).toEqual([globexOrder.body.id]);
    const write = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 10 }), { authorization: `Bearer ${OPERATOR_KEY}` });
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ error: 'forbidden', message: 'no role of principal noc (operator) may write orders' });
  });
});
