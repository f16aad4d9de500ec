/**
 * A durable pull consumer that hands its handler everything that has piled up (up to `maxBatch`)
 * instead of one message at a time, so the handler can commit many events in one transaction.
 * Idle, a message is handled alone at once; under a storm, batches form by themselves while the
 * previous one commits. Same rule as platform/bus/consume.ts: messages are acknowledged only after
 * the handler resolved (its work committed); a failed batch is nak'ed for redelivery. The queue is
 * bounded, so a slow handler slows the pull instead of letting ack deadlines pass in memory.
 */
import type { JsMsg } from '@nats-io/jetstream';
import type { Bus } from '../../platform/bus/bus.js';
import { toBusMessage, type BusMessage, type RunningConsumer } from '../../platform/bus/consume.js';
import type { ConsumerSpec } from '../../platform/bus/subjects.js';
import type { Logger } from '../../platform/logger.js';

export type BatchHandler = (messages: BusMessage[]) => Promise<void>;

export interface BatchConsumeOptions {
  maxBatch?: number;
  /** Messages held in memory (pulled ahead) at most. */
  prefetch?: number;
  retryDelayMs?: number;
}

export async function startBatchConsumer(bus: Bus, spec: ConsumerSpec, handler: BatchHandler, logger: Logger, options: BatchConsumeOptions = {}): Promise<RunningConsumer> {
  const log = logger.child({ consumer: spec.name });
  const maxBatch = options.maxBatch ?? 256;
  const prefetch = Math.max(maxBatch, options.prefetch ?? 512);
  const retryDelayMs = options.retryDelayMs ?? 1_000;
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

  const reader = (async () => {
    try {
      for await (const m of messages) {
        if (stopping) break;
        const message = toBusMessage(m, log);
        if (message instanceof Error) {
          log.error({ seq: m.seq, err: message.message }, 'terminating undecodable message');
          m.term();
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
      const batch = queue.splice(0, maxBatch);
      signal('reader');
      try {
        await handler(batch.map((b) => b.message));
      } catch (err) {
        log.warn({ err, messages: batch.length }, 'batch handler failed; messages will be redelivered');
        for (const b of batch) b.raw.nak(retryDelayMs);
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
