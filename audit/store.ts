import { sql, type Kysely } from 'kysely';
import type { Checkpoint, CheckpointSigner } from './checkpoint.js';
import { decompositionLevels, Frontier, hashChildren, type CompletedNode, type SubtreeSource } from './merkle.js';
import { sealRecord, type AuditRecord, type RecordBody } from './record.js';
import { ZERO_HASH } from './record.js';

/**
 * Postgres access for the log: appending sealed records under a lock that
 * keeps `seq` gap-free, and reading records, subtree hashes and checkpoints.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AuditDb = Kysely<any>;

/** pg_advisory_xact_lock key serialising appends (any bigint unique to this purpose). */
export const APPEND_LOCK_KEY = 7_146_421_902_001n;
/** Subtree levels stored in audit_merkle_nodes: multiples of this (level 0 lives in audit_decisions). */
export const NODE_LEVEL_STRIDE = 4;

export type PendingDecision = Omit<RecordBody, 'seq'>;

/** bytea arrives as Buffer from pg and as Uint8Array from PGlite. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Head of the log as known by one appender; reused across batches while it still matches the database. */
export interface AppendState {
  headSeq: number;
  headHash: Buffer;
  frontier: Frontier;
  lastCheckpointSize: number;
}

export interface AppendResult {
  inserted: AuditRecord[];
  duplicates: string[]; // decision ids already in the log (or repeated in the batch)
  state: AppendState;
  checkpoint: Checkpoint | null;
}

export interface AppendOptions {
  state?: AppendState | null;
  /** Signs a checkpoint in the same transaction when this returns true for the new state. */
  signer?: CheckpointSigner;
  checkpointDue?: (state: AppendState, newRecords: number) => boolean;
  /** Test hook: runs inside the transaction just before COMMIT. */
  beforeCommit?: () => Promise<void> | void;
}

export const RECORD_COLUMNS = sql`seq, decision_id::text AS decision_id,
  to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "timestamp",
  path, input, result, bundles, metrics, wasm_digest, request_id, order_id, customer_id, network_event_id,
  principal, component, masked, erased,
  encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash, encode(leaf_hash, 'hex') AS leaf_hash`;

export interface RecordRow extends Omit<AuditRecord, 'seq'> {
  seq: string | number;
}

export function rowToRecord(row: RecordRow): AuditRecord {
  return { ...row, seq: Number(row.seq) };
}

/**
 * Appends decisions in one transaction. Under the advisory lock: drops ids
 * already stored (idempotency — the equivalent of ON CONFLICT DO NOTHING, but
 * decided before seq numbers are handed out so the sequence stays gap-free),
 * numbers the rest from the current head, chains and seals them, stores the
 * completed Merkle subtrees, and optionally a signed checkpoint.
 */
export async function appendDecisions(db: AuditDb, decisions: readonly PendingDecision[], options: AppendOptions = {}): Promise<AppendResult> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY.toString()}::bigint)`.execute(trx);
    const ids = decisions.map((d) => d.decision_id);
    const { state, existing } = await currentState(trx, options.state ?? null, ids);
    const seen = new Set<string>(existing);
    const duplicates: string[] = [];
    const fresh: PendingDecision[] = [];
    for (const d of decisions) {
      if (seen.has(d.decision_id)) duplicates.push(d.decision_id);
      else {
        seen.add(d.decision_id);
        fresh.push(d);
      }
    }

    const frontier = state.frontier.clone();
    const nodes: CompletedNode[] = [];
    const inserted: AuditRecord[] = [];
    let prev = state.headHash;
    let seq = state.headSeq;
    for (const d of fresh) {
      seq++;
      const sealed = sealRecord({ ...d, seq }, prev);
      frontier.append(sealed.leafHash, (node) => {
        if (node.level > 0 && node.level % NODE_LEVEL_STRIDE === 0) nodes.push(node);
      });
      inserted.push(sealed.record);
      prev = sealed.hash;
    }
    if (inserted.length > 0) await insertRecords(trx, inserted, nodes);

    let next: AppendState = { headSeq: seq, headHash: prev, frontier, lastCheckpointSize: state.lastCheckpointSize };
    let checkpoint: Checkpoint | null = null;
    if (options.signer && next.headSeq > next.lastCheckpointSize && options.checkpointDue?.(next, inserted.length)) {
      checkpoint = await insertCheckpoint(trx, options.signer, next);
      next = { ...next, lastCheckpointSize: checkpoint.tree_size };
    }
    await options.beforeCommit?.();
    return { inserted, duplicates, state: next, checkpoint };
  });
}

/** Signs and stores a checkpoint at the current head if the head moved since the last one. */
export async function writeCheckpoint(db: AuditDb, signer: CheckpointSigner, cached: AppendState | null = null): Promise<{ checkpoint: Checkpoint | null; state: AppendState }> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY.toString()}::bigint)`.execute(trx);
    const { state } = await currentState(trx, cached, []);
    if (state.headSeq === 0 || state.headSeq <= state.lastCheckpointSize) return { checkpoint: null, state };
    const checkpoint = await insertCheckpoint(trx, signer, state);
    return { checkpoint, state: { ...state, lastCheckpointSize: checkpoint.tree_size } };
  });
}

