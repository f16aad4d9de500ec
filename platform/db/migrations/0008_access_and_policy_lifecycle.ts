import { sql, type Kysely } from 'kysely';

/**
 * Issue 8: API keys (salted hashes, never the key), uploaded policy bundles with their history
 * and every activation (the history rollback chooses from).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('roles', sql`text[]`, (c) => c.notNull())
    .addColumn('tenant', 'text')
    .addColumn('salt', 'bytea', (c) => c.notNull())
    .addColumn('hash', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('policy_bundles')
    .addColumn('revision', 'text', (c) => c.primaryKey())
    .addColumn('source_digest', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('signer_key_id', 'text', (c) => c.notNull())
    .addColumn('source', 'bytea', (c) => c.notNull())
    .addColumn('compiled', 'bytea')
    .addColumn('compiled_digest', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('tests', 'jsonb', (c) => c.notNull())
    .addColumn('problems', 'jsonb', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('policy_activations')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('revision', 'text', (c) => c.notNull().references('policy_bundles.revision'))
    .addColumn('previous_revision', 'text')
    .addColumn('activated_by', 'text', (c) => c.notNull())
    .addColumn('activated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('policy_activations').execute();
  await db.schema.dropTable('policy_bundles').execute();
  await db.schema.dropTable('api_keys').execute();
}
