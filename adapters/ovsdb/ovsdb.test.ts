/**
 * Runs against a real ovsdb-server (Debian package openvswitch-switch). When it is missing,
 * `startOvsdbServer` throws with the install hint and every test here fails — never skips.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinAdapters } from '../builtins.js';
import type { ResourceActionInput } from '../contract.js';
import { loadAdapters, type AdapterRegistry } from '../runtime/index.js';
import { collectEvents, silentLogger } from '../testing.js';
import type { OvsdbAdapter } from './index.js';
import { startOvsdbServer, type OvsdbTestServer } from './test-server.js';

let server: OvsdbTestServer;
let registry: AdapterRegistry | undefined;
/** Kept so each test fails with the reason (e.g. "install openvswitch-switch") instead of being skipped. */
let startError: Error | undefined;

beforeAll(async () => {
  try {
    server = await startOvsdbServer();
  } catch (error) {
    startError = error as Error;
  }
});
afterAll(async () => {
  await server?.dispose();
});
afterEach(async () => {
  if (!server) return;
  server.resume();
  await server.start();
  await registry?.close();
  registry = undefined;
});

async function setup(call: Record<string, unknown> = {}) {
  if (startError) throw new Error(`cannot run the ovsdb tests: ${startError.message}`);
  registry = await loadAdapters(
    [
      {
        name: 'ovs',
        builtin: 'ovsdb',
        settings: { host: server.host, port: server.port, bridge: 'br-test' },
        call: { timeoutMs: 3_000, retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 }, ...call },
      },
    ],
    { logger: silentLogger(), events: collectEvents().publish, baseDir: process.cwd(), builtins: builtinAdapters },
  );
  const guarded = registry.get('ovs')!;
  return { registry, guarded, ovs: guarded.inner as OvsdbAdapter };
}

/** Reads the database with ovsdb-client, independently of the adapter's own client. */
function dump(table: string, columns: string): Array<Record<string, unknown>> {
  const out = spawnSync('ovsdb-client', ['-f', 'json', 'dump', `tcp:${server.host}:${server.port}`, 'Open_vSwitch', table, ...columns.split(',')], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`ovsdb-client failed: ${out.stderr}`);
  const parsed = JSON.parse(out.stdout) as { data: unknown[][]; headings: string[] };
  return parsed.data.map((row) => Object.fromEntries(parsed.headings.map((h, i) => [h, row[i]])));
}

const service = (id: string, vlan: number, bandwidthMbps: number, operation: 'create' | 'modify' | 'delete' = 'create'): ResourceActionInput => ({
  domain: 'transport',
  operation,
  target: { id, type: 'transport-service' },
  parameters: operation === 'delete' ? {} : { vlan, bandwidthMbps },
});

