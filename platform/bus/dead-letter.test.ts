// The consumer loop's dead letters against the real NATS and Postgres: a handler that keeps
// failing, an undecodable payload, and a dead-letter stream that is down (nothing may be lost).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBus, createTestDatabase, silentLogger, type TestBus, type TestDatabase, until } from '../../test/support/index.js';
import { createMetrics } from '../metrics.js';
import { ensureConsumer, ensureStream } from './bus.js';
import { startBatchConsumer } from './batch-consume.js';
import { startConsumer, type BusMessage, type RunningConsumer } from './consume.js';
import { deadLetterRecordSchema, type DeadLetterRecord } from './dead-letter.js';
import { getDeadLetter, startDeadLetterRecorder } from './dead-letter-store.js';
import type { ConsumerSpec } from './subjects.js';

const logger = silentLogger();


describe('dead letters from the consumer loop', () => {
  let tb: TestBus;
  let tdb: TestDatabase;
  let recorder: RunningConsumer;
  const metrics = createMetrics({ processMetrics: false });

  beforeAll(async () => {
    [tb, tdb] = await Promise.all([createTestBus(), createTestDatabase()]);
    recorder = await startDeadLetterRecorder({ db: tdb.db, bus: tb.bus, logger });
  });
  afterAll(async () => {
    await recorder?.stop();
    await Promise.all([tb?.cleanup(), tdb?.drop()]);
  });

  /** A durable consumer of its own subject in the orders stream, giving up after `maxDeliver`. */
  async function consumerOf(name: string, maxDeliver: number): Promise<ConsumerSpec & { subject: string }> {
    const subject = `${tb.namespace}.orders.test_${name}`;
    const spec = { subject, stream: tb.bus.topology.streams.orders.name, name: `${tb.namespace}_${name}`, description: 'dead-letter test', filterSubject: subject, ackWaitMs: 5_000, maxDeliver };
    await ensureConsumer(tb.bus.jsm, spec);
    return spec;
  }

  async function deadLetterOf(id: string): Promise<DeadLetterRecord | undefined> {
    const stored = await tb.bus.jsm.streams.getMessage(tb.bus.topology.streams.deadLetters.name, { last_by_subj: tb.bus.subjects.deadLetters.of(id.split(':')[2]!) }).catch(() => null);
    if (!stored) return undefined;
    const record = deadLetterRecordSchema.parse(stored.json());
    return record.id === id ? record : undefined;
  }

  async function settled(spec: ConsumerSpec) {
    const info = await tb.bus.jsm.consumers.info(spec.stream, spec.name);
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  }

  it('dead-letters a message whose handler failed on its last allowed delivery, then terminates it', async () => {
    const spec = await consumerOf('always_fails', 3);
    const ack = await tb.bus.publish(spec.subject, { orderId: 'o-1' }, { messageId: 'order:o-1:x', correlationId: 'req-1' });
    const deliveries: number[] = [];
    let died!: () => void;
    const gaveUp = new Promise<void>((r) => (died = r));
    const running = await startConsumer(
      tb.bus,
      spec,
      async (m: BusMessage) => {
        deliveries.push(m.deliveryCount);
        if (m.deliveryCount === 3) setTimeout(died, 0);
        throw new Error(`downstream refused o-1 (attempt ${m.deliveryCount})`);
      },
      logger,
      { retryDelayMs: 20, metrics },
    );
    await gaveUp;
    const id = `${spec.stream}:${ack.seq}:${spec.name}`;
    const record = await until('the dead letter', () => deadLetterOf(id));
    await until('the original to be settled', async () => (await settled(spec)).ackPending === 0);
    await running.stop();

    expect(deliveries).toEqual([1, 2, 3]);
    expect(record).toMatchObject({
      consumer: spec.name,
      stream: spec.stream,
      streamSeq: ack.seq,
      subject: spec.subject,
      messageId: 'order:o-1:x',
      correlationId: 'req-1',
      payload: { encoding: 'json', data: { orderId: 'o-1' } },
      deliveryCount: 3,
      reason: 'handler_failed',
      error: 'downstream refused o-1 (attempt 3)',
    });
    expect(record.headers['Nats-Msg-Id']).toBe('order:o-1:x');
    expect(await settled(spec)).toEqual({ pending: 0, ackPending: 0 });
    // The recorder copies it into Postgres as pending.
    const row = await until('the recorded dead letter', () => getDeadLetter(tdb.db, id));
    expect(row).toMatchObject({ status: 'pending', consumer: spec.name, delivery_count: 3, payload_encoding: 'json', payload: { orderId: 'o-1' } });
    const text = await metrics.registry.metrics();
    expect(text).toContain(`junction_dead_letters_total{consumer="${spec.name}",reason="handler_failed"} 1`);
    expect(text).toContain(`junction_bus_messages_total{consumer="${spec.name}",outcome="dead_lettered"} 1`);
  });

  it('dead-letters an undecodable payload with its bytes in base64, without running the handler', async () => {
    const spec = await consumerOf('undecodable', 5);
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0x00, 0x6e, 0x6f]); // '{"' + invalid UTF-8 + NUL + 'no'
    const ack = await tb.bus.js.publish(spec.subject, bytes, { msgID: 'raw-1' });
    let calls = 0;
    const running = await startConsumer(tb.bus, spec, async () => void calls++, logger, { retryDelayMs: 20 });
    const id = `${spec.stream}:${ack.seq}:${spec.name}`;
    const row = await until('the recorded dead letter', () => getDeadLetter(tdb.db, id));
    await until('the original to be settled', async () => (await settled(spec)).ackPending === 0);
    await running.stop();
    expect(calls).toBe(0);
    expect(row).toMatchObject({ reason: 'undecodable', payload_encoding: 'base64', delivery_count: 1, message_id: 'raw-1' });
    expect(Buffer.from(row.payload as string, 'base64')).toEqual(Buffer.from(bytes));
    expect(row.error).toMatch(/not JSON/);
  });

  it('naks instead of terminating while the dead-letter stream is down, and dead-letters once it is back', async () => {
    const spec = await consumerOf('dlq_down', 1);
    const dlq = tb.bus.topology.streams.deadLetters;
    await recorder.stop(); // its consumer goes with the stream
    await tb.bus.jsm.streams.delete(dlq.name);
    try {
      const ack = await tb.bus.publish(spec.subject, { orderId: 'o-3' }, { messageId: 'order:o-3:x' });
      const deliveries: number[] = [];
      let thirdSeen!: () => void;
      const third = new Promise<void>((r) => (thirdSeen = r));
      const running = await startConsumer(
        tb.bus,
        spec,
        async (m) => {
          deliveries.push(m.deliveryCount);
          if (m.deliveryCount === 3) thirdSeen();
          throw new Error('still failing');
        },
        logger,
        { retryDelayMs: 20 },
      );
      // Past maxDeliver (1) the message keeps coming back: its dead letter could not be stored.
      await third;
      await ensureStream(tb.bus.jsm, dlq);
      const id = `${spec.stream}:${ack.seq}:${spec.name}`;
      const record = await until('the dead letter', () => deadLetterOf(id));
      await until('the original to be settled', async () => (await settled(spec)).ackPending === 0);
      await running.stop();
      expect(deliveries.slice(0, 3)).toEqual([1, 2, 3]);
      expect(record.deliveryCount).toBeGreaterThanOrEqual(3);
      expect(record.deliveryCount).toBe(deliveries.at(-1));
      expect(await settled(spec)).toEqual({ pending: 0, ackPending: 0 });
    } finally {
      await ensureStream(tb.bus.jsm, dlq);
      await ensureConsumer(tb.bus.jsm, tb.bus.topology.consumers.deadLetterRecorder);
      recorder = await startDeadLetterRecorder({ db: tdb.db, bus: tb.bus, logger });
    }
  });

  it('records a dead letter once however often it is published, and keeps what operators did with it', async () => {
    const spec = await consumerOf('twice', 1);
    const ack = await tb.bus.publish(spec.subject, { n: 1 }, { messageId: 'twice-1' });
    const running = await startConsumer(tb.bus, spec, async () => Promise.reject(new Error('no')), logger, { retryDelayMs: 20 });
    const id = `${spec.stream}:${ack.seq}:${spec.name}`;
    const record = await until('the dead letter', () => deadLetterOf(id));
    await running.stop();
    await until('the recorded dead letter', () => getDeadLetter(tdb.db, id));
    await tdb.db.updateTable('dead_letters').set({ status: 'discarded' }).where('id', '=', id).execute();
    // Published again after the stream's duplicate window would have passed: a new stream message, same id.
    const again = await tb.bus.publish(tb.bus.subjects.deadLetters.of(spec.name), record, { messageId: 'dead-letter-republished' });
    await until('the republished record to be consumed', async () => {
      const info = await tb.bus.jsm.consumers.info(tb.bus.topology.streams.deadLetters.name, tb.bus.topology.consumers.deadLetterRecorder.name);
      return info.delivered.stream_seq >= again.seq && info.num_ack_pending === 0;
    });
    const rows = await tdb.db.selectFrom('dead_letters').selectAll().where('consumer', '=', spec.name).execute();
    expect(rows.map((r) => [r.id, r.status])).toEqual([[id, 'discarded']]);
  });

  it('a batch consumer isolates the poison message: the rest of its batch is handled, the poison dead-lettered', async () => {
    const spec = await consumerOf('batch_poison', 2);
    const acks = [];
    for (const n of [1, 2, 3, 4]) acks.push(await tb.bus.publish(spec.subject, { n, poison: n === 3 }, { messageId: `batch-${n}` }));
    const handled: number[] = [];
    const running = await startBatchConsumer(
      tb.bus,
      spec,
      async (messages) => {
        const data = messages.map((m) => m.data as { n: number; poison: boolean });
        if (data.some((d) => d.poison)) throw new Error('cannot handle n=3');
        handled.push(...data.map((d) => d.n));
      },
      logger,
      { maxBatch: 10, retryDelayMs: 20 },
    );
    const id = `${spec.stream}:${acks[2]!.seq}:${spec.name}`;
    const record = await until('the poison dead letter', () => deadLetterOf(id));
    await until('the consumer to be settled', async () => {
      const s = await settled(spec);
      return s.pending === 0 && s.ackPending === 0;
    });
    await running.stop();
    expect(record).toMatchObject({ reason: 'handler_failed', error: 'cannot handle n=3', deliveryCount: 2, payload: { encoding: 'json', data: { n: 3, poison: true } } });
    expect([...new Set(handled)].sort()).toEqual([1, 2, 4]);
  });
});
