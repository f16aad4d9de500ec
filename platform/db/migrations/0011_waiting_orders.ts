import { sql, type Kysely } from 'kysely';

/**
 * Orders waiting in `held` (no capacity yet) or `pending` (information required): the saga looks
 * for them every time capacity is given back, so that look-up must not scan every order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index service_orders_waiting on service_orders (order_date) where state in ('held', 'pending')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('service_orders_waiting').ifExists().execute();
}
