/**
 * Opens Junction's database: a Postgres server through a pg pool, or embedded PGlite.
 *
 * The pool is created once and never cached dead: pg drops broken clients and opens new ones on
 * demand, so a readiness check fails while Postgres is down and passes again once it is back.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { withTimeout } from '../timeout.js';
import { PGliteDialect } from './pglite-dialect.js';
import { preparingClient, statementNamer } from './prepared-statements.js';
import type { Database } from './schema.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Where the data lives, without credentials (for logs). */
  location: string;
  /** Resolves when the database answers a query; rejects with the reason otherwise. */
  check(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The server tried when DATABASE_URL is unset. */
export const LOCAL_DATABASE_URL = 'postgres://postgres@localhost:5432/junction';

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

function handleFor(db: Kysely<Database>, kind: DatabaseKind, location: string): DatabaseHandle {
  return {
    db,
    kind,
    location,
    check: async (timeoutMs = 2_000) => {
      await withTimeout(sql`select 1`.execute(db), timeoutMs, kind === 'postgres' ? 'postgres' : 'embedded postgres');
    },
    close: () => db.destroy(),
  };
}

export interface PostgresOptions {
  /**
   * Prepare the statements run again and again (platform/db/prepared-statements.ts); default on.
   * Off for a connection pooler that cannot carry prepared statements (PgBouncer in transaction
   * mode before 1.21).
   */
  preparedStatements?: boolean;
}

export function openPostgres(url: string, logger: Logger, options: PostgresOptions = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    ...(options.preparedStatements === false ? {} : { Client: preparingClient(statementNamer()) }),
    max: 10,
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 10_000,
  });
  // An idle client losing its server emits here; without a listener that would crash the process.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'postgres connection lost'));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return handleFor(db, 'postgres', redactUrl(url));
}

export async function openPGlite(dataDir: string): Promise<DatabaseHandle> {
  const dir = path.resolve(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create(dir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return handleFor(db, 'pglite', dir);
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'EADDRNOTAVAIL']);

/** Connects once to see whether anything answers; returns the pg error code on failure. */
async function probe(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    return errorCode(err) ?? (err instanceof Error && /timeout/i.test(err.message) ? 'ETIMEDOUT' : 'EUNKNOWN');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database named in `url` through the server's `postgres` database. */
export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount) return false;
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
    return true;
  } catch (err) {
    if (errorCode(err) === '42P04') return false; // created concurrently by another process
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ResolveDatabaseOptions extends PostgresOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** The server tried when databaseUrl is unset (tests point it at a closed port). */
  localUrl?: string;
}

/**
 * DATABASE_URL when set; otherwise the local server (database `junction`, created if missing);
 * otherwise, when nothing answers on localhost:5432, embedded PGlite under `<dataDir>/pglite`.
 */
export async function resolveDatabase(options: ResolveDatabaseOptions, logger: Logger): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, logger, options);

  const localUrl = options.localUrl ?? LOCAL_DATABASE_URL;
  let code = await probe(localUrl);
  if (code === '3D000') {
    // Server answers but the database does not exist yet.
    if (await createDatabaseIfMissing(localUrl)) logger.info({ database: redactUrl(localUrl) }, 'created database');
    code = await probe(localUrl);
  }
  if (code === undefined) return openPostgres(localUrl, logger, options);
  if (code && (UNREACHABLE.has(code) || code === 'ETIMEDOUT')) {
    const handle = await openPGlite(options.dataDir);
    logger.info(
      { location: handle.location },
      `DATABASE_URL unset and nothing answers at ${redactUrl(localUrl)}: using embedded Postgres (PGlite)`,
    );
    return handle;
  }
  throw new Error(
    `Postgres at ${redactUrl(localUrl)} refused the connection (code ${code}); set DATABASE_URL to a database Junction may use`,
  );
}
