/**
 * A private Postgres database per test file: created on the local server with a random name,
 * migrated, dropped afterwards. Server: JUNCTION_TEST_POSTGRES_URL (default
 * postgres://postgres@localhost:5432/postgres; its database part is replaced).
 *
 *   const t = await createTestDatabase();   // in beforeAll
 *   t.db.selectFrom('processed_messages')…  // kysely, typed
 *   await t.drop();                         // in afterAll
 */
import type { Kysely } from 'kysely';
import pg from 'pg';
import { openPostgres, type DatabaseHandle } from '../../platform/db/connect.js';
import { migrateToLatest } from '../../platform/db/migrate.js';
import type { Database } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/logger.js';
import { randomSuffix } from './ids.js';
import { silentLogger } from './logger.js';

export const TEST_POSTGRES_URL = process.env.JUNCTION_TEST_POSTGRES_URL ?? 'postgres://postgres@localhost:5432/postgres';

export interface TestDatabase {
  name: string;
  /** Connection string of the new database (for DATABASE_URL or a second pool). */
  url: string;
  handle: DatabaseHandle;
  db: Kysely<Database>;
  /** Closes the pool and drops the database (forcing out other sessions). */
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(options: { migrate?: boolean; logger?: Logger } = {}): Promise<TestDatabase> {
  const name = `junction_test_${randomSuffix()}`;
  await admin((c) => c.query(`create database ${pg.escapeIdentifier(name)}`));
  const u = new URL(TEST_POSTGRES_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const logger = options.logger ?? silentLogger();
  const handle = openPostgres(url, logger);
  if (options.migrate ?? true) await migrateToLatest(handle.db, logger);
  return {
    name,
    url,
    handle,
    db: handle.db,
    async drop() {
      await handle.close();
      await admin((c) => c.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`));
    },
  };
}
