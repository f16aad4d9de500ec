/**
 * Dead letters in Postgres: the recorder consumer copies each record from the dead-letter stream
 * into `dead_letters` (idempotently, by id), and the operator API (gateway/operations/) lists them
 * and moves them pending → retried | discarded. Why Postgres holds the state rather than the
 * stream: see migrations/0010_dead_letters.ts.
 *
 * Retry republishes the original payload and headers to the original subject with a fresh
 * Nats-Msg-Id (`retry:<id>`), under the dead letter's row lock, and marks it retried in the same
 * transaction: a second retry call finds it retried and publishes nothing; a crash between the
 * publish and the commit leaves it pending, and the next call's publish is dropped by the stream as
 * a duplicate of the first. The retried message names the consumer it is for (only that consumer
 * runs it) and keeps the original message id for the handlers' dedupe ledgers (subjects.ts).
 */
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { Kysely, Selectable } from 'kysely';
import type { Database, DeadLettersTable } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Bus } from './bus.js';
import { startConsumer, type BusMessage, type RunningConsumer } from './consume.js';
import { deadLetterId, deadLetterRecordSchema, payloadBytes, type DeadLetterRecord } from './dead-letter.js';
import { DEAD_LETTER_ID_HEADER, RETRY_CONSUMER_HEADER, RETRY_OF_HEADER } from './subjects.js';

export type DeadLetterRow = Selectable<DeadLettersTable>;
export const deadLetterStatuses = ['pending', 'retried', 'discarded'] as const;
export type DeadLetterStatus = (typeof deadLetterStatuses)[number];

