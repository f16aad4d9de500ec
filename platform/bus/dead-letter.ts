/**
 * Dead letters: a message its consumer gave up on (the handler failed on the last allowed delivery,
 * or the payload could not be decoded) is published, whole, to the dead-letter stream before the
 * original is terminated. The record carries everything needed to inspect it and to republish it
 * unchanged (platform/bus/dead-letter-store.ts, gateway/operations/).
 */
import type { JsMsg } from '@nats-io/jetstream';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Bus } from './bus.js';
import { CORRELATION_ID_HEADER, MESSAGE_ID_HEADER, RETRY_OF_HEADER } from './subjects.js';

export const deadLetterReasons = ['handler_failed', 'undecodable'] as const;
export type DeadLetterReason = (typeof deadLetterReasons)[number];

/** The payload of `<ns>.dead_letters.<consumer>`. */
export const deadLetterRecordSchema = z.object({
  /** `<stream>:<seq>:<consumer>`: one stream message can die in several consumers. */
  id: z.string().min(1),
  consumer: z.string().min(1),
  stream: z.string().min(1),
  streamSeq: z.number().int().positive(),
  subject: z.string().min(1),
  /** The message's id as its consumers know it (see RETRY_OF_HEADER), else `<stream>:<seq>`. */
  messageId: z.string().min(1),
  correlationId: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  /** JSON payloads as their value; anything else as base64 of the bytes. */
  payload: z.discriminatedUnion('encoding', [
    z.object({ encoding: z.literal('json'), data: z.unknown() }),
    z.object({ encoding: z.literal('base64'), data: z.string() }),
  ]),
  deliveryCount: z.number().int().nonnegative(),
  reason: z.enum(deadLetterReasons),
  error: z.string(),
  deadAt: z.string().datetime({ offset: true }),
});
export type DeadLetterRecord = z.infer<typeof deadLetterRecordSchema>;

export function deadLetterId(stream: string, seq: number, consumer: string): string {
  return `${stream}:${seq}:${consumer}`;
}

/** The Nats-Msg-Id of a dead letter: the same stream message dying again in one consumer is dropped as a duplicate. */
export function deadLetterMessageId(id: string): string {
  return `dead-letter:${id}`;
}

function headersOf(m: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of m.headers ?? []) if (v[0] !== undefined) out[k] = v[0];
  return out;
}

/** The record of `m` dying in `consumer`, with the bytes kept as JSON when they are JSON. */
export function deadLetterRecord(m: JsMsg, consumer: string, reason: DeadLetterReason, error: string, now = new Date()): DeadLetterRecord {
  const headers = headersOf(m);
  const stream = m.info.stream;
  let payload: DeadLetterRecord['payload'];
  try {
    // Empty bytes are not JSON; keep them as (empty) base64 so a retry republishes them exactly.
    if (m.data.length === 0) throw new Error('empty');
    payload = { encoding: 'json', data: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(m.data)) };
  } catch {
    payload = { encoding: 'base64', data: Buffer.from(m.data).toString('base64') };
  }
  return {
    id: deadLetterId(stream, m.seq, consumer),
    consumer,
    stream,
    streamSeq: m.seq,
    subject: m.subject,
    messageId: headers[RETRY_OF_HEADER] ?? headers[MESSAGE_ID_HEADER] ?? `${stream}:${m.seq}`,
    correlationId: headers[CORRELATION_ID_HEADER] ?? null,
    headers,
    payload,
    deliveryCount: m.info.deliveryCount,
    reason,
    error,
    deadAt: now.toISOString(),
  };
}

/** The bytes to republish for a record's payload. */
export function payloadBytes(payload: DeadLetterRecord['payload']): Uint8Array {
  return payload.encoding === 'json' ? new TextEncoder().encode(JSON.stringify(payload.data)) : Buffer.from(payload.data, 'base64');
}

/** Publishes a dead letter and waits for the stream's ack; throws when it is not stored. */
export async function publishDeadLetter(bus: Pick<Bus, 'publish' | 'subjects'>, record: DeadLetterRecord): Promise<void> {
  await bus.publish(bus.subjects.deadLetters.of(record.consumer), record, {
    messageId: deadLetterMessageId(record.id),
    ...(record.correlationId ? { correlationId: record.correlationId } : {}),
  });
}

const DEAD_LETTERS_METRIC = 'junction_dead_letters_total';

/**
 * `junction_dead_letters_total{consumer,reason}`, registered on first use in a registry (the
 * platform's Metrics stay as they are; each registry gets one counter however many consumers ask).
 */
export function deadLetterCounter(registry: Registry): Counter<'consumer' | 'reason'> {
  const existing = registry.getSingleMetric(DEAD_LETTERS_METRIC);
  if (existing) return existing as Counter<'consumer' | 'reason'>;
  return new Counter({
    name: DEAD_LETTERS_METRIC,
    help: 'Messages dead-lettered by consumer and reason (handler_failed, undecodable)',
    labelNames: ['consumer', 'reason'],
    registers: [registry],
  });
}

/**
 * Gives a message up for `consumer`: publishes its dead letter, then terminates it. When the dead
 * letter cannot be stored the message is nak'ed instead and comes back (the server's max_deliver
 * is unlimited), so a message is never dropped unrecorded. Shared by every kind of consumer.
 */
export function deadLetterer(
  bus: Pick<Bus, 'publish' | 'subjects'>,
  consumer: string,
  options: { retryDelayMs: number; counter?: Counter<'consumer' | 'reason'> },
) {
  return async function deadLetter(m: JsMsg, reason: DeadLetterReason, error: string, log: { error(o: object, msg: string): void }): Promise<'dead_lettered' | 'retried'> {
    const record = deadLetterRecord(m, consumer, reason, error);
    try {
      await publishDeadLetter(bus, record);
    } catch (err) {
      log.error({ err, deadLetterId: record.id }, 'dead letter could not be stored; message will be redelivered');
      m.nak(options.retryDelayMs);
      return 'retried';
    }
    log.error({ deadLetterId: record.id, reason, error, deliveryCount: record.deliveryCount }, 'message dead-lettered');
    // No reason argument: nats-server 2.9 does not recognise `+TERM <reason>` and would leave the message pending.
    m.term();
    options.counter?.inc({ consumer, reason });
    return 'dead_lettered';
  };
}

/** A thrown value as one line for a dead letter's `error`. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
}
