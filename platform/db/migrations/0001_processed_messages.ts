import { sql, type Kysely } from 'kysely';

/** The dedupe ledger that makes redelivered bus messages take effect once (see platform/bus/idempotent.ts). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('processed_messages')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('processed_messages_pkey', ['consumer', 'message_id'])
    .execute();
  // Lets an operator prune the ledger by age once messages can no longer be redelivered.
  await db.schema.createIndex('processed_messages_processed_at').on('processed_messages').column('processed_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('processed_messages').execute();
}
