import { sql, type Kysely } from 'kysely';

/**
 * Issue 6: the versioned service catalog, customers, resource inventory with reservations,
 * TMF641 service orders with their saga progress, and TMF638 services.
 *
 * Capacity is enforced by Postgres itself: `resources.allocated <= capacity` is a CHECK, and every
 * reservation moves `allocated` with a conditional UPDATE under the row lock, so no two orders can
 * take the same last unit whatever the concurrency.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('catalog_specifications')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('loaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('catalog_specifications_pkey', ['name', 'version'])
    .execute();

  await db.schema
    .createTable('customers')
    .addColumn('tenant', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sla_tier', 'text')
    .addColumn('sites', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addPrimaryKeyConstraint('customers_pkey', ['tenant', 'id'])
    .execute();

  await db.schema
    .createTable('resources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('site', 'text')
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('capacity', 'bigint', (c) => c.notNull())
    .addColumn('allocated', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('available'))
    .addColumn('attributes', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('resources_allocation_within_capacity', sql`allocated >= 0 and allocated <= capacity`)
    .execute();
  await db.schema.createIndex('resources_type_site').on('resources').columns(['type', 'site']).execute();

  await db.schema
    .createTable('service_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addColumn('progress', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('order_date', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completion_date', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index service_orders_external_id on service_orders (tenant, external_id) where external_id is not null`.execute(db);
  await sql`create unique index service_orders_idempotency_key on service_orders (tenant, idempotency_key) where idempotency_key is not null`.execute(db);
  await db.schema.createIndex('service_orders_tenant_date').on('service_orders').columns(['tenant', 'order_date']).execute();

  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('order_item_id', 'text', (c) => c.notNull())
    .addColumn('specification', 'text', (c) => c.notNull())
    .addColumn('specification_version', 'integer', (c) => c.notNull())
    .addColumn('site', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('characteristics', 'jsonb', (c) => c.notNull())
    .addColumn('start_date', 'timestamptz')
    .addColumn('end_date', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('services_order_item', ['order_id', 'order_item_id'])
    .execute();
  await db.schema.createIndex('services_tenant').on('services').columns(['tenant', 'customer_id']).execute();

  // A reservation is also the service-to-resource relationship once its service is active.
  await db.schema
    .createTable('reservations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resource_id', 'text', (c) => c.notNull().references('resources.id'))
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('order_item_id', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('released_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('reservations_order').on('reservations').columns(['order_id', 'order_item_id']).execute();
  await db.schema.createIndex('reservations_resource').on('reservations').columns(['resource_id', 'status']).execute();
  // Saga progress per resource action: what was applied (and must be rolled back on failure).
  await db.schema
    .createTable('order_actions')
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('order_item_id', 'text', (c) => c.notNull())
    .addColumn('action_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('action', 'jsonb', (c) => c.notNull())
    .addColumn('result', 'jsonb')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('order_actions_pkey', ['order_id', 'order_item_id', 'action_id'])
    .execute();
  await sql`create index reservations_expiry on reservations (expires_at) where status = 'reserved'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['order_actions', 'reservations', 'services', 'service_orders', 'resources', 'customers', 'catalog_specifications']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
