import { verifyCheckpointSignature, type Checkpoint } from './checkpoint.js';
import { CanonicalJsonError } from './canonical.js';
import { Frontier, type CompletedNode } from './merkle.js';
import { canonicalBody, chainHashOf, leafHashOf, ZERO_HASH, type AuditRecord } from './record.js';
import type { KeyObject } from 'node:crypto';

/**
 * Pure, streaming verification of the log. Feed records in seq order; the
 * verifier recomputes every chain hash and leaf hash from the record content,
 * rebuilds the Merkle tree, and checks signed checkpoints and (optionally)
 * stored subtree hashes as the tree reaches them. It stops at the first
 * problem and names the sequence number where the log stops being what was
 * written:
 *  - a row altered (any field, or its hashes)  → that row's seq;
 *  - a row removed                             → the missing seq;
 *  - a row inserted (later rows renumbered)    → the inserted row's seq.
 * A forger who also recomputes every later hash defeats the chain alone; the
 * signed checkpoints catch that, bounded to the records between the last good
 * checkpoint and the first bad one.
 */

export type VerifyFailureReason =
  | 'missing'
  | 'duplicate'
  | 'malformed'
  | 'prev_hash_mismatch'
  | 'hash_mismatch'
  | 'leaf_hash_mismatch'
  | 'merkle_node_mismatch'
  | 'checkpoint_root_mismatch'
  | 'checkpoint_signature_invalid';

export interface VerifyFailure {
  /** First sequence number that does not verify. */
  seq: number;
  reason: VerifyFailureReason;
  detail: string;
  /** For tree-level failures: the seq range the difference lies in. */
  range?: [number, number];
}

export interface LogVerifierOptions {
  /** Seq of the first record to be pushed; default 1. */
  startSeq?: number;
  /** Hash of record startSeq-1 (trusted); default the all-zero genesis hash. */
  prevHash?: Buffer;
  /** Tree state at startSeq-1 (trusted); default empty. Required to check checkpoints when startSeq > 1. */
  frontier?: Frontier;
  /** Checkpoints to check as the tree reaches their size (any order). */
  checkpoints?: readonly Checkpoint[];
  publicKey?: KeyObject;
  /** Stored subtree hash for (level, index), if the caller has it; compared when the subtree completes. */
  storedNode?: (level: number, index: number) => Buffer | undefined;
}

export class LogVerifier {
  private expectedSeq: number;
  private prevHash: Buffer;
  private readonly frontier: Frontier | null;
  private readonly pendingCheckpoints: Checkpoint[];
  private lastGoodCheckpointSize: number;
  private _failure: VerifyFailure | null = null;
  private _verified = 0;
  private _checkpointsVerified = 0;

  constructor(private readonly options: LogVerifierOptions = {}) {
    this.expectedSeq = options.startSeq ?? 1;
    this.prevHash = options.prevHash ?? ZERO_HASH;
    this.frontier = options.frontier ?? (this.expectedSeq === 1 ? Frontier.empty() : null);
    if (this.frontier && this.frontier.size !== this.expectedSeq - 1) {
      throw new RangeError(`frontier has size ${this.frontier.size}, expected ${this.expectedSeq - 1}`);
    }
    this.lastGoodCheckpointSize = this.expectedSeq - 1;
    const floor = this.expectedSeq - 1;
    this.pendingCheckpoints = [...(options.checkpoints ?? [])].filter((c) => c.tree_size > floor).sort((a, b) => a.tree_size - b.tree_size);
    if (this.pendingCheckpoints.length > 0 && !this.frontier) throw new RangeError('checkpoints can only be checked with a frontier');
    if (this.pendingCheckpoints.length > 0 && !options.publicKey) throw new RangeError('checkpoints need a public key');
  }

  get failure(): VerifyFailure | null {
    return this._failure;
  }
  get verified(): number {
    return this._verified;
  }
  get checkpointsVerified(): number {
    return this._checkpointsVerified;
  }
  /** Seq of the last record that verified. */
  get lastSeq(): number {
    return this.expectedSeq - 1;
  }
  get headHash(): Buffer {
    return this.prevHash;
  }
  root(): Buffer | null {
    return this.frontier?.root() ?? null;
  }
  /** Checkpoints above the last verified seq that the pushed records did not reach. */
  get uncheckedCheckpoints(): readonly Checkpoint[] {
    return this.pendingCheckpoints;
  }

