import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpointSigner, generateSigningKey, verifyCheckpointSignature } from './checkpoint.js';
import { consistencyProof, inclusionProof, memorySubtreeSource, verifyConsistency, verifyInclusion } from './merkle.js';
import { applyAuditMigrations } from './migrations/index.js';
import { sealRecord, ZERO_HASH } from './record.js';
import {
  appendDecisions,
  dbSubtreeSource,
  getRecordById,
  listCheckpoints,
  RECORD_COLUMNS,
  rowToRecord,
  writeCheckpoint,
  type AuditDb,
  type RecordRow,
} from './store.js';
import { createAuditTestDatabase, pendingDecision, type AuditTestDatabase } from './testing/fixtures.js';
import { verifyStoredLog } from './verify-db.js';

const signer = createCheckpointSigner(generateSigningKey());

/** Fills a fresh log with n records in batches of `batch`, checkpointing after each batch. */
async function fill(db: AuditDb, n: number, batch = 50): Promise<void> {
  let state = null;
  for (let i = 0; i < n; i += batch) {
    const decisions = Array.from({ length: Math.min(batch, n - i) }, (_, k) => pendingDecision(i + k));
    ({ state } = await appendDecisions(db, decisions, { state, signer, checkpointDue: () => true }));
  }
}

async function asSuperuserWithoutTriggers(db: AuditDb, work: (trx: AuditDb) => Promise<void>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(trx); // disables ordinary triggers
    await work(trx);
  });
}

async function allRecords(db: AuditDb) {
  const r = await sql<RecordRow>`SELECT ${RECORD_COLUMNS} FROM audit_decisions ORDER BY seq`.execute(db);
  return r.rows.map(rowToRecord);
}

describe('decision log store', () => {
  let t: AuditTestDatabase;
  beforeAll(async () => {
    t = await createAuditTestDatabase();
  });
  afterAll(async () => t?.drop());

  it('numbers appended decisions 1..n without gaps, chains them, and is idempotent on decision_id', async () => {
    const first = Array.from({ length: 10 }, (_, i) => pendingDecision(i));
    const a = await appendDecisions(t.db, first);
    expect(a.inserted.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(a.inserted[0]!.prev_hash).toBe(ZERO_HASH.toString('hex'));
    expect(a.inserted[1]!.prev_hash).toBe(a.inserted[0]!.hash);

    // a redelivered batch mixed with new decisions (and one repeated inside the batch)
    const extra = pendingDecision(10);
    const b = await appendDecisions(t.db, [first[3]!, extra, first[7]!, extra], { state: a.state });
    expect(b.inserted.map((r) => r.seq)).toEqual([11]);
    expect(b.duplicates.sort()).toEqual([first[3]!.decision_id, first[7]!.decision_id, extra.decision_id].sort());

    // a stale cached state is detected and reloaded from the database
    const c = await appendDecisions(t.db, [pendingDecision(11)], { state: a.state });
    expect(c.inserted[0]!.seq).toBe(12);
    expect(c.inserted[0]!.prev_hash).toBe(b.inserted[0]!.hash);

    const stored = await allRecords(t.db);
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(stored[10]).toEqual(b.inserted[0]);
    expect(await getRecordById(t.db, extra.decision_id)).toEqual(b.inserted[0]);
    expect((await verifyStoredLog(t.db, { publicKey: signer.publicKey })).ok).toBe(true);
  });

  it('rejects UPDATE, DELETE and TRUNCATE, even from a superuser', async () => {
    await expect(sql`UPDATE audit_decisions SET path = 'x' WHERE seq = 1`.execute(t.db)).rejects.toThrow(/append-only: UPDATE/);
    await expect(sql`DELETE FROM audit_decisions WHERE seq = 1`.execute(t.db)).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`TRUNCATE audit_decisions`.execute(t.db)).rejects.toThrow(/append-only: TRUNCATE/);
    await writeCheckpoint(t.db, signer);
    await expect(sql`DELETE FROM audit_checkpoints`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE audit_checkpoints SET tree_size = tree_size + 1`.execute(t.db)).rejects.toThrow(/append-only: UPDATE/);
    await expect(sql`TRUNCATE audit_merkle_nodes`.execute(t.db)).rejects.toThrow(/append-only: TRUNCATE/);
  });

  it('gives the application role INSERT and SELECT only', async () => {
    await t.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL ROLE junction_audit_writer`.execute(trx);
      const n = await sql<{ n: string }>`SELECT count(*) AS n FROM audit_decisions`.execute(trx);
      expect(Number(n.rows[0]!.n)).toBeGreaterThan(0);
      await sql`SAVEPOINT s`.execute(trx);
      await expect(sql`UPDATE audit_decisions SET path = 'x'`.execute(trx)).rejects.toThrow(/permission denied/);
      await sql`ROLLBACK TO SAVEPOINT s`.execute(trx);
      await expect(sql`DELETE FROM audit_checkpoints`.execute(trx)).rejects.toThrow(/permission denied/);
      await sql`ROLLBACK TO SAVEPOINT s`.execute(trx);
      await expect(sql`TRUNCATE audit_decisions`.execute(trx)).rejects.toThrow(/permission denied/);
    });
  });

  it('applying the migrations again changes nothing', async () => {
    await applyAuditMigrations(t.db);
    expect((await allRecords(t.db)).length).toBe(12);
  });
});

