import { describe, expect, it } from 'vitest';
import { permanent, succeeded, transient, type AdapterResult, type CallContext, type SouthboundAdapter } from '../contract.js';
import { silentLogger } from '../testing.js';
import { systemClock } from './clock.js';
import { GuardedAdapter, type CallPolicy } from './guarded-adapter.js';
import { memoryIdempotencyStore } from './idempotency.js';

/** An adapter whose apply runs a script of behaviours, one per call. */
function scripted(steps: Array<(ctx: CallContext) => Promise<AdapterResult>>) {
  const seen: CallContext[] = [];
  const adapter: SouthboundAdapter = {
    name: 'scripted',
    domains: ['lab'],
    async apply(_action, ctx) {
      seen.push(ctx);
      const step = steps[Math.min(seen.length - 1, steps.length - 1)]!;
      return step(ctx);
    },
    rollback: async () => permanent('no'),
    verify: async () => ({ status: 'absent', reason: 'none' }),
    discover: async () => ({ status: 'success', resources: [] }),
    health: async () => ({ status: 'up' }),
  };
  return { adapter, seen };
}

const policy = (p: Partial<CallPolicy> = {}): CallPolicy => ({
  timeoutMs: 1_000,
  retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
  breaker: { failureThreshold: 10, coolDownMs: 1_000 },
  ...p,
});
const action = { domain: 'lab', operation: 'create' as const, target: { id: 'x', type: 't' } };
const hang = (ctx: CallContext) => new Promise<AdapterResult>((resolve) => ctx.signal.addEventListener('abort', () => resolve(transient('late'))));
const ok = async () => succeeded('done', { id: 'x', type: 't' });

describe('GuardedAdapter', () => {
  it('gives each attempt its own deadline with attemptTimeoutMs, so a hung attempt is retried', async () => {
    const { adapter, seen } = scripted([hang, ok]);
    const guarded = new GuardedAdapter(adapter, ['lab'], policy({ attemptTimeoutMs: 50 }), { clock: systemClock, logger: silentLogger(), store: memoryIdempotencyStore(), random: () => 0 });
    const result = await guarded.apply(action, { idempotencyKey: 'a' });
    expect(result.status).toBe('success');
    expect(seen).toHaveLength(2);
    expect(seen[0]!.signal.aborted).toBe(true);
    expect(seen[0]!.idempotencyKey).toBe('a');
    expect(seen[0]!.deadline).toBeLessThanOrEqual(Date.now());
  });

  it('stops at the caller\'s abort without retrying or tripping the breaker', async () => {
    const { adapter, seen } = scripted([hang]);
    const guarded = new GuardedAdapter(adapter, ['lab'], policy(), { clock: systemClock, logger: silentLogger(), store: memoryIdempotencyStore() });
    const caller = new AbortController();
    setTimeout(() => caller.abort(), 30);
    const result = await guarded.apply(action, { idempotencyKey: 'b', signal: caller.signal });
    expect(result).toMatchObject({ status: 'transient', code: 'cancelled' });
    expect(seen).toHaveLength(1);
    expect(guarded.breaker.failures).toBe(0);
  });

  it('turns a throwing adapter into a transient internal failure', async () => {
    const { adapter } = scripted([async () => { throw new TypeError('boom'); }]);
    const guarded = new GuardedAdapter(adapter, ['lab'], policy({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }), { clock: systemClock, logger: silentLogger(), store: memoryIdempotencyStore() });
    expect(await guarded.apply(action, { idempotencyKey: 'c' })).toEqual({ status: 'transient', code: 'internal', reason: 'adapter scripted failed during apply: boom' });
  });

  it('does not retry past the deadline', async () => {
    const { adapter, seen } = scripted([async () => transient('busy', 'unreachable', 500)]);
    const slept: number[] = [];
    const clock = { ...systemClock, sleep: (ms: number, signal?: AbortSignal) => (slept.push(ms), systemClock.sleep(ms, signal)) };
    const guarded = new GuardedAdapter(adapter, ['lab'], policy(), { clock, logger: silentLogger(), store: memoryIdempotencyStore() });
    const result = await guarded.apply(action, { idempotencyKey: 'd', timeoutMs: 200 });
    expect(result).toMatchObject({ status: 'transient', reason: 'busy' });
    // Retry-After of 500 ms does not fit in a 200 ms deadline: one attempt, answered without waiting.
    expect(seen).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('records permanent failures too, and refuses calls without an idempotency key', async () => {
    const { adapter, seen } = scripted([async () => permanent('no capacity', 'capacity')]);
    const guarded = new GuardedAdapter(adapter, ['lab'], policy(), { clock: systemClock, logger: silentLogger(), store: memoryIdempotencyStore() });
    await guarded.apply(action, { idempotencyKey: 'e' });
    expect(await guarded.apply(action, { idempotencyKey: 'e' })).toMatchObject({ status: 'permanent', reason: 'no capacity' });
    expect(seen).toHaveLength(1);
    expect(await guarded.apply(action, { idempotencyKey: '' })).toMatchObject({ status: 'permanent', code: 'invalid-action' });
  });

  it('does not call the adapter when the idempotency record cannot be read, and survives a failing write', async () => {
    const { adapter, seen } = scripted([ok]);
    const broken = { get: async () => { throw new Error('kv down'); }, put: async () => undefined };
    const guarded = new GuardedAdapter(adapter, ['lab'], policy(), { clock: systemClock, logger: silentLogger(), store: broken });
    expect(await guarded.apply(action, { idempotencyKey: 'f' })).toEqual({ status: 'transient', code: 'internal', reason: 'idempotency record unavailable for apply on adapter scripted: kv down' });
    expect(seen).toHaveLength(0);

    const unwritable = { get: async () => undefined, put: async () => { throw new Error('kv full'); } };
    const second = new GuardedAdapter(adapter, ['lab'], policy(), { clock: systemClock, logger: silentLogger(), store: unwritable });
    expect(await second.apply(action, { idempotencyKey: 'g' })).toMatchObject({ status: 'success' });
  });

  it('on a first use skips the record look-up but still records the result, which a later replay finds', async () => {
    const { adapter, seen } = scripted([ok]);
    const inner = memoryIdempotencyStore();
    const reads: string[] = [];
    const store = { get: async (key: string) => (reads.push(key), inner.get(key)), put: inner.put.bind(inner) };
    const guarded = new GuardedAdapter(adapter, ['lab'], policy(), { clock: systemClock, logger: silentLogger(), store });
    expect(await guarded.apply(action, { idempotencyKey: 'h', firstUse: true })).toMatchObject({ status: 'success' });
    expect(reads).toEqual([]);
    expect(await guarded.apply(action, { idempotencyKey: 'h' })).toMatchObject({ status: 'success' });
    expect(reads).toEqual(['apply:h']);
    expect(seen).toHaveLength(1);
  });
});