async function insertCheckpoint(trx: AuditDb, signer: CheckpointSigner, state: AppendState): Promise<Checkpoint> {
  const checkpoint = signer.sign({
    tree_size: state.headSeq,
    root_hash: state.frontier.root().toString('hex'),
    timestamp: new Date().toISOString().replace('Z', '000Z'),
  });
  await sql`INSERT INTO audit_checkpoints (tree_size, root_hash, "timestamp", key_id, signature)
    VALUES (${checkpoint.tree_size}, decode(${checkpoint.root_hash}, 'hex'), ${checkpoint.timestamp}, ${checkpoint.key_id}, decode(${checkpoint.signature}, 'base64'))`.execute(trx);
  return checkpoint;
}

/** The head (reusing `cached` while it matches) and which of `ids` are already stored — one round trip. */
async function currentState(trx: AuditDb, cached: AppendState | null, ids: readonly string[]): Promise<{ state: AppendState; existing: string[] }> {
  const r = await sql<{ seq: string | null; hash: Buffer | null; existing: string[] | null }>`SELECT h.seq, h.hash,
      (SELECT array_agg(decision_id::text) FROM audit_decisions WHERE decision_id = ANY(${ids}::uuid[])) AS existing
    FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT seq, hash FROM audit_decisions ORDER BY seq DESC LIMIT 1) AS h ON true`.execute(trx);
  const row = r.rows[0]!;
  const headSeq = row.seq === null ? 0 : Number(row.seq);
  const headHash = row.hash ? asBuffer(row.hash) : ZERO_HASH;
  const existing = row.existing ?? [];
  if (cached && cached.headSeq === headSeq && cached.headHash.equals(headHash)) {
    // lastCheckpointSize may lag if another process checkpointed; a stale value only causes an extra checkpoint.
    return { state: cached, existing };
  }
  const cp = await sql<{ size: string | null }>`SELECT max(tree_size) AS size FROM audit_checkpoints`.execute(trx);
  const state = { headSeq, headHash, frontier: await loadFrontier(trx, headSeq), lastCheckpointSize: Number(cp.rows[0]?.size ?? 0) };
  return { state, existing };
}

/** Records and the Merkle subtrees they complete, in one statement. */
async function insertRecords(trx: AuditDb, records: readonly AuditRecord[], nodes: readonly CompletedNode[]): Promise<void> {
  // One array parameter per column, expanded by unnest: a single statement per
  // batch (measured faster here than json_populate_recordset over one document).
  const col = <K extends keyof AuditRecord>(k: K) => records.map((r) => r[k]);
  const json = (k: keyof AuditRecord) => records.map((r) => JSON.stringify(r[k]));
  await sql`
    WITH nodes AS (
      INSERT INTO audit_merkle_nodes (level, idx, hash)
      SELECT level, idx, decode(hash, 'hex') FROM unnest(${nodes.map((n) => n.level)}::smallint[], ${nodes.map((n) => n.index)}::bigint[],
        ${nodes.map((n) => n.hash.toString('hex'))}::text[]) AS n(level, idx, hash)
    )
    INSERT INTO audit_decisions (seq, decision_id, "timestamp", path, input, result, bundles, metrics, wasm_digest,
      request_id, order_id, customer_id, network_event_id, principal, component, masked, erased, prev_hash, hash, leaf_hash)
    SELECT seq, decision_id, ts, path, input, result, bundles, metrics, wasm_digest,
      request_id, order_id, customer_id, network_event_id, principal, component, masked, erased,
      decode(prev_hash, 'hex'), decode(hash, 'hex'), decode(leaf_hash, 'hex')
    FROM unnest(${col('seq')}::bigint[], ${col('decision_id')}::uuid[], ${col('timestamp')}::timestamptz[], ${col('path')}::text[],
      ${json('input')}::json[], ${json('result')}::jsonb[], ${json('bundles')}::json[], ${json('metrics')}::json[],
      ${col('wasm_digest')}::text[], ${col('request_id')}::text[], ${col('order_id')}::text[], ${col('customer_id')}::text[],
      ${col('network_event_id')}::text[], ${col('principal')}::text[], ${col('component')}::text[],
      ${json('masked')}::json[], ${json('erased')}::json[],
      ${col('prev_hash')}::text[], ${col('hash')}::text[], ${col('leaf_hash')}::text[])
      AS t(seq, decision_id, ts, path, input, result, bundles, metrics, wasm_digest, request_id, order_id, customer_id,
           network_event_id, principal, component, masked, erased, prev_hash, hash, leaf_hash)`.execute(trx);
}

