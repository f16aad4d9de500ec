import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, silentLogger, TEST_POSTGRES_URL, type TestDatabase } from '../../test/support/index.js';
import { openPostgres } from './connect.js';
import { preparingClient, statementNamer } from './prepared-statements.js';

describe('statementNamer', () => {
  it('names a data statement on its second use, always the same name', () => {
    const namer = statementNamer();
    const text = 'select * from service_orders where id = $1';
    expect(namer.nameFor(text)).toBeUndefined();
    const name = namer.nameFor(text);
    expect(name).toMatch(/^junction_[0-9a-f]{24}$/);
    expect(namer.nameFor(text)).toBe(name);
    expect(namer.nameFor('select 2')).toBeUndefined();
  });

  it('never names DDL or transaction control', () => {
    const namer = statementNamer();
    for (const text of ['create table t (a int)', 'alter table t add b int', 'begin', 'commit', 'drop table t']) {
      namer.nameFor(text);
      expect(namer.nameFor(text)).toBeUndefined();
    }
  });

  it('names no more than its limit', () => {
    const namer = statementNamer(2);
    const names = ['select 1', 'select 2', 'select 3'].map((t) => (namer.nameFor(t), namer.nameFor(t)));
    expect(names.slice(0, 2).every((n) => n !== undefined)).toBe(true);
    expect(names[2]).toBeUndefined();
  });
});

describe('prepared statements on Postgres', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('prepares a repeated statement once on the connection and keeps answering with its rows', async () => {
    const client = new (preparingClient(statementNamer()))({ connectionString: t.url });
    await client.connect();
    try {
      const text = 'select $1::int + 1 as n';
      const answers = [];
      for (const v of [1, 2, 3]) answers.push((await client.query(text, [v])).rows[0].n);
      expect(answers).toEqual([2, 3, 4]);
      const prepared = await client.query<{ name: string; statement: string }>('select name, statement from pg_prepared_statements');
      expect(prepared.rows).toEqual([{ name: expect.stringMatching(/^junction_/), statement: text }]);
    } finally {
      await client.end();
    }
  });

  it('carries Kysely queries, parameters and errors as before', async () => {
    const handle = openPostgres(t.url, silentLogger());
    try {
      for (let i = 0; i < 7; i++) {
        const { rows } = await sql<{ v: string }>`select ${`x${i}`}::text as v`.execute(handle.db);
        expect(rows).toEqual([{ v: `x${i}` }]);
      }
      // A failing prepared statement fails its caller only; the connection goes on.
      for (let i = 0; i < 3; i++) await expect(sql`select 1 / ${0}::int`.execute(handle.db)).rejects.toThrow(/division by zero/);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(handle.db);
      expect(rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await handle.close();
    }
  });

  it('is off when asked: nothing is prepared', async () => {
    const handle = openPostgres(t.url, silentLogger(), { preparedStatements: false });
    try {
      for (let i = 0; i < 3; i++) await sql`select ${i}::int as v`.execute(handle.db);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(handle.db);
      expect(rows[0]!.n).toBe(0);
    } finally {
      await handle.close();
    }
  });
});

// pg itself must still accept the class as a Pool's Client (the form openPostgres uses).
describe('preparingClient in a pg Pool', () => {
  it('serves a pool', async () => {
    const pool = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 1, Client: preparingClient(statementNamer()) });
    try {
      for (let i = 0; i < 3; i++) expect((await pool.query('select $1::int as v', [i])).rows).toEqual([{ v: i }]);
    } finally {
      await pool.end();
    }
  });
});
