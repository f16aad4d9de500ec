import { randomBytes } from 'node:crypto';

/**
 * UUID version 7 (RFC 9562 §5.7): 48-bit Unix milliseconds, version, 12 bits
 * of sub-millisecond monotonic counter (rand_a), variant, 62 random bits.
 * Using rand_a as a counter (RFC 9562 §6.2 method 1) keeps ids strictly
 * increasing within one generator even when many are made per millisecond,
 * so decision ids sort in creation order.
 */
export interface UuidV7Generator {
  (): string;
}

export function createUuidV7Generator(now: () => number = Date.now): UuidV7Generator {
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = now();
    if (ms <= lastMs) {
      ms = lastMs;
      counter++;
      if (counter > 0xfff) {
        // Counter exhausted within one millisecond: borrow the next millisecond.
        ms = lastMs + 1;
        counter = 0;
      }
    } else {
      counter = randomBytes(2).readUInt16BE(0) & 0x3ff; // random start, leaves headroom
    }
    lastMs = ms;
    const bytes = randomBytes(16);
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Milliseconds since the epoch encoded in a UUIDv7. */
export function uuidV7Timestamp(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
