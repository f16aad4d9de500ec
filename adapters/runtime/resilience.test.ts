import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { memoryIdempotencyStore, stableJson } from './idempotency.js';

describe('backoff with full jitter', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 };
  it('draws uniformly below an exponentially growing, capped ceiling', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(200);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, lets one probe through after the cool-down, closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1_000 }, () => now);
    breaker.failed();
    breaker.failed();
    expect(breaker.state).toBe('closed');
    breaker.succeeded(); // success resets the count
    breaker.failed();
    breaker.failed();
    breaker.failed();
    expect(breaker.state).toBe('open');
    now = 400;
    expect(breaker.admit()).toEqual({ admitted: false, retryAfterMs: 600 });
    now = 1_000;
    expect(breaker.admit()).toEqual({ admitted: true, probe: true });
    expect(breaker.admit()).toMatchObject({ admitted: false }); // only one probe at a time
    breaker.succeeded();
    expect(breaker.state).toBe('closed');
  });

  it('re-opens for a full cool-down when the probe fails', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 100 }, () => now);
    breaker.failed();
    now = 150;
    expect(breaker.admit()).toMatchObject({ admitted: true, probe: true });
    breaker.failed();
    expect(breaker.state).toBe('open');
    now = 200;
    expect(breaker.admit()).toEqual({ admitted: false, retryAfterMs: 50 });
  });
});

describe('idempotency record', () => {
  it('keeps the first record of a key and fingerprints actions independently of key order', async () => {
    const store = memoryIdempotencyStore();
    await store.put('k', { fingerprint: 'a', result: { status: 'permanent', reason: 'first' }, recordedAt: 'x' });
    await store.put('k', { fingerprint: 'b', result: { status: 'permanent', reason: 'second' }, recordedAt: 'y' });
    expect((await store.get('k'))?.result.reason).toBe('first');
    expect(stableJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(stableJson({ a: [{ c: 3, d: 2 }], b: 1 }));
  });
});