/** Stores a record unless its id is already stored (a re-recorded dead letter keeps its state). */
export async function recordDeadLetter(db: Kysely<Database>, record: DeadLetterRecord): Promise<boolean> {
  const inserted = await db
    .insertInto('dead_letters')
    .values({
      id: record.id,
      consumer: record.consumer,
      stream: record.stream,
      stream_seq: record.streamSeq,
      subject: record.subject,
      message_id: record.messageId,
      correlation_id: record.correlationId,
      headers: JSON.stringify(record.headers),
      payload_encoding: record.payload.encoding,
      // jsonb null for a JSON `null` payload would read back as SQL null; both mean "null" here.
      payload: JSON.stringify(record.payload.data ?? null),
      delivery_count: record.deliveryCount,
      reason: record.reason,
      error: record.error,
      dead_at: new Date(record.deadAt),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * A message on a dead-letter subject that is not a dead-letter record (nobody in Junction
 * publishes one, but the subject is open): kept as an undecodable dead letter of the recorder,
 * so that it is seen, never silently dropped.
 */
function strayRecord(message: BusMessage, consumer: string, error: string): DeadLetterRecord {
  return {
    id: deadLetterId(message.stream, message.streamSeq, consumer),
    consumer,
    stream: message.stream,
    streamSeq: message.streamSeq,
    subject: message.subject,
    messageId: message.messageId,
    correlationId: message.correlationId ?? null,
    headers: message.headers,
    payload: { encoding: 'json', data: message.data },
    deliveryCount: message.deliveryCount,
    reason: 'undecodable',
    error: `not a dead-letter record: ${error}`,
    deadAt: new Date().toISOString(),
  };
}

/** The durable consumer that records dead letters; run it in processes that run consumers. */
export async function startDeadLetterRecorder(deps: { db: Kysely<Database>; bus: Bus; logger: Logger; metrics?: Metrics }): Promise<RunningConsumer> {
  const spec = deps.bus.topology.consumers.deadLetterRecorder;
  return startConsumer(
    deps.bus,
    spec,
    async (message) => {
      const parsed = deadLetterRecordSchema.safeParse(message.data);
      const record = parsed.success ? parsed.data : strayRecord(message, spec.name, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      if (await recordDeadLetter(deps.db, record)) message.log.info({ deadLetterId: record.id, consumer: record.consumer }, 'dead letter recorded');
    },
    deps.logger.child({ component: 'dead-letters' }),
    { metrics: deps.metrics },
  );
}

export interface DeadLetterQuery {
  consumer?: string;
  subject?: string;
  status?: DeadLetterStatus;
  offset: number;
  limit: number;
}

export async function listDeadLetters(db: Kysely<Database>, q: DeadLetterQuery): Promise<{ rows: DeadLetterRow[]; total: number }> {
  let base = db.selectFrom('dead_letters');
  if (q.consumer) base = base.where('consumer', '=', q.consumer);
  if (q.subject) base = base.where('subject', '=', q.subject);
  if (q.status) base = base.where('status', '=', q.status);
  const { total } = await base.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('dead_at', 'desc').orderBy('id').offset(q.offset).limit(q.limit).execute();
  return { rows, total: Number(total) };
}

export async function getDeadLetter(db: Kysely<Database>, id: string): Promise<DeadLetterRow | undefined> {
  return db.selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
}

export type Transition =
  | { outcome: 'not_found' }
  /** The dead letter is in a state the action cannot leave (e.g. retrying a discarded one). */
  | { outcome: 'conflict'; row: DeadLetterRow }
  /** changed: false when it already was in the target state (a repeated call). */
  | { outcome: 'done'; row: DeadLetterRow; changed: boolean };

export function retryMessageId(id: string): string {
  return `retry:${id}`;
}

/** Headers for the republished message: the original's, minus the server's, plus where it comes from. */
function retryHeaders(row: DeadLetterRow) {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(row.headers)) {
    // Nats-* headers steer the server (Nats-Msg-Id, Nats-Expected-*): the retry sets its own.
    if (k.toLowerCase().startsWith('nats-')) continue;
    if ([RETRY_OF_HEADER, RETRY_CONSUMER_HEADER, DEAD_LETTER_ID_HEADER].includes(k)) continue;
    h.set(k, v);
  }
  h.set(RETRY_OF_HEADER, row.message_id);
  h.set(RETRY_CONSUMER_HEADER, row.consumer);
  h.set(DEAD_LETTER_ID_HEADER, row.id);
  return h;
}

/**
 * Moves a pending dead letter to `target` under its row lock (so concurrent calls act once),
 * running `act` first; repeating a done transition changes nothing, and the other final state
 * is a conflict.
 */
async function transition(
  db: Kysely<Database>,
  id: string,
  target: 'retried' | 'discarded',
  resolution: { by: string; note?: string },
  act: (row: DeadLetterRow) => Promise<{ retry_message_id?: string }> = async () => ({}),
): Promise<Transition> {
  if (id.includes('\0')) return { outcome: 'not_found' }; // no id holds NUL (Postgres text cannot)
  return db.transaction().execute(async (trx): Promise<Transition> => {
    const row = await trx.selectFrom('dead_letters').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) return { outcome: 'not_found' };
    if (row.status === target) return { outcome: 'done', row, changed: false };
    if (row.status !== 'pending') return { outcome: 'conflict', row };
    const extra = await act(row);
    const updated = await trx
      .updateTable('dead_letters')
      .set({ status: target, ...extra, resolved_at: new Date(), resolved_by: resolution.by, note: resolution.note ?? null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { outcome: 'done', row: updated, changed: true };
  });
}

/** Republishes the original message (once: its message id is derived from the dead letter's) and marks it retried. */
export function retryDeadLetter(db: Kysely<Database>, bus: Pick<Bus, 'js'>, id: string, by: string, note?: string): Promise<Transition> {
  return transition(db, id, 'retried', { by, note }, async (row) => {
    const encoding = row.payload_encoding === 'base64' ? 'base64' : 'json';
    const bytes = payloadBytes(encoding === 'json' ? { encoding, data: row.payload } : { encoding, data: String(row.payload) });
    const messageId = retryMessageId(row.id);
    await bus.js.publish(row.subject, bytes, { msgID: messageId, headers: retryHeaders(row) });
    return { retry_message_id: messageId };
  });
}

export function discardDeadLetter(db: Kysely<Database>, id: string, by: string, note?: string): Promise<Transition> {
  return transition(db, id, 'discarded', { by, note });
}
