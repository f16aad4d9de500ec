/**
 * A durable IdempotencyStore on a NATS JetStream KV bucket (`<ns>_adapter_idempotency`), so a
 * recorded adapter result survives a crash of the orchestrator. First writer wins: `kv.create`
 * refuses an existing key, and the earlier record is kept.
 *
 * KV keys allow only [-/_=.a-zA-Z0-9]; idempotency keys are free text, so the bucket key is the
 * SHA-256 of it and the record keeps the original.
 */
import { createHash } from 'node:crypto';
import { Kvm, type KV } from '@nats-io/kv';
import type { Bus } from '../../platform/bus/bus.js';
import { bucketName } from '../../platform/bus/subjects.js';
import type { IdempotencyRecord, IdempotencyStore } from './idempotency.js';

export const IDEMPOTENCY_BUCKET = 'adapter_idempotency';

const bucketKey = (key: string) => createHash('sha256').update(key).digest('hex');

export function kvIdempotencyStore(kv: KV): IdempotencyStore {
  return {
    async get(key) {
      const entry = await kv.get(bucketKey(key));
      if (!entry || entry.operation !== 'PUT') return undefined;
      return entry.json<IdempotencyRecord & { key: string }>();
    },
    async put(key, record) {
      try {
        await kv.create(bucketKey(key), JSON.stringify({ ...record, key }));
      } catch (error) {
        // Someone recorded this key first: theirs stands. Any other error is real.
        const existing = await kv.get(bucketKey(key)).catch(() => null);
        if (existing?.operation === 'PUT') return;
        throw error;
      }
    },
  };
}

/** Opens (creating if needed) the namespace's idempotency bucket; records expire after `ttlMs`. */
export async function openKvIdempotencyStore(bus: Pick<Bus, 'js' | 'namespace'>, ttlMs = 7 * 24 * 60 * 60 * 1000): Promise<IdempotencyStore> {
  const kv = await new Kvm(bus.js).create(bucketName(bus.namespace, IDEMPOTENCY_BUCKET), { history: 1, ttl: ttlMs });
  return kvIdempotencyStore(kv);
}
