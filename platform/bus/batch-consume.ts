/**
 * A durable pull consumer that hands its handler everything that has piled up (up to `maxBatch`)
 * instead of one message at a time, so the handler can commit many events in one transaction.
 * Idle, a message is handled alone at once; under a storm, batches form by themselves while the
 * previous one commits. Same rules as platform/bus/consume.ts: messages are acknowledged only after
 * the handler resolved (its work committed), and a message its consumer gives up on is
 * dead-lettered, never dropped. A failed batch is retried message by message at once, so one
 * poison message does not hold back the others: those that pass are acked, the one that fails is
 * nak'ed for redelivery, or dead-lettered once it has had `spec.maxDeliver` deliveries. The queue
 * is bounded, so a slow handler slows the pull instead of letting ack deadlines pass in memory.
 */
import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Bus } from './bus.js';
import { toBusMessage, type BusMessage, type RunningConsumer } from './consume.js';
import { deadLetterCounter, deadLetterer, errorText } from './dead-letter.js';
import type { ConsumerSpec } from './subjects.js';

export type BatchHandler = (messages: BusMessage[]) => Promise<void>;

export interface BatchConsumeOptions {
  maxBatch?: number;
  /** Messages held in memory (pulled ahead) at most. */
  prefetch?: number;
  retryDelayMs?: number;
  metrics?: Metrics;
  /**
   * After the first message of a batch, wait this long for more before handling it (default 0):
   * for handlers whose cost is per batch (a statement) and whose events are not urgent to the ms.
   */
  lingerMs?: number;
}

export async function startBatchConsumer(bus: Bus, spec: ConsumerSpec, handler: BatchHandler, logger: Logger, options: BatchConsumeOptions = {}): Promise<RunningConsumer> {
  const log = logger.child({ consumer: spec.name });
  const maxBatch = options.maxBatch ?? 256;
  const prefetch = Math.max(maxBatch, options.prefetch ?? 512);
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const lingerMs = options.lingerMs ?? 0;
  const consumer = await bus.js.consumers.get(spec.stream, spec.name);
  const messages = await consumer.consume({ max_messages: prefetch });
  const queue: Array<{ raw: JsMsg; message: BusMessage }> = [];
  let stopping = false;
  let readerDone = false;
  let wakeProcessor: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  const signal = (which: 'processor' | 'reader') => {
    const wake = which === 'processor' ? wakeProcessor : wakeReader;
    if (which === 'processor') wakeProcessor = undefined;
    else wakeReader = undefined;
    wake?.();
  };

  const giveUp = deadLetterer(bus, spec.name, { retryDelayMs, ...(options.metrics ? { counter: deadLetterCounter(options.metrics.registry) } : {}) });
  /** One message of a failed batch on its own: acked, nak'ed for later, or given up on. */
  const alone = async (b: { raw: JsMsg; message: BusMessage }) => {
    try {
      await handler([b.message]);
      b.raw.ack();
    } catch (err) {
      if (spec.maxDeliver > 0 && b.message.deliveryCount >= spec.maxDeliver) await giveUp(b.raw, 'handler_failed', errorText(err), b.message.log);
      else {
        b.message.log.warn({ err, deliveryCount: b.message.deliveryCount }, 'handler failed; message will be redelivered');
        b.raw.nak(retryDelayMs);
      }
    }
  };

  const reader = (async () => {
    try {
      for await (const m of messages) {
        if (stopping) break;
        const message = toBusMessage(m, log);
        if (message instanceof Error) {
          await giveUp(m, 'undecodable', message.message, log.child({ seq: m.seq, subject: m.subject }));
          continue;
        }
        queue.push({ raw: m, message });
        signal('processor');
        while (queue.length >= prefetch && !stopping) await new Promise<void>((r) => (wakeReader = r));
      }
    } catch (err) {
      log.error({ err }, 'consumer stopped receiving');
    } finally {
      readerDone = true;
      signal('processor');
    }
  })();

  const processor = (async () => {
    for (;;) {
      if (queue.length === 0) {
        if (stopping || readerDone) return;
        await new Promise<void>((r) => (wakeProcessor = r));
        continue;
      }
      if (stopping) return; // queued messages stay unacked: the server redelivers them
      if (lingerMs > 0 && queue.length < maxBatch) {
        await new Promise((r) => setTimeout(r, lingerMs));
        if (stopping) return;
      }
      const batch = queue.splice(0, maxBatch);
      signal('reader');
      try {
        await handler(batch.map((b) => b.message));
      } catch (err) {
        log.warn({ err, messages: batch.length }, 'batch handler failed; handling its messages one by one');
        for (const b of batch) await alone(b);
        continue;
      }
      // Work is committed; an ack lost on the way is absorbed by the handler's idempotency.
      for (const b of batch) b.raw.ack();
    }
  })();

  log.info({ stream: spec.stream, maxBatch }, 'batch consumer started');
  return {
    name: spec.name,
    async stop() {
      stopping = true;
      signal('reader');
      await messages.close();
      signal('processor');
      await Promise.all([reader, processor]);
      log.info('consumer stopped');
    },
  };
}
