/**
 * The record of finished calls by idempotency key. The runtime writes a result here once it is
 * final (success or permanent failure) and answers a replay of the key from it, so a redelivered
 * order message does not configure the network twice. Transient failures are not recorded: a
 * retry must really retry.
 *
 * The default is in memory; the orchestrator passes a durable implementation (Postgres, NATS KV)
 * with the same interface so the record survives a crash.
 */
import type { AdapterResult } from '../contract.js';

export interface IdempotencyRecord {
  /** Fingerprint of the action the key was first used with, to catch a key reused for another action. */
  fingerprint: string;
  result: AdapterResult;
  recordedAt: string;
}

export interface IdempotencyStore {
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Stores the record; a second put of the same key keeps the first (first writer wins). */
  put(key: string, record: IdempotencyRecord): Promise<void>;
}

export function memoryIdempotencyStore(): IdempotencyStore & { size(): number } {
  const records = new Map<string, IdempotencyRecord>();
  return {
    async get(key) {
      return records.get(key);
    },
    async put(key, record) {
      if (!records.has(key)) records.set(key, record);
    },
    size: () => records.size,
  };
}

/** Stable JSON (sorted keys) so equal actions get equal fingerprints. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}
