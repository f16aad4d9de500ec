import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_ID_HEADER, signWebhookPayload, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../gateway/hardening/webhooks.js';
import { createTestDatabase, silentLogger } from '../test/support/index.js';
import { deliverDue, fanOut } from './hub.js';
import { orderFor, startTestJunction, type TestJunction } from './testing.js';

const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';
const HUB = '/tmf-api/serviceOrdering/v4/hub';

interface Received {
  path: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

describe('TMF641 hub notifications', () => {
  let t: TestJunction;
  let server: Server;
  let base: string;
  const received: Received[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body, headers: req.headers });
        res.statusCode = req.url === '/broken' ? 500 : 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await startTestJunction({ hub: { intervalMs: 50, maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 50 } });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => server.close(r));
  });

  it('delivers signed events, in order per order, each with an event id', async () => {
    const sub = await t.call('POST', HUB, { callback: `${base}/ok` });
    expect(sub.status).toBe(201);
    expect(sub.body.secret).toMatch(/^[0-9a-f]{64}$/);
    const orders = await Promise.all([1, 2, 3].map(() => t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 100 }))));
    const ids = orders.map((o) => o.body.id as string);
    await t.waitForAll(ids);
    // Every order's last event is its completion; wait until all three have arrived.
    const completedArrived = () =>
      received.filter((r) => r.path === '/ok' && JSON.parse(r.body).event.serviceOrder.state === 'completed' && JSON.parse(r.body).eventType === 'ServiceOrderStateChangeEvent').length;
    for (let i = 0; i < 200 && completedArrived() < 3; i++) await new Promise((r) => setTimeout(r, 50));
    const ok = received.filter((r) => r.path === '/ok');
    for (const r of ok) {
      expect(r.headers[SIGNATURE_HEADER.toLowerCase()]).toBe(signWebhookPayload(sub.body.secret, String(r.headers[TIMESTAMP_HEADER.toLowerCase()]), r.body));
    }
    const eventIds = ok.map((r) => r.headers[EVENT_ID_HEADER.toLowerCase()]);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    for (const id of ids) {
      const events = ok.map((r) => JSON.parse(r.body)).filter((e) => e.event.serviceOrder.id === id);
      const seen = events.map((e) => `${e.eventType}:${e.event.serviceOrder.state}`);
      // The saga's milestones arrive while the order is in progress, between the two state changes.
      const milestones = seen.filter((e) => e.startsWith('ServiceOrderMilestoneEvent'));
      expect(milestones.length).toBeGreaterThan(0);
      expect(seen).toEqual([
        'ServiceOrderCreateEvent:acknowledged',
        'ServiceOrderStateChangeEvent:inProgress',
        ...milestones.map(() => 'ServiceOrderMilestoneEvent:inProgress'),
        'ServiceOrderStateChangeEvent:completed',
      ]);
    }
  });

  it('parks a subscription whose callback keeps failing, keeping its backlog; DELETE removes it', async () => {
    const sub = await t.call('POST', HUB, { callback: `${base}/broken`, query: 'eventType=ServiceOrderStateChangeEvent' });
    const order = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 100 }));
    await t.waitForAll([order.body.id]);
    let state = '';
    for (let i = 0; i < 100 && state !== 'parked'; i++) {
      const row = await t.database.db.selectFrom('hub_subscriptions').select('state').where('id', '=', sub.body.id).executeTakeFirstOrThrow();
      state = row.state;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe('parked');
    const backlog = await t.database.db.selectFrom('hub_outbox').select(['event_type', 'attempts']).where('subscription_id', '=', sub.body.id).where('status', '=', 'pending').orderBy('seq').execute();
    expect(backlog.map((b) => b.event_type)).toEqual(['ServiceOrderStateChangeEvent', 'ServiceOrderStateChangeEvent']);
    expect(backlog[0]!.attempts).toBe(3);
    expect(received.filter((r) => r.path === '/broken')).toHaveLength(3); // the head only: order kept
    expect((await t.call('DELETE', `${HUB}/${sub.body.id}`)).status).toBe(204);
    expect((await t.call('DELETE', `${HUB}/${sub.body.id}`)).status).toBe(404);
    const bad = await t.call('POST', HUB, { callback: 'not a url' });
    expect(bad.status).toBe(400);
    expect(bad.body.reason).toBe('invalid field callback');
  });

  it('fans service-problem events out to the tenant named in them, keyed by problem for ordering', async () => {
    const sub = await t.call('POST', HUB, { callback: `${base}/problems`, query: 'eventType=ServiceProblemCreateEvent' });
    expect(sub.status).toBe(201);
    const event = { eventId: 'evt-problem-1', eventType: 'ServiceProblemCreateEvent', event: { serviceProblem: { id: 'P-1' } } };
    const db = t.database.db;
    expect(await fanOut(db, [{ eventType: 'ServiceProblemCreateEvent', event: event as never, tenant: 'acme', problemId: 'P-1' }])).toBe(2); // this subscription and the catch-all /ok one
    expect(await fanOut(db, [{ eventType: 'ServiceProblemCreateEvent', event: event as never, tenant: 'other-tenant', problemId: 'P-1' }])).toBe(0);
    expect(await fanOut(db, [{ eventType: 'ServiceProblemCreateEvent', event: event as never }])).toBe(0); // no tenant, no key: dropped
    const rows = await db.selectFrom('hub_outbox').select(['order_id', 'event_id']).where('subscription_id', '=', sub.body.id).execute();
    expect(rows).toEqual([{ order_id: 'problem:P-1', event_id: 'evt-problem-1' }]);
  });

  it('refuses callbacks the webhook rules forbid: at subscription what needs no DNS, at delivery the address connected to', async () => {
    const withCredentials = await t.call('POST', HUB, { callback: 'https://user:secret@hooks.example.com/x' });
    expect(withCredentials.status).toBe(400);
    expect(withCredentials.body).toMatchObject({ code: 'invalidField', reason: 'invalid field callback', message: 'callback: callback URLs may not carry credentials' });
    expect(await t.database.db.selectFrom('hub_subscriptions').select('id').where('callback', 'like', '%user:secret%').execute()).toEqual([]);

    // `localhost` passes the subscription check (a name), but the delivery connects to loopback:
    // with rules that do not allow private targets it is refused there and retried later.
    // (On a database of its own: the running hub, which allows loopback, must not deliver it first.)
    const port = new URL(base).port;
    const own = await createTestDatabase();
    try {
      const db = own.db;
      await db.insertInto('hub_subscriptions').values({ id: 'sub-strict', tenant: 'acme', callback: `http://localhost:${port}/strict`, query: null, secret: 's' }).execute();
      await db.insertInto('hub_outbox').values({ subscription_id: 'sub-strict', order_id: 'o-strict', event_id: 'evt-strict-1', event_type: 'ServiceOrderStateChangeEvent', body: JSON.stringify({ eventId: 'evt-strict-1' }) }).execute();
      const strict = { intervalMs: 50, maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 10, timeoutMs: 1_000, rules: { allowHttp: true } };
      expect(await deliverDue(db, silentLogger(), strict)).toBe(0);
      const row = await db.selectFrom('hub_outbox').select(['status', 'attempts', 'last_error']).where('event_id', '=', 'evt-strict-1').executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringMatching(/^callback host localhost resolves to (127\.0\.0\.1|::1), a private or loopback address$/) });
      expect(received.filter((r) => r.path === '/strict')).toEqual([]);
      // The same row, with loopback allowed, is delivered.
      await db.updateTable('hub_outbox').set({ next_attempt_at: new Date(0) }).where('event_id', '=', 'evt-strict-1').execute();
      expect(await deliverDue(db, silentLogger(), { ...strict, rules: { allowHttp: true, allowPrivate: true } })).toBe(1);
      expect(received.filter((r) => r.path === '/strict')).toHaveLength(1);
    } finally {
      await own.drop();
    }
  });
});
