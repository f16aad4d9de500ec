import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort, memoryLogger, randomSuffix, silentLogger, TEST_POSTGRES_URL } from '../../test/support/index.js';
import { createDatabaseIfMissing, redactUrl, resolveDatabase } from './connect.js';

const admin = async (query: string) => {
  const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await c.connect();
  try {
    return await c.query(query);
  } finally {
    await c.end();
  }
};

describe('resolveDatabase', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('uses DATABASE_URL when set', async () => {
    const handle = await resolveDatabase({ databaseUrl: TEST_POSTGRES_URL, dataDir: '/nonexistent' }, silentLogger());
    cleanups.push(() => handle.close());
    expect(handle.kind).toBe('postgres');
    await expect(handle.check()).resolves.toBeUndefined();
  });

  it('creates the local database when the server answers but the database is missing', async () => {
    const name = `junction_test_${randomSuffix()}`;
    const u = new URL(TEST_POSTGRES_URL);
    u.pathname = `/${name}`;
    cleanups.push(() => admin(`drop database if exists ${name} with (force)`));
    const handle = await resolveDatabase({ databaseUrl: undefined, dataDir: '/nonexistent', localUrl: u.toString() }, silentLogger());
    cleanups.push(() => handle.close());
    expect(handle.kind).toBe('postgres');
    await handle.check();
    expect((await admin(`select 1 from pg_database where datname = '${name}'`)).rowCount).toBe(1);
    expect(await createDatabaseIfMissing(u.toString())).toBe(false);
  });

  it('falls back to embedded PGlite under the data dir when nothing answers, saying so in one line', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'junction-data-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { logger, lines } = memoryLogger('info');
    const localUrl = `postgres://postgres@127.0.0.1:${await closedPort()}/junction`;
    const handle = await resolveDatabase({ databaseUrl: undefined, dataDir, localUrl }, logger);
    cleanups.push(() => handle.close());
    expect(handle.kind).toBe('pglite');
    expect(handle.location).toBe(path.join(dataDir, 'pglite'));
    await expect(handle.check()).resolves.toBeUndefined();
    const said = lines().filter((l) => String(l.msg).includes('embedded Postgres'));
    expect(said).toHaveLength(1);
  });

  it('redacts passwords in locations', () => {
    expect(redactUrl('postgres://u:secret@db:5432/x')).toBe('postgres://u:***@db:5432/x');
  });
});
