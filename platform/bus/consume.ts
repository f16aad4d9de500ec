/**
 * Runs a handler over a durable pull consumer. The one rule: a message is acknowledged only after
 * its handler resolved, i.e. after the handler's work is committed. A handler that throws gets the
 * message redelivered later (nak with delay); a crash before the ack gets it redelivered after
 * the consumer's ack_wait. Handlers must therefore be idempotent: see `processOnce`.
 *
 * Dead letters: when the handler fails on delivery `spec.maxDeliver` (or later), or the payload is
 * not JSON, the message is published to the dead-letter stream (dead-letter.ts) and only then
 * terminated. If that publish fails the message is nak'ed instead and comes back (the server's
 * max_deliver is unlimited, see subjects.ts), so nothing is lost.
 */
import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Bus } from './bus.js';
import { deadLetterCounter, deadLetterer, errorText, type DeadLetterReason } from './dead-letter.js';
import { CORRELATION_ID_HEADER, MESSAGE_ID_HEADER, RETRY_CONSUMER_HEADER, RETRY_OF_HEADER, type ConsumerSpec } from './subjects.js';

export interface BusMessage {
  subject: string;
  /** The JSON payload, parsed. */
  data: unknown;
  /**
   * Nats-Msg-Id when the publisher set one (Junction's publishers always do), else `<stream>:<seq>`;
   * for a retried dead letter, the id of the message that died (RETRY_OF_HEADER).
   */
  messageId: string;
  correlationId: string | undefined;
  /** Where the message is stored: its stream and sequence there. */
  stream: string;
  streamSeq: number;
  /** 1 on first delivery. */
  deliveryCount: number;
  headers: Record<string, string>;
  /** Logger bound to this message's ids. */
  log: Logger;
  /** Tells the server the handler is still at work, pushing back the redelivery deadline. */
  working(): void;
}

export type MessageHandler = (message: BusMessage) => Promise<void>;

export interface RunningConsumer {
  readonly name: string;
  /** Stops pulling, lets the message in hand finish (and be acked), leaves buffered ones unacked. */
  stop(): Promise<void>;
}

export interface ConsumeOptions {
  /** Delay before a failed message is redelivered. */
  retryDelayMs?: number;
  /** Messages pulled ahead of processing (default: 16, or twice the concurrency when larger). */
  batch?: number;
  /**
   * Messages in their handlers at once (default 1: strictly one after another). Handlers that wait
   * mostly on I/O (an order's saga) gain throughput from more; each message is still acked on its
   * own, only after its handler resolved.
   */
  concurrency?: number;
  metrics?: Metrics;
}

export function toBusMessage(m: JsMsg, logger: Logger): BusMessage | Error {
  const headers: Record<string, string> = {};
  for (const [k, v] of m.headers ?? []) if (v[0] !== undefined) headers[k] = v[0];
  const messageId = headers[RETRY_OF_HEADER] ?? headers[MESSAGE_ID_HEADER] ?? `${m.info.stream}:${m.seq}`;
  const correlationId = headers[CORRELATION_ID_HEADER];
  let data: unknown;
  try {
    data = m.data.length === 0 ? null : m.json();
  } catch (err) {
    return new Error(`payload is not JSON: ${(err as Error).message}`);
  }
  return {
    subject: m.subject,
    data,
    messageId,
    correlationId,
    stream: m.info.stream,
    streamSeq: m.seq,
    deliveryCount: m.info.deliveryCount,
    headers,
    log: logger.child({ messageId, correlationId, subject: m.subject }),
    working: () => m.working(),
  };
}

export async function startConsumer(
  bus: Bus,
  spec: ConsumerSpec,
  handler: MessageHandler,
  logger: Logger,
  options: ConsumeOptions = {},
): Promise<RunningConsumer> {
  const log = logger.child({ consumer: spec.name });
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const consumer = await bus.js.consumers.get(spec.stream, spec.name);
  const messages = await consumer.consume({ max_messages: options.batch ?? Math.max(16, concurrency * 2) });
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  const count = (outcome: 'acked' | 'retried' | 'dead_lettered') =>
    options.metrics?.busMessages.inc({ consumer: spec.name, outcome });

  const loop = (async () => {
    try {
      await handleAll();
    } catch (err) {
      // The iterator only fails when the consumer is gone (deleted stream/consumer); say so, do not crash.
      log.error({ err }, 'consumer stopped receiving');
    }
  })();

  const giveUp = deadLetterer(bus, spec.name, { retryDelayMs, ...(options.metrics ? { counter: deadLetterCounter(options.metrics.registry) } : {}) });
  async function deadLetter(m: JsMsg, reason: DeadLetterReason, error: string, msgLog: Logger): Promise<void> {
    count(await giveUp(m, reason, error, msgLog));
  }

  /** Runs the handler, then acks (or naks for a redelivery, or dead-letters, when it failed). */
  async function settle(m: JsMsg, message: BusMessage): Promise<void> {
    try {
      await handler(message);
    } catch (err) {
      if (spec.maxDeliver > 0 && message.deliveryCount >= spec.maxDeliver) {
        await deadLetter(m, 'handler_failed', errorText(err), message.log);
        return;
      }
      message.log.warn({ err, deliveryCount: message.deliveryCount }, 'handler failed; message will be redelivered');
      m.nak(retryDelayMs);
      count('retried');
      return;
    }
    try {
      await m.ackAck();
      count('acked');
    } catch (err) {
      // Work is committed; the redelivery that follows is absorbed by the handler's idempotency.
      message.log.warn({ err }, 'ack not confirmed; message may be redelivered');
    }
  }

  /** A retried dead letter meant for another consumer of the subject: this one handled the original. */
  function retryForOther(m: JsMsg): boolean {
    const target = m.headers?.get(RETRY_CONSUMER_HEADER);
    return target !== undefined && target !== '' && target !== spec.name;
  }

  async function handleAll(): Promise<void> {
    for await (const m of messages) {
      // Buffered messages are left unacked on stop: the server redelivers them to another instance.
      if (stopping) break;
      if (retryForOther(m)) {
        m.ack();
        count('acked');
        continue;
      }
      const message = toBusMessage(m, log);
      const work = message instanceof Error ? deadLetter(m, 'undecodable', message.message, log.child({ seq: m.seq, subject: m.subject })) : settle(m, message);
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
      // Back-pressure: pull the next message only when a handler slot is free.
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  }

  log.info({ stream: spec.stream, concurrency, maxDeliver: spec.maxDeliver }, 'consumer started');
  return {
    name: spec.name,
    async stop() {
      stopping = true;
      await messages.close();
      await loop;
      await Promise.allSettled([...inFlight]);
      log.info('consumer stopped');
    },
  };
}
