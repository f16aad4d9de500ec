// The operator dead-letter API end to end: real NATS, Postgres and the shipped authorization
// policy. A handler that always fails ends in the dead-letter stream after maxDeliver, is listed,
// retried once the fault is fixed, and processed by its consumer (and only by it).
import { resolve } from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsumer } from '../../platform/bus/bus.js';
import { startConsumer, type RunningConsumer } from '../../platform/bus/consume.js';
import { idempotentHandler } from '../../platform/bus/idempotent.js';
import type { ConsumerSpec } from '../../platform/bus/subjects.js';
import type { ApiKey } from '../../platform/config.js';
import { createMetrics } from '../../platform/metrics.js';
import type { PolicyEngine } from '../../policies/engine/index.js';
import { createTestBus, createTestDatabase, silentLogger, type TestBus, type TestDatabase, until, ROLE_KEYS } from '../../test/support/index.js';
import { createAccessControl } from '../access.js';
import { createGatewayApp } from '../app.js';
import { buildAuthzBundle, createAuthzEngine, policyAuthorizer } from '../auth/policy-authorizer.js';
import type { GatewayEnv } from '../context.js';
import { prepareOperations, type Operations } from './index.js';

const logger = silentLogger();
const KEYS: ApiKey[] = Object.values(ROLE_KEYS);
const [OPERATOR, BSS, AUDITOR, NETWORK] = [ROLE_KEYS.operator.key, ROLE_KEYS.bss.key, ROLE_KEYS.auditor.key, ROLE_KEYS.network.key];
const BASE = '/operations/v1/dead-letters';


interface DeadLetterBody {
  id: string;
  href: string;
  status: string;
  consumer: string;
  subject: string;
  messageId: string;
  deliveryCount: number;
  reason: string;
  error: string;
  payload: { encoding: string; data: unknown };
  retryMessageId: string | null;
  resolvedBy: string | null;
  note: string | null;
}