describe('verification of the stored log finds the first broken seq', () => {
  const dbs: AuditTestDatabase[] = [];
  const fresh = async (n: number) => {
    const t = await createAuditTestDatabase();
    dbs.push(t);
    await fill(t.db, n);
    return t.db;
  };
  afterAll(async () => {
    for (const t of dbs) await t.drop();
  });

  it('passes an untouched log and checks every checkpoint', async () => {
    const db = await fresh(200);
    const report = await verifyStoredLog(db, { publicKey: signer.publicKey, pageSize: 64 });
    expect(report).toMatchObject({ ok: true, verified: 200, checkpoints_verified: 4, first_broken_seq: null });
    const cps = await listCheckpoints(db);
    expect(cps.map((c) => c.tree_size)).toEqual([50, 100, 150, 200]);
    expect(cps.every((c) => verifyCheckpointSignature(c, signer.publicKey))).toBe(true);
    expect(report.root_hash).toBe(cps[3]!.root_hash);
    // a range in the middle, trusting what lies before it
    expect(await verifyStoredLog(db, { publicKey: signer.publicKey, from: 77, to: 160 })).toMatchObject({ ok: true, verified: 84, checkpoints_verified: 2 });
  });

  it('names the altered row', async () => {
    const db = await fresh(120);
    await asSuperuserWithoutTriggers(db, async (trx) => {
      await sql`UPDATE audit_decisions SET result = '{"allow": false, "reasons": ["forged"]}' WHERE seq = 37`.execute(trx);
    });
    const report = await verifyStoredLog(db, { publicKey: signer.publicKey });
    expect(report).toMatchObject({ ok: false, first_broken_seq: 37, verified: 36 });
    expect(report.failure!.reason).toBe('hash_mismatch');
    // a range starting after the damage still verifies
    expect((await verifyStoredLog(db, { publicKey: signer.publicKey, from: 38 })).ok).toBe(true);
  });

  it('names a removed row, and rows cut off the end', async () => {
    const db = await fresh(120);
    await asSuperuserWithoutTriggers(db, async (trx) => {
      await sql`DELETE FROM audit_decisions WHERE seq = 20`.execute(trx);
    });
    expect(await verifyStoredLog(db, { publicKey: signer.publicKey })).toMatchObject({ ok: false, first_broken_seq: 20, failure: { reason: 'missing' } });

    const db2 = await fresh(100);
    await asSuperuserWithoutTriggers(db2, async (trx) => {
      await sql`DELETE FROM audit_decisions WHERE seq > 97`.execute(trx);
    });
    expect(await verifyStoredLog(db2, { publicKey: signer.publicKey })).toMatchObject({ ok: false, first_broken_seq: 98, failure: { reason: 'missing' } });
  });

  it('names an inserted row', async () => {
    const db = await fresh(60);
    await asSuperuserWithoutTriggers(db, async (trx) => {
      await sql`UPDATE audit_decisions SET seq = seq + 1000000 WHERE seq >= 15`.execute(trx);
      await sql`UPDATE audit_decisions SET seq = seq - 999999 WHERE seq > 1000000`.execute(trx);
      await sql`INSERT INTO audit_decisions SELECT 15, gen_random_uuid(), "timestamp", path, input, '{"allow": true}', bundles, metrics,
        wasm_digest, request_id, order_id, customer_id, network_event_id, principal, component, masked, erased, hash, hash, leaf_hash
        FROM audit_decisions WHERE seq = 14`.execute(trx);
    });
    expect(await verifyStoredLog(db, { publicKey: signer.publicKey })).toMatchObject({ ok: false, first_broken_seq: 15 });
  });

  it('catches a forger who recomputes every later hash, through the Merkle data and signed checkpoints', async () => {
    const db = await fresh(100);
    const records = await allRecords(db);
    await asSuperuserWithoutTriggers(db, async (trx) => {
      let prev: Buffer = Buffer.from(records[40]!.hash, 'hex');
      for (const r of records.slice(41)) {
        const body = r.seq === 42 ? { ...r, result: { allow: false, reasons: ['forged'] } } : r;
        const sealed = sealRecord(body, prev);
        prev = sealed.hash;
        await sql`UPDATE audit_decisions SET result = ${JSON.stringify(body.result)}::jsonb, prev_hash = decode(${sealed.record.prev_hash}, 'hex'),
          hash = ${sealed.hash}, leaf_hash = ${sealed.leafHash} WHERE seq = ${r.seq}`.execute(trx);
      }
    });
    const report = await verifyStoredLog(db, { publicKey: signer.publicKey });
    expect(report.ok).toBe(false);
    expect(['merkle_node_mismatch', 'checkpoint_root_mismatch']).toContain(report.failure!.reason);
    const [lo, hi] = report.failure!.range!;
    expect(lo).toBeLessThanOrEqual(42);
    expect(hi).toBeGreaterThanOrEqual(42);
    expect(hi - lo).toBeLessThan(50);
  });
});

