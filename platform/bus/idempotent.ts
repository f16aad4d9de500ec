/**
 * Exactly-once effect over at-least-once delivery: the handler's database work and a row in
 * `processed_messages` keyed by (consumer, message id) commit in ONE transaction, before the ack.
 * A redelivery finds the row and does nothing; a crash before commit leaves no row, so the
 * redelivery does the work. Two deliveries racing block on the primary key; the loser sees a
 * conflict and skips.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { BusMessage, MessageHandler } from './consume.js';

export type Outcome = 'processed' | 'duplicate';

export async function processOnce(
  db: Kysely<Database>,
  consumer: string,
  message: Pick<BusMessage, 'messageId' | 'subject'>,
  effect: (trx: Transaction<Database>) => Promise<void>,
): Promise<Outcome> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('processed_messages')
      .values({ consumer, message_id: message.messageId, subject: message.subject })
      .onConflict((oc) => oc.columns(['consumer', 'message_id']).doNothing())
      .returning('message_id')
      .executeTakeFirst();
    if (!claimed) return 'duplicate';
    await effect(trx);
    return 'processed';
  });
}

/** A consumer handler whose effect runs at most once per message id (see processOnce). */
export function idempotentHandler(
  db: Kysely<Database>,
  consumer: string,
  effect: (message: BusMessage, trx: Transaction<Database>) => Promise<void>,
): MessageHandler {
  return async (message) => {
    const outcome = await processOnce(db, consumer, message, (trx) => effect(message, trx));
    if (outcome === 'duplicate') message.log.debug('duplicate delivery skipped');
  };
}
