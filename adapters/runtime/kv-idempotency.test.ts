import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBus, type TestBus } from '../../test/support/bus.js';
import { builtinAdapters } from '../builtins.js';
import type { SimulatorAdapter } from '../simulator/index.js';
import { collectEvents, silentLogger } from '../testing.js';
import { loadAdapters } from './index.js';
import { openKvIdempotencyStore } from './kv-idempotency.js';

let t: TestBus;
beforeAll(async () => {
  t = await createTestBus({ topology: false });
});
afterAll(async () => {
  await t?.cleanup();
});

describe('durable idempotency store on NATS KV (real JetStream)', () => {
  it('answers a replay after a "restart" (new registry, new connection) from the recorded result', async () => {
    const action = { domain: 'ran', operation: 'create' as const, target: { id: 'slice-kv', type: 'ran-slice' }, parameters: { gnbIds: ['gnb-north-1'], prbs: 20 } };
    const load = async (store: Awaited<ReturnType<typeof openKvIdempotencyStore>>) =>
      loadAdapters([{ name: 'sim', builtin: 'simulator' }], { logger: silentLogger(), events: collectEvents().publish, baseDir: process.cwd(), builtins: builtinAdapters, store });

    const before = await load(await openKvIdempotencyStore(t.bus));
    const first = await before.apply(action, { idempotencyKey: 'order 1 / item:1' });
    expect(first.status).toBe('success');
    await before.close();

    const after = await load(await openKvIdempotencyStore(await t.connectAgain()));
    const replay = await after.apply(action, { idempotencyKey: 'order 1 / item:1' });
    expect(replay).toEqual(first);
    expect((after.get('sim')!.inner as SimulatorAdapter).calls.apply).toBe(0);
    await after.close();
  });

  it('keeps the first record of a key', async () => {
    const store = await openKvIdempotencyStore(t.bus);
    await store.put('k', { fingerprint: 'a', result: { status: 'permanent', reason: 'first' }, recordedAt: '2026-01-01T00:00:00Z' });
    await store.put('k', { fingerprint: 'b', result: { status: 'permanent', reason: 'second' }, recordedAt: '2026-01-01T00:00:01Z' });
    expect(await store.get('k')).toMatchObject({ fingerprint: 'a', result: { reason: 'first' } });
    expect(await store.get('missing')).toBeUndefined();
  });
});