describe('proofs from stored Merkle data', () => {
  let t: AuditTestDatabase;
  beforeAll(async () => {
    t = await createAuditTestDatabase();
    await fill(t.db, 300, 100);
  });
  afterAll(async () => t?.drop());

  it('match proofs over the same leaves in memory, and verify against signed roots', async () => {
    const records = await allRecords(t.db);
    const leaves = records.map((r) => Buffer.from(r.leaf_hash, 'hex'));
    const mem = memorySubtreeSource(leaves);
    const stored = dbSubtreeSource(t.db);
    const cps = await listCheckpoints(t.db);
    expect(cps.map((c) => c.tree_size)).toEqual([100, 200, 300]);
    for (const cp of cps) {
      for (const m of [0, 1, 15, 16, 17, 63, 64, 99, cp.tree_size - 1]) {
        if (m >= cp.tree_size) continue;
        const proof = await inclusionProof(stored, m, cp.tree_size);
        expect(proof.map((p) => p.toString('hex'))).toEqual((await inclusionProof(mem, m, cp.tree_size)).map((p) => p.toString('hex')));
        expect(verifyInclusion(leaves[m]!, m, cp.tree_size, proof, Buffer.from(cp.root_hash, 'hex'))).toBe(true);
      }
    }
    for (const [a, b] of [[100, 200], [100, 300], [200, 300]] as const) {
      const proof = await consistencyProof(stored, a, b);
      const [ca, cb] = [cps.find((c) => c.tree_size === a)!, cps.find((c) => c.tree_size === b)!];
      expect(verifyConsistency(a, b, Buffer.from(ca.root_hash, 'hex'), Buffer.from(cb.root_hash, 'hex'), proof)).toBe(true);
    }
  });
});
