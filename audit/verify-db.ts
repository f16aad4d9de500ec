import { sql } from 'kysely';
import type { KeyObject } from 'node:crypto';
import type { Checkpoint } from './checkpoint.js';
import { Frontier } from './merkle.js';
import { ZERO_HASH } from './record.js';
import { asBuffer, headSeq, listCheckpoints, loadFrontier, NODE_LEVEL_STRIDE, RECORD_COLUMNS, rowToRecord, type AuditDb, type RecordRow } from './store.js';
import { LogVerifier, type VerifyFailure } from './verifier.js';

/**
 * Verification of the stored log over a seq range: every record's chain and
 * leaf hash, every stored Merkle subtree the range completes, and every
 * signed checkpoint inside the range. Reads in keyset pages, so memory stays
 * flat however long the range.
 *
 * Starting above seq 1 trusts the stored hash of seq from-1 and the stored
 * subtree hashes before `from`; start at 1 to trust nothing but the key.
 */

export interface VerifyProgress {
  verified: number;
  lastSeq: number;
  to: number;
}

export interface VerifyRangeOptions {
  from?: number;
  to?: number;
  publicKey: KeyObject;
  pageSize?: number;
  onProgress?: (progress: VerifyProgress) => void | Promise<void>;
}

export interface VerifyReport {
  ok: boolean;
  from: number;
  to: number;
  verified: number;
  checkpoints_verified: number;
  first_broken_seq: number | null;
  failure: VerifyFailure | null;
  /** Merkle root of the tree of size `to` as recomputed (when the range verified). */
  root_hash: string | null;
}

export async function verifyStoredLog(db: AuditDb, options: VerifyRangeOptions): Promise<VerifyReport> {
  const head = await headSeq(db);
  const from = Math.max(1, options.from ?? 1);
  const to = options.to ?? head;
  const pageSize = options.pageSize ?? 5_000;

  let prevHash: Buffer = ZERO_HASH;
  let frontier = Frontier.empty();
  if (from > 1) {
    const prev = await sql<{ hash: Buffer }>`SELECT hash FROM audit_decisions WHERE seq = ${from - 1}`.execute(db);
    if (!prev.rows[0]) {
      const failure: VerifyFailure = { seq: from - 1, reason: 'missing', detail: `seq ${from - 1} (just before the range) is missing` };
      return report(from, to, null, failure);
    }
    prevHash = asBuffer(prev.rows[0].hash);
    frontier = await loadFrontier(db, from - 1);
  }

  const checkpoints: Checkpoint[] = [];
  for (let after = from - 1; ; ) {
    const page = await listCheckpoints(db, { after, upTo: options.to ?? Number.MAX_SAFE_INTEGER, limit: 10_000 });
    checkpoints.push(...page);
    if (page.length < 10_000) break;
    after = page[page.length - 1]!.tree_size;
  }

  const storedNodes = new Map<string, Buffer>();
  const verifier = new LogVerifier({
    startSeq: from,
    prevHash,
    frontier,
    checkpoints,
    publicKey: options.publicKey,
    storedNode: (level, index) => storedNodes.get(`${level}:${index}`),
  });

  // Pages are fetched one ahead, so Postgres reads the next page while this one is hashed.
  const fetchPage = async (cursor: number) => {
    const end = Math.min(cursor + pageSize, to);
    const [rows, nodes] = await Promise.all([
      sql<RecordRow>`SELECT ${RECORD_COLUMNS} FROM audit_decisions WHERE seq > ${cursor} AND seq <= ${end} ORDER BY seq`.execute(db),
      sql<{ level: number; idx: string; hash: Buffer }>`SELECT level, idx, hash FROM audit_merkle_nodes
        WHERE ((idx + 1) << level) > ${cursor} AND ((idx + 1) << level) <= ${end} AND level % ${NODE_LEVEL_STRIDE} = 0`.execute(db),
    ]);
    return { end, rows: rows.rows, nodes: nodes.rows };
  };
  let next = from - 1 < to ? fetchPage(from - 1) : null;
  while (next && !verifier.failure) {
    const page = await next;
    next = page.end < to ? fetchPage(page.end) : null;
    storedNodes.clear();
    for (const n of page.nodes) storedNodes.set(`${n.level}:${n.idx}`, asBuffer(n.hash));
    for (const row of page.rows) if (verifier.push(rowToRecord(row))) break;
    if (!verifier.failure) verifier.expectEnd(page.end);
    await options.onProgress?.({ verified: verifier.verified, lastSeq: verifier.lastSeq, to });
  }
  await next?.catch(() => undefined);

  // Verifying to the head: a checkpoint beyond the last row means rows were cut off the end.
  if (!verifier.failure && options.to === undefined) verifier.expectNoCheckpointsBeyondEnd();
  return report(from, to, verifier, verifier.failure);
}

function report(from: number, to: number, verifier: LogVerifier | null, failure: VerifyFailure | null): VerifyReport {
  return {
    ok: failure === null,
    from,
    to,
    verified: verifier?.verified ?? 0,
    checkpoints_verified: verifier?.checkpointsVerified ?? 0,
    first_broken_seq: failure?.seq ?? null,
    failure,
    root_hash: failure ? null : (verifier?.root()?.toString('hex') ?? null),
  };
}
