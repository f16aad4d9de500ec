/**
 * Group publishing, the way databases group commits: on one subject, a payload published while an
 * earlier publish still waits for its ack is queued, and everything queued goes out together as
 * one message `{ batch: [payload, ...] }` when that ack arrives. Under load many payloads share one
 * JetStream write and one consumer ack; alone, a payload goes out at once, as itself.
 *
 * Order is kept: one publish is in flight at a time and the queue is first in, first out, so a
 * consumer sees payloads in the order they were published. Each caller's promise settles with its
 * message's ack (or its failure), so "published" still means "stored by the stream".
 *
 * Consumers read either shape with `ungroup`. A grouped message's id is derived from its payloads'
 * ids (a re-publish of the same group is dropped by the duplicate window); consumers must still
 * deduplicate per payload (the same payload can come again in another group after a crash).
 */
import { createHash } from 'node:crypto';
import { EncodedJson, type Bus, type PublishOptions } from './bus.js';

export interface GroupPublisher {
  publish(payload: unknown, options: PublishOptions): Promise<void>;
}

export interface GroupPublishOptions {
  /** Most payloads in one message. */
  maxBatch?: number;
  /** Most JSON bytes in one message (NATS' default max_payload is 1 MiB). */
  maxBytes?: number;
}

interface Queued {
  json: string;
  options: PublishOptions;
  resolve(): void;
  reject(err: unknown): void;
}

export function groupPublisher(bus: Pick<Bus, 'publish'>, subject: string, opts: GroupPublishOptions = {}): GroupPublisher {
  const maxBatch = opts.maxBatch ?? 500;
  const maxBytes = opts.maxBytes ?? 512 * 1024;
  const queue: Queued[] = [];
  let inFlight = false;

  const take = (): Queued[] => {
    const group: Queued[] = [];
    let bytes = 0;
    while (queue.length > 0 && group.length < maxBatch && (group.length === 0 || bytes + queue[0]!.json.length <= maxBytes)) {
      const q = queue.shift()!;
      bytes += q.json.length;
      group.push(q);
    }
    return group;
  };

  const pump = async () => {
    inFlight = true;
    try {
      while (queue.length > 0) {
        const group = take();
        try {
          if (group.length === 1) {
            await bus.publish(subject, new EncodedJson(group[0]!.json), group[0]!.options);
          } else {
            const ids = group.map((q) => q.options.messageId ?? '').join('\n');
            const messageId = `group:${createHash('sha256').update(ids).digest('hex').slice(0, 32)}`;
            await bus.publish(subject, new EncodedJson(`{"batch":[${group.map((q) => q.json).join(',')}]}`), { messageId, correlationId: group[0]!.options.correlationId });
          }
          for (const q of group) q.resolve();
        } catch (err) {
          for (const q of group) q.reject(err);
        }
      }
    } finally {
      inFlight = false;
    }
  };

  return {
    publish(payload, options) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ json: JSON.stringify(payload), options, resolve, reject });
        if (!inFlight) void pump();
      });
    },
  };
}

/** The payloads of a message published by a group publisher: its batch, or the message itself. */
export function ungroup(data: unknown): unknown[] {
  if (typeof data === 'object' && data !== null && Array.isArray((data as { batch?: unknown }).batch)) return (data as { batch: unknown[] }).batch;
  return [data];
}
