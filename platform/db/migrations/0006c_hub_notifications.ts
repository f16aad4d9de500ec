import { sql, type Kysely } from 'kysely';

/**
 * TMF641 hub: event subscriptions and the per-subscription outbox the notifier delivers from
 * (in order per order id, retried with backoff, parked with its backlog when it keeps failing).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('hub_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant', 'text', (c) => c.notNull())
    .addColumn('callback', 'text', (c) => c.notNull())
    .addColumn('query', 'text')
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('parked_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('hub_outbox')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('hub_subscriptions.id').onDelete('cascade'))
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_error', 'text')
    .addUniqueConstraint('hub_outbox_once', ['subscription_id', 'event_id'])
    .execute();
  await sql`create index hub_outbox_pending on hub_outbox (subscription_id, order_id, seq) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('hub_outbox').execute();
  await db.schema.dropTable('hub_subscriptions').execute();
}
