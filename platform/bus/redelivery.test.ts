/**
 * At-least-once delivery + the dedupe ledger = an effect that happens once. A "process" receives a
 * message and crashes before acking (its connection dies); the server redelivers to another
 * process after ack_wait; the effect is counted exactly once.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBus, createTestDatabase, silentLogger, type TestBus, type TestDatabase } from '../../test/support/index.js';
import type { Database } from '../db/schema.js';
import type { Bus } from './bus.js';
import { ensureConsumer } from './bus.js';
import { startConsumer, toBusMessage, type BusMessage } from './consume.js';
import { idempotentHandler, processOnce } from './idempotent.js';
import type { ConsumerSpec } from './subjects.js';

const logger = silentLogger();

describe('redelivery after a crash', () => {
  let tb: TestBus;
  let tdb: TestDatabase;

  beforeAll(async () => {
    [tb, tdb] = await Promise.all([createTestBus(), createTestDatabase()]);
    // A deliberately non-idempotent effect: every application adds 1.
    await sql`create table order_effects (order_id text primary key, applied integer not null)`.execute(tdb.db);
  });
  afterAll(async () => {
    await Promise.all([tb?.cleanup(), tdb?.drop()]);
  });

  async function applyEffect(db: Kysely<Database>, orderId: string) {
    await sql`insert into order_effects (order_id, applied) values (${orderId}, 1)
              on conflict (order_id) do update set applied = order_effects.applied + 1`.execute(db);
  }
  async function appliedCount(orderId: string): Promise<number | undefined> {
    const r = await sql<{ applied: number }>`select applied from order_effects where order_id = ${orderId}`.execute(tdb.db);
    return r.rows[0]?.applied;
  }

  /**
   * A fresh durable consumer with a 1 s ack_wait, so the redelivery comes quickly, over a subject
   * of its own inside the orders stream, so each test sees only its message.
   */
  async function quickConsumer(name: string): Promise<ConsumerSpec & { subject: string }> {
    const subject = `${tb.namespace}.orders.test_${name}`;
    const spec = {
      subject,
      stream: tb.bus.topology.streams.orders.name,
      name: `${tb.namespace}_${name}`,
      description: 'redelivery test',
      filterSubject: subject,
      ackWaitMs: 1_000,
      maxDeliver: 5,
    };
    await ensureConsumer(tb.bus.jsm, spec);
    return spec;
  }

  /** Process B: a real consumer loop; resolves with the first message it handles. */
  async function recoverWith(bus: Bus, spec: ConsumerSpec) {
    let seen!: (m: BusMessage) => void;
    const handled = new Promise<BusMessage>((resolve) => (seen = resolve));
    const handler = idempotentHandler(tdb.db, spec.name, async (message, trx) => {
      await applyEffect(trx, (message.data as { orderId: string }).orderId);
    });
    const running = await startConsumer(bus, spec, async (m) => {
      await handler(m);
      seen(m);
    }, logger);
    return { running, handled };
  }

  async function settled(spec: ConsumerSpec) {
    const info = await tb.bus.jsm.consumers.info(spec.stream, spec.name);
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  }

  it('commits, crashes before the ack, and the redelivery has no second effect', async () => {
    const spec = await quickConsumer('crash_after_commit');
    await tb.bus.publish(spec.subject, { orderId: 'o-1' }, { messageId: 'order:o-1:received' });

    // Process A: receives, commits its effect + ledger row, then dies before acking.
    const processA = await tb.connectAgain();
    const received = await (await processA.js.consumers.get(spec.stream, spec.name)).next({ expires: 5_000 });
    expect(received).not.toBeNull();
    const first = toBusMessage(received!, logger);
    if (first instanceof Error) throw first;
    expect(first.deliveryCount).toBe(1);
    const outcome = await processOnce(tdb.db, spec.name, first, (trx) => applyEffect(trx, 'o-1'));
    expect(outcome).toBe('processed');
    await processA.nc.close(); // the crash: no ack was sent

    // Process B: gets the redelivery after ack_wait, finds the ledger row, acks without effect.
    const processB = await tb.connectAgain();
    const { running, handled } = await recoverWith(processB, spec);
    const redelivered = await handled;
    await running.stop();

    expect(redelivered.messageId).toBe('order:o-1:received');
    expect(redelivered.deliveryCount).toBe(2);
    expect(await appliedCount('o-1')).toBe(1);
    expect(await settled(spec)).toEqual({ pending: 0, ackPending: 0 });
  });

  it('crashes before the commit, and the redelivery applies the effect once', async () => {
    const spec = await quickConsumer('crash_before_commit');
    await tb.bus.publish(spec.subject, { orderId: 'o-2' }, { messageId: 'order:o-2:received' });

    const processA = await tb.connectAgain();
    const received = await (await processA.js.consumers.get(spec.stream, spec.name)).next({ expires: 5_000 });
    const first = toBusMessage(received!, logger);
    if (first instanceof Error) throw first;
    // The process dies mid-transaction: the effect and the ledger row roll back together.
    await expect(
      processOnce(tdb.db, spec.name, first, async (trx) => {
        await applyEffect(trx, 'o-2');
        throw new Error('simulated crash');
      }),
    ).rejects.toThrow('simulated crash');
    await processA.nc.close();
    expect(await appliedCount('o-2')).toBeUndefined();

    const processB = await tb.connectAgain();
    const { running, handled } = await recoverWith(processB, spec);
    const redelivered = await handled;
    await running.stop();

    expect(redelivered.deliveryCount).toBe(2);
    expect(await appliedCount('o-2')).toBe(1);
    expect(await settled(spec)).toEqual({ pending: 0, ackPending: 0 });
  });

  it('acks after a successful handler, so nothing is redelivered', async () => {
    const spec = await quickConsumer('happy_path');
    await tb.bus.publish(spec.subject, { orderId: 'o-3' }, { messageId: 'order:o-3:received' });
    const { running, handled } = await recoverWith(tb.bus, spec);
    const m = await handled;
    expect(m.deliveryCount).toBe(1);
    // Wait past ack_wait: an unacked message would come back and be counted in ack_pending.
    await new Promise((r) => setTimeout(r, 1_500));
    await running.stop();
    expect(await settled(spec)).toEqual({ pending: 0, ackPending: 0 });
    const ledger = await tdb.db.selectFrom('processed_messages').selectAll().where('consumer', '=', spec.name).execute();
    expect(ledger.map((r) => r.message_id)).toEqual(['order:o-3:received']);
  });
});
