import { sql, type Kysely } from 'kysely';

/**
 * Issue 7: assurance. Alarms as last seen, service problems (one per root cause) with the
 * services they affect, flap damping state, topology/containment edges and extra
 * service-to-resource dependencies beyond issue 6's reservations and order actions, delayed
 * notifications (outbox), KPI samples for SLA windows, SLA breaches and credits.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('assurance_alarms')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('alarm_id', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('parent_alarm_id', 'text')
    .addColumn('problem_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('probable_cause', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'timestamptz', (c) => c.notNull())
    .addColumn('cleared_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('assurance_alarms_pkey', ['source', 'alarm_id'])
    .execute();
  await db.schema.createIndex('assurance_alarms_parent').on('assurance_alarms').columns(['source', 'parent_alarm_id']).execute();
  await db.schema.createIndex('assurance_alarms_problem').on('assurance_alarms').column('problem_id').execute();

  await db.schema
    .createTable('assurance_problems')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** What makes two alarms the same root cause over time: source, alarmed object, probable cause. */
    .addColumn('root_key', 'text', (c) => c.notNull())
    .addColumn('root_source', 'text', (c) => c.notNull())
    .addColumn('root_alarm_id', 'text', (c) => c.notNull())
    .addColumn('root_resource_id', 'text', (c) => c.notNull())
    .addColumn('root_resource_type', 'text', (c) => c.notNull())
    .addColumn('probable_cause', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    /** TMF656 statuses used: inProgress (open), pending (cleared but damped), resolved. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('affected_services', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('affected_customers', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('child_alarms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('raised_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // At most one open problem per root cause: a storm or a flap lands on it instead of opening more.
  await sql`create unique index assurance_problems_open_root on assurance_problems (root_key) where status <> 'resolved'`.execute(db);
  await db.schema.createIndex('assurance_problems_status').on('assurance_problems').columns(['status', 'raised_at']).execute();

  await db.schema
    .createTable('assurance_problem_services')
    .addColumn('problem_id', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('tenant', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('assurance_problem_services_pkey', ['problem_id', 'service_id'])
    .execute();
  await db.schema.createIndex('assurance_problem_services_service').on('assurance_problem_services').column('service_id').execute();

  await db.schema
    .createTable('assurance_damping')
    .addColumn('root_key', 'text', (c) => c.primaryKey())
    .addColumn('penalty', 'double precision', (c) => c.notNull())
    .addColumn('penalty_at', 'timestamptz', (c) => c.notNull())
    .addColumn('suppressed', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  await db.schema
    .createTable('assurance_topology')
    .addColumn('parent_id', 'text', (c) => c.notNull())
    .addColumn('child_id', 'text', (c) => c.notNull())
    /** contains | carries | hosts */
    .addColumn('relation', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('assurance_topology_pkey', ['parent_id', 'child_id'])
    .execute();

  // Lookup index for assurance on issue 6's table: a KPI or alarm names an action's target
  // (e.g. `svc-1-transport`); finding its service must not scan every order action.
  await sql`create index if not exists order_actions_target_id on order_actions ((action->'target'->>'id'))`.execute(db);

  await db.schema
    .createTable('assurance_dependencies')
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('assurance_dependencies_pkey', ['resource_id', 'service_id'])
    .execute();
  await db.schema.createIndex('assurance_dependencies_service').on('assurance_dependencies').column('service_id').execute();

  await db.schema
    .createTable('assurance_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await sql`create index assurance_outbox_due on assurance_outbox (due_at) where sent_at is null`.execute(db);

  await db.schema
    .createTable('assurance_kpi_samples')
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('event_time', 'timestamptz', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('sample_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('assurance_kpi_samples_pkey', ['subject_id', 'metric', 'event_time', 'sample_id'])
    .execute();

  await db.schema
    .createTable('assurance_breaches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('window_end', 'timestamptz', (c) => c.notNull())
    /** threatened | breached | remediated | credited */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('assurance_credits')
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('breach_id', 'text', (c) => c.notNull())
    .addColumn('tenant', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'numeric', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('decision_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('assurance_credits_pkey', ['service_id', 'period', 'breach_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'assurance_credits',
    'assurance_breaches',
    'assurance_kpi_samples',
    'assurance_outbox',
    'assurance_dependencies',
    'assurance_topology',
    'assurance_damping',
    'assurance_problem_services',
    'assurance_problems',
    'assurance_alarms',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`drop index if exists order_actions_target_id`.execute(db);
}
