import { sql, type Kysely } from 'kysely';

/**
 * Issue 6: dead letters, as recorded from the dead-letter stream (platform/bus/dead-letter-store.ts),
 * with the state operators move them through: pending → retried | discarded. The stream stays the
 * hand-off (a consumer loop has the bus, not the database); Postgres holds the state because it
 * must change under a row lock (two operators retrying at once republish once), must be paged and
 * filtered by consumer and subject, and must outlive the stream's seven-day retention.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dead_letters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('stream_seq', 'bigint', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text')
    .addColumn('headers', 'jsonb', (c) => c.notNull())
    .addColumn('payload_encoding', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb')
    .addColumn('delivery_count', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('dead_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('retry_message_id', 'text')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'text')
    .addColumn('note', 'text')
    .addCheckConstraint('dead_letters_status', sql`status in ('pending', 'retried', 'discarded')`)
    .addCheckConstraint('dead_letters_payload_encoding', sql`payload_encoding in ('json', 'base64')`)
    .execute();
  await db.schema.createIndex('dead_letters_status_dead_at').on('dead_letters').columns(['status', 'dead_at']).execute();
  await db.schema.createIndex('dead_letters_consumer_dead_at').on('dead_letters').columns(['consumer', 'dead_at']).execute();
  await db.schema.createIndex('dead_letters_subject').on('dead_letters').column('subject').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dead_letters').execute();
}
