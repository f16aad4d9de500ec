import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGliteDialect } from '../platform/db/pglite-dialect.js';
import { createCheckpointSigner, generateSigningKey } from './checkpoint.js';
import { inclusionProof, verifyInclusion } from './merkle.js';
import { applyAuditMigrations } from './migrations/index.js';
import { appendDecisions, dbSubtreeSource, getRecordById, latestCheckpoint, type AppendState, type AuditDb } from './store.js';
import { pendingDecision } from './testing/fixtures.js';
import { verifyStoredLog } from './verify-db.js';

/** The platform falls back to embedded PGlite when no Postgres answers; the log must work there too. */
describe('decision log on PGlite', () => {
  let db: AuditDb;
  const signer = createCheckpointSigner(generateSigningKey());
  beforeAll(async () => {
    db = new Kysely<any>({ dialect: new PGliteDialect(await PGlite.create()) });
    await applyAuditMigrations(db);
  });
  afterAll(async () => db?.destroy());

  it('appends, checkpoints, proves and verifies; rejects UPDATE', async () => {
    let state: AppendState | null = null;
    const decisions = Array.from({ length: 70 }, (_, i) => pendingDecision(i));
    for (let i = 0; i < 70; i += 20) ({ state } = await appendDecisions(db, decisions.slice(i, i + 20), { state: null, signer, checkpointDue: () => true }));
    expect(state!.headSeq).toBe(70);
    expect(await verifyStoredLog(db, { publicKey: signer.publicKey })).toMatchObject({ ok: true, verified: 70, checkpoints_verified: 4 });
    expect(await verifyStoredLog(db, { publicKey: signer.publicKey, from: 33 })).toMatchObject({ ok: true, verified: 38 });
    const record = (await getRecordById(db, decisions[40]!.decision_id))!;
    const cp = (await latestCheckpoint(db))!;
    const proof = await inclusionProof(dbSubtreeSource(db), record.seq - 1, cp.tree_size);
    expect(verifyInclusion(Buffer.from(record.leaf_hash, 'hex'), record.seq - 1, cp.tree_size, proof, Buffer.from(cp.root_hash, 'hex'))).toBe(true);
    await expect(sql`UPDATE audit_decisions SET path = 'x' WHERE seq = 1`.execute(db)).rejects.toThrow(/append-only/);
  });
});