describe('operator dead-letter API', () => {
  let tb: TestBus;
  let tdb: TestDatabase;
  let engine: PolicyEngine;
  let operations: Operations;
  const metrics = createMetrics({ processMetrics: false });
  let app: Hono<GatewayEnv>;
  const consumers: RunningConsumer[] = [];
  let failing: ConsumerSpec & { subject: string };
  let bystander: ConsumerSpec;
  /** The fault the failing consumer's handler runs into, until an operator "fixes" it. */
  let broken = true;
  const calls = { failing: 0, bystander: 0 };

  const call = (method: string, path: string, key: string, body?: string) =>
    app.request(path, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body } : {}) });
  const list = async (query: string, key = OPERATOR) => {
    const res = await call('GET', `${BASE}?${query}`, key);
    expect(res.status).toBe(200);
    return { total: Number(res.headers.get('X-Total-Count')), items: (await res.json()) as DeadLetterBody[] };
  };

  beforeAll(async () => {
    [tb, tdb] = await Promise.all([createTestBus(), createTestDatabase()]);
    engine = await createAuthzEngine(await buildAuthzBundle(resolve(import.meta.dirname, '../../policies/rego')));
    operations = await prepareOperations({ db: tdb.db, bus: tb.bus, logger, metrics, recorder: true });
    app = createGatewayApp({
      logger,
      access: createAccessControl(KEYS, { authorizer: policyAuthorizer({ engine, publish: async () => undefined, logger }) }),
      metrics,
      bus: tb.bus,
      readiness: async () => ({ ready: true, checks: {} }),
      routes: operations.routes,
    });
    // Two consumers of one subject: one whose handler fails (until fixed), one that always succeeds.
    const subject = `${tb.namespace}.orders.test_work`;
    const base = { stream: tb.bus.topology.streams.orders.name, description: 'dead-letter API test', filterSubject: subject, ackWaitMs: 5_000 };
    failing = { ...base, subject, name: `${tb.namespace}_failing`, maxDeliver: 2 };
    bystander = { ...base, name: `${tb.namespace}_bystander`, maxDeliver: 2 };
    await ensureConsumer(tb.bus.jsm, failing);
    await ensureConsumer(tb.bus.jsm, bystander);
    const effect = idempotentHandler(tdb.db, failing.name, async () => {
      calls.failing++;
      if (broken) throw new Error('billing system refused the record');
    });
    consumers.push(await startConsumer(tb.bus, failing, effect, logger, { retryDelayMs: 20, metrics }));
    consumers.push(await startConsumer(tb.bus, bystander, async () => void calls.bystander++, logger, { retryDelayMs: 20 }));
  }, 60_000);

  afterAll(async () => {
    for (const c of consumers) await c.stop();
    await operations?.close();
    await engine?.close();
    await Promise.all([tb?.cleanup(), tdb?.drop()]);
  });

  let deadId = '';

  it('lists a message whose handler failed maxDeliver times, filtered by consumer and subject', async () => {
    await tb.bus.publish(failing.subject, { record: 'r-1' }, { messageId: 'work:r-1', correlationId: 'req-9' });
    const { items, total } = await until('the dead letter to be listed', async () => {
      const r = await list(`consumer=${failing.name}`);
      return r.total > 0 && r;
    });
    expect(total).toBe(1);
    const d = items[0]!;
    deadId = d.id;
    expect(d).toMatchObject({
      status: 'pending',
      consumer: failing.name,
      subject: failing.subject,
      messageId: 'work:r-1',
      deliveryCount: 2,
      reason: 'handler_failed',
      error: 'billing system refused the record',
      payload: { encoding: 'json', data: { record: 'r-1' } },
      retryMessageId: null,
      '@type': 'DeadLetter',
    });
    expect(calls).toEqual({ failing: 2, bystander: 1 });
    expect((await list(`subject=${encodeURIComponent(failing.subject)}&status=pending`)).total).toBe(1);
    expect((await list(`consumer=${bystander.name}`)).total).toBe(0);
    expect((await list('status=retried')).total).toBe(0);

    const scraped = await (await call('GET', '/metrics', OPERATOR)).text();
    expect(scraped).toContain(`junction_dead_letters_pending{consumer="${failing.name}"} 1`);
    expect(scraped).toContain(`junction_dead_letters_total{consumer="${failing.name}",reason="handler_failed"} 1`);

    const one = await call('GET', d.href, OPERATOR);
    expect(one.status).toBe(200);
    expect(((await one.json()) as DeadLetterBody).id).toBe(d.id);
  });

  it('refuses every other role', async () => {
    for (const key of [BSS, AUDITOR, NETWORK]) {
      expect((await call('GET', BASE, key)).status).toBe(403);
      expect((await call('GET', `${BASE}/${encodeURIComponent(deadId)}`, key)).status).toBe(403);
      expect((await call('POST', `${BASE}/${encodeURIComponent(deadId)}/retry`, key)).status).toBe(403);
      expect((await call('POST', `${BASE}/${encodeURIComponent(deadId)}/discard`, key)).status).toBe(403);
    }
    expect((await call('GET', BASE, 'no-such-key-0123456789')).status).toBe(401);
    const row = await tdb.db.selectFrom('dead_letters').select('status').where('id', '=', deadId).executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
  });

  it('retries it to its own consumer only, which now processes it; a repeated retry republishes nothing', async () => {
    broken = false;
    const href = `${BASE}/${encodeURIComponent(deadId)}`;
    const res = await call('POST', `${href}/retry`, OPERATOR, JSON.stringify({ note: 'billing fixed' }));
    expect(res.status).toBe(200);
    const retried = (await res.json()) as DeadLetterBody;
    expect(retried).toMatchObject({ status: 'retried', resolvedBy: 'noc', note: 'billing fixed', retryMessageId: `retry:${deadId}` });

    // Processed by the failing consumer under the original message id (its ledger row); the bystander is not run again.
    await until('the retry to be processed', async () => (await tdb.db.selectFrom('processed_messages').selectAll().where('consumer', '=', failing.name).execute()).length > 0);
    const ledger = await tdb.db.selectFrom('processed_messages').select(['message_id']).where('consumer', '=', failing.name).execute();
    expect(ledger).toEqual([{ message_id: 'work:r-1' }]);
    for (const spec of [failing, bystander]) {
      await until(`${spec.name} to settle`, async () => {
        const info = await tb.bus.jsm.consumers.info(spec.stream, spec.name);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      });
    }
    expect(calls).toEqual({ failing: 3, bystander: 1 });

    const before = (await tb.bus.jsm.streams.info(failing.stream)).state.messages;
    const again = await call('POST', `${href}/retry`, OPERATOR);
    expect(again.status).toBe(200);
    expect(((await again.json()) as DeadLetterBody).retryMessageId).toBe(`retry:${deadId}`);
    expect((await tb.bus.jsm.streams.info(failing.stream)).state.messages).toBe(before);
    expect((await list('status=retried')).items.map((d) => d.id)).toEqual([deadId]);
    expect(await (await call('GET', '/metrics', OPERATOR)).text()).not.toContain(`junction_dead_letters_pending{consumer="${failing.name}"}`);

    const discard = await call('POST', `${href}/discard`, OPERATOR);
    expect(discard.status).toBe(409);
    expect(await discard.json()).toMatchObject({ code: 'invalidState', status: '409', '@type': 'Error' });
  });

  it('lands an undecodable payload in the dead letters, and discards it idempotently', async () => {
    await tb.bus.js.publish(failing.subject, 'not json {', { msgID: 'raw-7' });
    const d = await until('the undecodable dead letter', async () => (await list(`consumer=${failing.name}&status=pending`)).items[0]);
    expect(d).toMatchObject({ reason: 'undecodable', messageId: 'raw-7', payload: { encoding: 'base64', data: Buffer.from('not json {').toString('base64') } });
    const discard = await call('POST', `${d.href}/discard`, OPERATOR, JSON.stringify({ note: 'garbage from a test tool' }));
    expect(discard.status).toBe(200);
    expect(await discard.json()).toMatchObject({ status: 'discarded', note: 'garbage from a test tool' });
    expect((await call('POST', `${d.href}/discard`, OPERATOR)).status).toBe(200);
    const retry = await call('POST', `${d.href}/retry`, OPERATOR);
    expect(retry.status).toBe(409);
    expect(await retry.json()).toMatchObject({ code: 'invalidState', reason: `dead letter ${d.id} is discarded` });
  });

  it('answers bad input with a TMF Error naming the field', async () => {
    const bad = async (res: Response, status: number, field: string) => {
      expect(res.status).toBe(status);
      const body = (await res.json()) as { code: string; message: string; '@type': string };
      expect(body['@type']).toBe('Error');
      expect(body.message).toContain(field);
    };
    await bad(await call('GET', `${BASE}?status=lost`, OPERATOR), 400, 'status');
    await bad(await call('GET', `${BASE}?limit=0`, OPERATOR), 400, 'limit');
    await bad(await call('GET', `${BASE}?offset=-1`, OPERATOR), 400, 'offset');
    await bad(await call('GET', `${BASE}?consumer=a%00b`, OPERATOR), 400, 'consumer');
    await bad(await call('GET', `${BASE}/a%00b`, OPERATOR), 404, 'no dead letter');
    await bad(await call('POST', `${BASE}/${encodeURIComponent(deadId)}/retry`, OPERATOR, '{"force": true}'), 400, 'force');
    await bad(await call('POST', `${BASE}/${encodeURIComponent(deadId)}/retry`, OPERATOR, '{"note": 7}'), 400, 'note');
    await bad(await call('POST', `${BASE}/${encodeURIComponent(deadId)}/discard`, OPERATOR, '{not json'), 400, 'JSON');
    await bad(await call('GET', `${BASE}/nope`, OPERATOR), 404, 'nope');
    // A dead letter whose subject no stream takes any more: the retry fails and it stays pending.
    await tdb.db
      .insertInto('dead_letters')
      .values({ id: 'gone:1:c', consumer: 'c', stream: 'gone', stream_seq: 1, subject: `${tb.namespace}.nowhere.x`, message_id: 'm-1', correlation_id: null, headers: '{}', payload_encoding: 'json', payload: '{}', delivery_count: 2, reason: 'handler_failed', error: 'x', dead_at: new Date() })
      .execute();
    await bad(await call('POST', `${BASE}/gone%3A1%3Ac/retry`, OPERATOR), 503, 'retry failed');
    expect((await tdb.db.selectFrom('dead_letters').select('status').where('id', '=', 'gone:1:c').executeTakeFirstOrThrow()).status).toBe('pending');
    await bad(await call('POST', `${BASE}/nope/retry`, OPERATOR), 404, 'nope');
  });
});
