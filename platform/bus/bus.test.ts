import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBus, type TestBus } from '../../test/support/index.js';
import { ensureConsumer, ensureStream, ensureTopology } from './bus.js';
import { startConsumer } from './consume.js';
import { silentLogger } from '../../test/support/index.js';
import { CORRELATION_ID_HEADER, MESSAGE_ID_HEADER } from './subjects.js';

describe('bus', () => {
  let a: TestBus;
  let b: TestBus;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestBus(), createTestBus()]);
  });
  afterAll(async () => {
    await Promise.all([a?.cleanup(), b?.cleanup()]);
  });

  it('declares namespaced streams and consumers, idempotently', async () => {
    await ensureTopology(a.bus.jsm, a.bus.topology); // second declaration: no error, no change
    const names: string[] = [];
    for await (const n of a.bus.jsm.streams.names()) if (n.startsWith(`${a.namespace}_`)) names.push(n);
    expect(names.sort()).toEqual(
      ['dead_letters', 'decisions', 'network', 'notifications', 'orders'].map((s) => `${a.namespace}_${s}`),
    );
    const info = await a.bus.jsm.streams.info(a.bus.topology.streams.orders.name);
    expect(info.config.subjects).toEqual([`${a.namespace}.orders.>`, `${a.namespace}.customers.>`]);
    const consumer = await a.bus.jsm.consumers.info(
      a.bus.topology.streams.orders.name,
      a.bus.topology.consumers.orchestratorOrders.name,
    );
    expect(consumer.config.ack_policy).toBe('explicit');
    expect(consumer.config.filter_subject).toBe(`${a.namespace}.orders.intake.>`);
  });

  it('brings an existing stream and consumer to a changed declaration', async () => {
    const stream = { ...a.bus.topology.streams.decisions, description: 'changed description' };
    await ensureStream(a.bus.jsm, stream);
    expect((await a.bus.jsm.streams.info(stream.name)).config.description).toBe('changed description');
    const consumer = { ...a.bus.topology.consumers.orchestratorNetwork, maxDeliver: 3, ackWaitMs: 5_000 };
    await ensureConsumer(a.bus.jsm, consumer);
    const info = await a.bus.jsm.consumers.info(consumer.stream, consumer.name);
    // maxDeliver is enforced by the consumer loop (dead letters); the server never gives up a message.
    expect(info.config.max_deliver).toBe(-1);
    expect(info.config.ack_wait).toBe(5_000 * 1_000_000);
    await ensureTopology(a.bus.jsm, a.bus.topology); // and back
    expect((await a.bus.jsm.consumers.info(consumer.stream, consumer.name)).config.ack_wait).toBe(30_000 * 1_000_000);
  });

  it('sets Nats-Msg-Id and the correlation id on published messages', async () => {
    const ack = await a.bus.publish(a.bus.subjects.decisions.recorded, { decision: 'allow' }, {
      messageId: 'decision-1',
      correlationId: 'req-123',
    });
    const stored = await a.bus.jsm.streams.getMessage(a.bus.topology.streams.decisions.name, { seq: ack.seq });
    expect(stored?.header.get(MESSAGE_ID_HEADER)).toBe('decision-1');
    expect(stored?.header.get(CORRELATION_ID_HEADER)).toBe('req-123');
    expect(stored?.json()).toEqual({ decision: 'allow' });
  });

  it('drops a re-published message with the same message id', async () => {
    const subject = a.bus.subjects.notifications.outbound;
    const first = await a.bus.publish(subject, { n: 1 }, { messageId: 'same' });
    const again = await a.bus.publish(subject, { n: 1 }, { messageId: 'same' });
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(first.seq);
    const info = await a.bus.jsm.streams.info(a.bus.topology.streams.notifications.name);
    expect(info.state.messages).toBe(1);
  });

  it('keeps namespaces apart on one server', async () => {
    await a.bus.publish(a.bus.subjects.orders.received, { id: 'only-in-a' }, { messageId: 'iso-1' });
    const bInfo = await b.bus.jsm.streams.info(b.bus.topology.streams.orders.name);
    expect(bInfo.state.messages).toBe(0);
    const aInfo = await a.bus.jsm.streams.info(a.bus.topology.streams.orders.name);
    expect(aInfo.state.messages).toBe(1);
  });

  it('answers its readiness check', async () => {
    await expect(a.bus.check()).resolves.toBeUndefined();
  });

  it('terminates a message that is not JSON instead of redelivering it, and hands the next one on', async () => {
    const spec = a.bus.topology.consumers.orchestratorNetwork;
    await a.bus.js.publish(a.bus.subjects.network.event, 'not json {', { msgID: 'bad-1' });
    await a.bus.publish(a.bus.subjects.network.event, { kind: 'alarm' }, { messageId: 'good-1' });
    const seen: unknown[] = [];
    let gotGood!: () => void;
    const done = new Promise<void>((r) => (gotGood = r));
    const running = await startConsumer(a.bus, spec, async (m) => {
      seen.push(m.data);
      gotGood();
    }, silentLogger());
    await done;
    await running.stop();
    expect(seen).toEqual([{ kind: 'alarm' }]);
    const info = await a.bus.jsm.consumers.info(spec.stream, spec.name);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
  });

  it('redelivers a message whose handler failed, after the retry delay', async () => {
    const spec = b.bus.topology.consumers.orchestratorOrders;
    await b.bus.publish(b.bus.subjects.orders.cancelRequested, { orderId: 'o-9' }, { messageId: 'cancel-1' });
    const deliveries: number[] = [];
    let succeeded!: () => void;
    const done = new Promise<void>((r) => (succeeded = r));
    const running = await startConsumer(
      b.bus,
      spec,
      async (m) => {
        deliveries.push(m.deliveryCount);
        if (m.deliveryCount === 1) throw new Error('transient failure');
        succeeded();
      },
      silentLogger(),
      { retryDelayMs: 200 },
    );
    await done;
    await running.stop();
    expect(deliveries).toEqual([1, 2]);
    const info = await b.bus.jsm.consumers.info(spec.stream, spec.name);
    expect(info.num_ack_pending).toBe(0);
  });
});
