import { createHash, hash as oneShotHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical.js';
import { isUuid } from './uuidv7.js';

/**
 * The decision record. Field names follow OPA's decision-log event format
 * (`decision_id`, `path`, `input`, `result`, `timestamp`, `bundles`,
 * `metrics`, `masked`, `erased`) so tools that read OPA decision logs read
 * these; Junction's own fields sit beside them (`wasm_digest`, correlation
 * ids, `principal`, `component`) and the log's integrity fields (`seq`,
 * `prev_hash`, `hash`, `leaf_hash`) are added on storage.
 */

/** What a policy evaluation publishes on the decisions stream. */
export const decisionEventSchema = z.object({
  decision_id: z.string().refine(isUuid, 'decision_id must be a lowercase UUID (use UUIDv7)'),
  timestamp: z.string(),
  path: z.string().min(1),
  input: z.unknown().optional(),
  result: z.unknown().optional(),
  bundles: z.record(z.string(), z.object({ revision: z.string() })).optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  wasm_digest: z.string().nullish(),
  request_id: z.string().nullish(),
  order_id: z.string().nullish(),
  customer_id: z.string().nullish(),
  network_event_id: z.string().nullish(),
  principal: z.string().nullish(),
  component: z.string().nullish(),
  /** Extra paths to mask, e.g. decided by a Rego mask rule; merged with configured rules. */
  redact: z.array(z.string()).optional(),
});

export type DecisionEvent = z.input<typeof decisionEventSchema>;

/** The hashed content of one record: everything except the integrity hashes. */
export interface RecordBody {
  seq: number;
  decision_id: string;
  timestamp: string;
  path: string;
  input: unknown;
  result: unknown;
  bundles: Record<string, { revision: string }>;
  metrics: Record<string, number>;
  wasm_digest: string | null;
  request_id: string | null;
  order_id: string | null;
  customer_id: string | null;
  network_event_id: string | null;
  principal: string | null;
  component: string | null;
  masked: string[];
  erased: string[];
}

/** A stored record as exported (hashes as lowercase hex). */
export interface AuditRecord extends RecordBody {
  prev_hash: string;
  hash: string;
  leaf_hash: string;
}

export const BODY_FIELDS = [
  'seq', 'decision_id', 'timestamp', 'path', 'input', 'result', 'bundles', 'metrics', 'wasm_digest',
  'request_id', 'order_id', 'customer_id', 'network_event_id', 'principal', 'component', 'masked', 'erased',
] as const satisfies readonly (keyof RecordBody)[];

export const ZERO_HASH = Buffer.alloc(32);

export function sha256(...parts: (Buffer | string)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Picks exactly the body fields, so extra properties never leak into a hash. */
export function recordBody(record: RecordBody): RecordBody {
  const body = {} as Record<string, unknown>;
  for (const field of BODY_FIELDS) body[field] = record[field];
  return body as unknown as RecordBody;
}

export function canonicalBody(record: RecordBody): string {
  return canonicalJson(recordBody(record));
}

/** SHA-256 over `prefix || utf8(text)` in one call (the hot path for every record). */
function prefixedHash(prefix: Buffer, text: string): Buffer {
  const length = Buffer.byteLength(text, 'utf8');
  const input = Buffer.allocUnsafe(prefix.length + length);
  prefix.copy(input, 0);
  input.write(text, prefix.length, 'utf8');
  return oneShotHash('sha256', input, 'buffer');
}

const LEAF_PREFIX = Buffer.from([0x00]);

/** RFC 9162 leaf hash: SHA-256(0x00 || canonical JSON of the body). */
export function leafHashOf(canonical: string): Buffer {
  return prefixedHash(LEAF_PREFIX, canonical);
}

/** Chain hash: SHA-256(previous record's hash (32 bytes) || canonical JSON of the body). */
export function chainHashOf(prevHash: Buffer, canonical: string): Buffer {
  if (prevHash.length !== 32) throw new RangeError('previous hash must be 32 bytes');
  return prefixedHash(prevHash, canonical);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

export class InvalidTimestampError extends Error {
  constructor(value: string) {
    super(`timestamp is not RFC 3339: ${JSON.stringify(value)}`);
    this.name = 'InvalidTimestampError';
  }
}

/**
 * Normalises an RFC 3339 timestamp to UTC with exactly six fractional digits
 * (`2026-01-02T03:04:05.123456Z`). Postgres timestamptz keeps microseconds, so
 * the value hashed is exactly the value stored; extra nanosecond digits are
 * truncated before hashing.
 */
export function normaliseTimestamp(value: string): string {
  const m = RFC3339.exec(value);
  if (!m) throw new InvalidTimestampError(value);
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) throw new InvalidTimestampError(value);
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    const [oh, om] = zone!.slice(1).split(':').map(Number);
    ms -= sign * ((oh ?? 0) * 60 + (om ?? 0)) * 60_000;
  }
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new InvalidTimestampError(value);
  return `${date.toISOString().slice(0, 19)}.${frac.padEnd(6, '0').slice(0, 6)}Z`;
}

/** Hashes a body given the previous hash; returns the stored form. */
export function sealRecord(body: RecordBody, prevHash: Buffer): { record: AuditRecord; hash: Buffer; leafHash: Buffer } {
  const canonical = canonicalBody(body);
  const hash = chainHashOf(prevHash, canonical);
  const leafHash = leafHashOf(canonical);
  return {
    record: { ...recordBody(body), prev_hash: prevHash.toString('hex'), hash: hash.toString('hex'), leaf_hash: leafHash.toString('hex') },
    hash,
    leafHash,
  };
}