  /** Declares that records up to `lastSeq` should have been pushed; fails with `missing` otherwise. */
  expectEnd(lastSeq: number): VerifyFailure | null {
    if (this._failure || this.lastSeq >= lastSeq) return this._failure;
    const seq = this.expectedSeq;
    return (this._failure = { seq, reason: 'missing', detail: `seq ${seq}..${lastSeq} missing at the end of the range` });
  }

  /** After the last record: a checkpoint for a larger tree means records were removed from the end. */
  expectNoCheckpointsBeyondEnd(): VerifyFailure | null {
    const beyond = this.pendingCheckpoints[this.pendingCheckpoints.length - 1];
    if (this._failure || !beyond) return this._failure;
    return (this._failure = {
      seq: this.expectedSeq,
      reason: 'missing',
      detail: `a checkpoint signed tree size ${beyond.tree_size}, but the records end at seq ${this.lastSeq}`,
    });
  }

  /** Returns the failure (sticky) or null if the record verified. */
  push(record: AuditRecord): VerifyFailure | null {
    if (this._failure) return this._failure;
    return (this._failure = this.check(record));
  }

  private check(record: AuditRecord): VerifyFailure | null {
    const seq = this.expectedSeq;
    if (!Number.isSafeInteger(record.seq)) return { seq, reason: 'malformed', detail: `record after seq ${seq - 1} has no integer seq` };
    if (record.seq > seq) return { seq, reason: 'missing', detail: `seq ${seq} is missing; next record present is seq ${record.seq}` };
    if (record.seq < seq) return { seq: record.seq, reason: 'duplicate', detail: `seq ${record.seq} appears again after seq ${seq - 1}` };
    if (record.prev_hash !== this.prevHash.toString('hex')) {
      return { seq, reason: 'prev_hash_mismatch', detail: `prev_hash does not equal the hash of seq ${seq - 1}` };
    }
    let canonical: string;
    try {
      canonical = canonicalBody(record);
    } catch (err) {
      if (err instanceof CanonicalJsonError) return { seq, reason: 'malformed', detail: err.message };
      throw err;
    }
    const hash = chainHashOf(this.prevHash, canonical);
    if (record.hash !== hash.toString('hex')) {
      return { seq, reason: 'hash_mismatch', detail: 'record content does not match its chain hash (altered or inserted)' };
    }
    const leafHash = leafHashOf(canonical);
    if (record.leaf_hash !== leafHash.toString('hex')) {
      return { seq, reason: 'leaf_hash_mismatch', detail: 'stored leaf hash does not match the record content' };
    }
    let nodeFailure: VerifyFailure | null = null;
    this.frontier?.append(leafHash, (node) => {
      if (!nodeFailure) nodeFailure = this.checkStoredNode(node);
    });
    if (nodeFailure) return nodeFailure;
    this.prevHash = hash;
    this.expectedSeq++;
    this._verified++;
    return this.checkReachedCheckpoints();
  }

  private checkStoredNode(node: CompletedNode): VerifyFailure | null {
    if (node.level === 0 || !this.options.storedNode) return null;
    const stored = this.options.storedNode(node.level, node.index);
    if (!stored || stored.equals(node.hash)) return null;
    const first = node.index * 2 ** node.level + 1;
    const last = (node.index + 1) * 2 ** node.level;
    return {
      seq: first,
      reason: 'merkle_node_mismatch',
      detail: `stored subtree hash (level ${node.level}, index ${node.index}) differs from the records' — records in seq ${first}..${last} were rewritten, or the subtree row was`,
      range: [first, last],
    };
  }

  private checkReachedCheckpoints(): VerifyFailure | null {
    const size = this.frontier?.size ?? -1;
    while (this.pendingCheckpoints.length > 0 && this.pendingCheckpoints[0]!.tree_size === size) {
      const cp = this.pendingCheckpoints.shift()!;
      if (!verifyCheckpointSignature(cp, this.options.publicKey!)) {
        return { seq: cp.tree_size, reason: 'checkpoint_signature_invalid', detail: `checkpoint at tree size ${cp.tree_size} has an invalid signature or unknown key` };
      }
      if (cp.root_hash !== this.frontier!.root().toString('hex')) {
        const from = this.lastGoodCheckpointSize + 1;
        return {
          seq: from,
          reason: 'checkpoint_root_mismatch',
          detail: `records 1..${cp.tree_size} do not produce the signed root; the difference lies in seq ${from}..${cp.tree_size}`,
          range: [from, cp.tree_size],
        };
      }
      this.lastGoodCheckpointSize = cp.tree_size;
      this._checkpointsVerified++;
    }
    return null;
  }
}