describe('ovsdb adapter against a real ovsdb-server', () => {
  it('creates a port with VLAN tag and QoS max-rate on the bridge, and reads it back', async () => {
    const { registry } = await setup();
    const result = await registry.apply(service('svc-100', 100, 250), { idempotencyKey: 'c100' });
    expect(result).toMatchObject({ status: 'success', resource: { id: 'svc-100', state: { bridge: 'br-test', port: 'jn-svc-100', vlan: 100, bandwidthMbps: 250 } } });

    const ports = dump('Port', 'name,tag');
    expect(ports).toContainEqual({ name: 'jn-svc-100', tag: 100 });
    const queues = dump('Queue', 'other_config');
    expect(JSON.stringify(queues)).toContain('["max-rate","250000000"]');
    const bridges = dump('Bridge', 'name');
    expect(bridges).toEqual([{ name: 'br-test' }]);

    expect(await registry.verify({ domain: 'transport', target: { id: 'svc-100', type: 'transport-service' }, expected: { vlan: 100, bandwidthMbps: 250 } })).toMatchObject({ status: 'in-sync' });
  });

  it('modifies and verifies drift from a change made behind its back', async () => {
    const { registry } = await setup();
    await registry.apply(service('svc-200', 200, 100), { idempotencyKey: 'c200' });
    expect(await registry.apply(service('svc-200', 201, 400, 'modify'), { idempotencyKey: 'm200' })).toMatchObject({ status: 'success', resource: { state: { vlan: 201, bandwidthMbps: 400 } } });

    // Someone changes the tag directly in the database.
    const changed = spawnSync('ovsdb-client', ['transact', `tcp:${server.host}:${server.port}`, JSON.stringify(['Open_vSwitch', { op: 'update', table: 'Port', where: [['name', '==', 'jn-svc-200']], row: { tag: 999 } }])], { encoding: 'utf8' });
    expect(changed.status).toBe(0);
    const verdict = await registry.verify({ domain: 'transport', target: { id: 'svc-200', type: 'transport-service' }, expected: { vlan: 201, bandwidthMbps: 400 } });
    expect(verdict).toMatchObject({ status: 'drifted', differences: [{ field: 'vlan', expected: 201, actual: 999 }] });
  });

  it('rolls back a create by removing port, QoS and queue', async () => {
    const { registry } = await setup();
    const create = service('svc-300', 300, 50);
    await registry.apply(create, { idempotencyKey: 'c300' });
    const before = dump('QoS', '_uuid').length;
    expect(await registry.rollback(create, { idempotencyKey: 'c300' })).toMatchObject({ status: 'success', reason: 'removed port jn-svc-300 from br-test' });
    expect(dump('Port', 'name').map((p) => p.name)).not.toContain('jn-svc-300');
    expect(dump('QoS', '_uuid').length).toBe(before - 1);
    expect(await registry.verify({ domain: 'transport', target: { id: 'svc-300', type: 'transport-service' } })).toMatchObject({ status: 'absent' });
  });

  it('rolls back a modify to the hinted previous values', async () => {
    const { registry } = await setup();
    await registry.apply(service('svc-310', 310, 10), { idempotencyKey: 'c310' });
    const modify = { ...service('svc-310', 311, 20, 'modify'), rollback: { parameters: { vlan: 310, bandwidthMbps: 10 } } };
    await registry.apply(modify, { idempotencyKey: 'm310' });
    expect(await registry.rollback(modify, { idempotencyKey: 'm310' })).toMatchObject({ status: 'success', resource: { state: { vlan: 310, bandwidthMbps: 10 } } });
  });

  it('fails permanently when the server rejects the VLAN, without retrying', async () => {
    const { registry, ovs } = await setup();
    const before = ovs.connects;
    const result = await registry.apply(service('svc-bad', 5000, 10), { idempotencyKey: 'bad' });
    expect(result).toMatchObject({ status: 'permanent', code: 'rejected' });
    expect(result.reason).toContain('constraint violation');
    expect(ovs.connects - before).toBe(1);
    expect(dump('Port', 'name').map((p) => p.name)).not.toContain('jn-svc-bad');
  });

  it('retries while the server is down and succeeds once it is back', async () => {
    const { registry, ovs } = await setup({ timeoutMs: 8_000, retry: { maxAttempts: 40, baseDelayMs: 100, maxDelayMs: 200 }, breaker: { failureThreshold: 100, coolDownMs: 1000 } });
    await server.stop();
    const before = ovs.connects;
    setTimeout(() => void server.start(), 300);
    const result = await registry.apply(service('svc-400', 400, 100), { idempotencyKey: 'c400' });
    expect(result).toMatchObject({ status: 'success', resource: { state: { vlan: 400 } } });
    expect(ovs.connects - before).toBeGreaterThan(1);
  });

  it('times out against a server that does not answer, and a replay after it answers is a no-op', async () => {
    const { registry } = await setup({ timeoutMs: 300, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    server.pause();
    const result = await registry.apply(service('svc-500', 500, 100), { idempotencyKey: 'c500' });
    expect(result).toMatchObject({ status: 'transient', code: 'timeout' });
    server.resume();
    // The transient result was not recorded, so the replay runs again and finds the state in place or creates it.
    const replay = await registry.apply(service('svc-500', 500, 100), { idempotencyKey: 'c500' });
    expect(replay).toMatchObject({ status: 'success', resource: { state: { vlan: 500, bandwidthMbps: 100 } } });
    expect(dump('Port', 'name').filter((p) => p.name === 'jn-svc-500')).toHaveLength(1);
  });

  it('replays an idempotency key from the record without touching the database', async () => {
    const { registry, ovs } = await setup();
    const first = await registry.apply(service('svc-600', 600, 100), { idempotencyKey: 'c600' });
    const connects = ovs.connects;
    const again = await registry.apply(service('svc-600', 600, 100), { idempotencyKey: 'c600' });
    expect(again).toEqual(first);
    expect(ovs.connects).toBe(connects);
    // A new key for the same create (e.g. after losing the record) finds it configured and changes nothing.
    expect(await registry.apply(service('svc-600', 600, 100), { idempotencyKey: 'c600-b' })).toMatchObject({ status: 'success', unchanged: true });
  });

  it('discovers the ports it configured and reports health', async () => {
    const { guarded, registry } = await setup();
    await registry.apply(service('svc-700', 700, 30), { idempotencyKey: 'c700' });
    const found = await guarded.discover();
    expect(found.status).toBe('success');
    if (found.status === 'success') {
      expect(found.resources).toContainEqual(expect.objectContaining({ id: 'svc-700', domain: 'transport', state: expect.objectContaining({ vlan: 700, bandwidthMbps: 30 }) }));
    }
    expect(await guarded.health()).toMatchObject({ status: 'up', breaker: 'closed' });
    await server.stop();
    expect(await guarded.health()).toMatchObject({ status: 'down' });
  });
});
