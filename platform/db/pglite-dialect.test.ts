import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../test/support/index.js';
import { processOnce } from '../bus/idempotent.js';
import { openPGlite, type DatabaseHandle } from './connect.js';
import { migrateToLatest } from './migrate.js';

describe('embedded Postgres (PGlite) through kysely', () => {
  let dir: string;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'junction-pglite-'));
    handle = await openPGlite(dir);
    await migrateToLatest(handle.db, silentLogger());
  });
  afterAll(async () => {
    await handle?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the migrations and answers the readiness check', async () => {
    expect(handle.kind).toBe('pglite');
    await expect(handle.check()).resolves.toBeUndefined();
    // A second run finds nothing to do.
    expect(await migrateToLatest(handle.db, silentLogger())).toEqual([]);
  });

  it('commits and rolls back transactions', async () => {
    const message = { messageId: 'm-1', subject: 'junction.orders.received' };
    expect(await processOnce(handle.db, 'c', message, async () => undefined)).toBe('processed');
    expect(await processOnce(handle.db, 'c', message, async () => undefined)).toBe('duplicate');
    await expect(
      processOnce(handle.db, 'c', { ...message, messageId: 'm-2' }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const ids = await handle.db.selectFrom('processed_messages').select('message_id').orderBy('message_id').execute();
    expect(ids.map((r) => r.message_id)).toEqual(['m-1']);
  });

  it('keeps concurrent transactions from interleaving on its single connection', async () => {
    await sql`create table counter (n integer not null)`.execute(handle.db);
    await sql`insert into counter values (0)`.execute(handle.db);
    // Read-then-write increments: interleaved on one connection they would lose updates or
    // nest BEGINs; serialized they add up.
    await Promise.all(
      Array.from({ length: 10 }, () =>
        handle.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ n: number }>`select n from counter`.execute(trx);
          await new Promise((r) => setTimeout(r, 2));
          await sql`update counter set n = ${rows[0]!.n + 1}`.execute(trx);
        }),
      ),
    );
    const { rows } = await sql<{ n: number }>`select n from counter`.execute(handle.db);
    expect(rows[0]!.n).toBe(10);
  });

  it('reports affected rows', async () => {
    const result = await handle.db.deleteFrom('processed_messages').where('consumer', '=', 'c').executeTakeFirst();
    expect(result.numDeletedRows).toBe(1n);
  });
});