/** Rebuilds the right edge of the tree of `size` leaves from stored hashes. */
export async function loadFrontier(db: AuditDb, size: number): Promise<Frontier> {
  const source = dbSubtreeSource(db);
  const hashes: Buffer[] = [];
  let start = 0;
  for (const level of decompositionLevels(size)) {
    hashes.push(await source.perfect(level, start / 2 ** level));
    start += 2 ** level;
  }
  return Frontier.fromSubtrees(size, hashes);
}

/**
 * Perfect-subtree hashes from the database: level 0 from leaf hashes, stored
 * levels (multiples of NODE_LEVEL_STRIDE) directly, levels in between hashed
 * up from at most 2^(stride-1) rows of the stored level below.
 */
export function dbSubtreeSource(db: AuditDb): SubtreeSource {
  const memo = new Map<string, Buffer>();
  const fetchLevel = async (level: number, from: number, count: number): Promise<Buffer[]> => {
    const rows =
      level === 0
        ? (await sql<{ h: Buffer }>`SELECT leaf_hash AS h FROM audit_decisions WHERE seq > ${from} AND seq <= ${from + count} ORDER BY seq`.execute(db)).rows
        : (await sql<{ h: Buffer }>`SELECT hash AS h FROM audit_merkle_nodes WHERE level = ${level} AND idx >= ${from} AND idx < ${from + count} ORDER BY idx`.execute(db)).rows;
    if (rows.length !== count) throw new MissingSubtreeError(level, from, count, rows.length);
    return rows.map((r) => asBuffer(r.h));
  };
  const perfect = async (level: number, index: number): Promise<Buffer> => {
    const key = `${level}:${index}`;
    const known = memo.get(key);
    if (known) return known;
    const base = level - (level % NODE_LEVEL_STRIDE);
    const span = 2 ** (level - base);
    let hashes = await fetchLevel(base, index * span, span);
    while (hashes.length > 1) {
      const up: Buffer[] = [];
      for (let i = 0; i < hashes.length; i += 2) up.push(hashChildren(hashes[i]!, hashes[i + 1]!));
      hashes = up;
    }
    memo.set(key, hashes[0]!);
    return hashes[0]!;
  };
  return { perfect };
}

export class MissingSubtreeError extends Error {
  constructor(level: number, from: number, count: number, found: number) {
    super(`audit log is missing Merkle data: level ${level} entries ${from}..${from + count - 1} (found ${found} of ${count})`);
    this.name = 'MissingSubtreeError';
  }
}

export async function headSeq(db: AuditDb): Promise<number> {
  const r = await sql<{ seq: string | null }>`SELECT max(seq) AS seq FROM audit_decisions`.execute(db);
  return Number(r.rows[0]?.seq ?? 0);
}

export async function getRecordById(db: AuditDb, decisionId: string): Promise<AuditRecord | null> {
  const r = await sql<RecordRow>`SELECT ${RECORD_COLUMNS} FROM audit_decisions WHERE decision_id = ${decisionId}::uuid`.execute(db);
  return r.rows[0] ? rowToRecord(r.rows[0]) : null;
}

interface CheckpointRow {
  tree_size: string;
  root_hash: string;
  timestamp: string;
  key_id: string;
  signature: string;
}

const CHECKPOINT_COLUMNS = sql`tree_size, encode(root_hash, 'hex') AS root_hash, "timestamp", key_id, encode(signature, 'base64') AS signature`;

function rowToCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    version: 'junction-audit-checkpoint/v1',
    tree_size: Number(row.tree_size),
    root_hash: row.root_hash,
    timestamp: row.timestamp,
    key_id: row.key_id,
    signature: row.signature.replace(/\n/g, ''),
  };
}

/** Checkpoints in tree-size order; `after` / `limit` page through them. */
export async function listCheckpoints(db: AuditDb, opts: { after?: number; upTo?: number; limit?: number } = {}): Promise<Checkpoint[]> {
  const r = await sql<CheckpointRow>`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints
    WHERE tree_size > ${opts.after ?? 0} AND tree_size <= ${opts.upTo ?? Number.MAX_SAFE_INTEGER}
    ORDER BY tree_size LIMIT ${opts.limit ?? 1000}`.execute(db);
  return r.rows.map(rowToCheckpoint);
}

export async function getCheckpoint(db: AuditDb, treeSize: number): Promise<Checkpoint | null> {
  const r = await sql<CheckpointRow>`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE tree_size = ${treeSize}`.execute(db);
  return r.rows[0] ? rowToCheckpoint(r.rows[0]) : null;
}

/** The earliest checkpoint covering `seq` (tree_size ≥ seq), or null if none covers it yet. */
export async function checkpointCovering(db: AuditDb, seq: number): Promise<Checkpoint | null> {
  const r = await sql<CheckpointRow>`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE tree_size >= ${seq} ORDER BY tree_size LIMIT 1`.execute(db);
  return r.rows[0] ? rowToCheckpoint(r.rows[0]) : null;
}

export async function latestCheckpoint(db: AuditDb): Promise<Checkpoint | null> {
  const r = await sql<CheckpointRow>`SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1`.execute(db);
  return r.rows[0] ? rowToCheckpoint(r.rows[0]) : null;
}
