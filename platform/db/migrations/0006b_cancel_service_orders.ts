import { sql, type Kysely } from 'kysely';

/** TMF641 CancelServiceOrder requests: one row per request, the order's cancellation follows the saga. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cancel_service_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('cancel_service_orders_order').on('cancel_service_orders').columns(['order_id']).execute();
  await db.schema.alterTable('service_orders').addColumn('cancellation_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('service_orders').dropColumn('cancellation_id').execute();
  await db.schema.dropTable('cancel_service_orders').execute();
}
