import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinAdapters } from '../builtins.js';
import type { ResourceActionInput } from '../contract.js';
import { loadAdapters, type AdapterRegistry } from '../runtime/index.js';
import { collectEvents, silentLogger } from '../testing.js';
import { startFakeController, type FakeController } from './fake-controller.js';

let controller: FakeController;
let registry: AdapterRegistry | undefined;
beforeEach(async () => {
  controller = await startFakeController();
});
afterEach(async () => {
  await registry?.close();
  registry = undefined;
  await controller.close();
});

async function setup(call: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) {
  registry = await loadAdapters(
    [{ name: 'ctrl', builtin: 'restconf', settings: { baseUrl: controller.baseUrl, username: 'junction', password: 'secret', ...settings }, call: { timeoutMs: 2_000, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 }, ...call } }],
    { logger: silentLogger(), events: collectEvents().publish, baseDir: process.cwd(), builtins: builtinAdapters },
  );
  return registry;
}

// The catalog's binding: nothing about this YANG model is in the adapter's code.
const binding = {
  createPath: 'example-vpn:vpns',
  path: 'example-vpn:vpns/vpn={{target.id}}',
  payload: { vpn: [{ name: '{{target.id}}', vlan: '{{parameters.vlan}}', bandwidth: '{{parameters.bandwidthMbps}}', description: 'vpn for {{target.id}}' }] },
};
const vpn = (id: string, vlan: number, bandwidthMbps: number, operation: 'create' | 'modify' | 'delete' = 'create'): ResourceActionInput => ({
  domain: 'transport',
  operation,
  target: { id, type: 'l2vpn' },
  parameters: { vlan, bandwidthMbps },
  restconf: binding,
});
const stored = (id: string) => controller.store.get(`example-vpn:vpns/vpn=${id}`);

describe('restconf adapter against a loopback controller', () => {
  it('creates with POST (201) from the catalog template, reading the resource and ETag back', async () => {
    const registry = await setup();
    const result = await registry.apply(vpn('v1', 100, 500), { idempotencyKey: 'k1' });
    expect(result).toMatchObject({ status: 'success', reason: 'created example-vpn:vpns/vpn=v1', resource: { id: 'v1', externalIds: { restconfPath: 'example-vpn:vpns/vpn=v1', etag: '"v1"' } } });
    expect(stored('v1')).toEqual({ vpn: [{ name: 'v1', vlan: 100, bandwidth: 500, description: 'vpn for v1' }] });
    expect(controller.log).toEqual(['POST /restconf/data/example-vpn:vpns', 'GET /restconf/data/example-vpn:vpns/vpn=v1']);
  });

  it('creates with PUT when the binding has no createPath, and percent-encodes keys', async () => {
    const registry = await setup();
    const action = { ...vpn('a/b c', 7, 10), restconf: { path: binding.path, payload: binding.payload } };
    expect(await registry.apply(action, { idempotencyKey: 'p' })).toMatchObject({ status: 'success' });
    expect(controller.log[0]).toBe('PUT /restconf/data/example-vpn:vpns/vpn=a%2Fb%20c');
    expect(stored('a/b c')).toMatchObject({ vpn: [{ name: 'a/b c' }] });
  });

  it('treats 409 data-exists with identical content as already done', async () => {
    const registry = await setup();
    await registry.apply(vpn('v2', 200, 100), { idempotencyKey: 'first' });
    expect(await registry.apply(vpn('v2', 200, 100), { idempotencyKey: 'second' })).toMatchObject({ status: 'success', unchanged: true });
    const different = await registry.apply(vpn('v2', 201, 100), { idempotencyKey: 'third' });
    expect(different).toMatchObject({ status: 'permanent', code: 'conflict' });
    expect(different.reason).toBe('RESTCONF 409 Conflict on POST /restconf/data/example-vpn:vpns: data-exists at /example-vpn:vpns/vpn=v2: example-vpn:vpns/vpn=v2 already exists');
  });

  it('retries 503 and lock-denied, honouring Retry-After, then succeeds', async () => {
    const registry = await setup();
    controller.failNext(1, { status: 503, errorTag: 'operation-failed', message: 'controller busy', retryAfter: '0' });
    controller.failNext(1, { status: 409, errorTag: 'lock-denied', message: 'datastore locked' });
    expect(await registry.apply(vpn('v3', 300, 100), { idempotencyKey: 'k3' })).toMatchObject({ status: 'success' });
    expect(controller.log.filter((l) => l.startsWith('POST'))).toHaveLength(3);
  });

  it('fails permanently on 400 with the RFC 8040 error body in the reason, without retrying', async () => {
    const registry = await setup();
    const result = await registry.apply(vpn('v4', 400, 20_000), { idempotencyKey: 'k4' });
    expect(result).toEqual({
      status: 'permanent',
      code: 'invalid-action',
      reason: 'RESTCONF 400 Bad Request on POST /restconf/data/example-vpn:vpns: invalid-value at /example-vpn:vpns/bandwidth: bandwidth 20000 exceeds 10000',
    });
    expect(controller.log).toHaveLength(1);
  });

  it('times out when the controller does not answer', async () => {
    const registry = await setup({ timeoutMs: 200, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    controller.failNext(1, { hang: true });
    const result = await registry.apply(vpn('v5', 500, 100), { idempotencyKey: 'k5' });
    expect(result).toMatchObject({ status: 'transient', code: 'timeout' });
  });

  it('reports an unreachable controller as transient', async () => {
    await controller.close();
    const registry = await setup({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const result = await registry.apply(vpn('v6', 600, 100), { idempotencyKey: 'k6' });
    expect(result).toMatchObject({ status: 'transient', code: 'unreachable' });
    expect(result.reason).toContain('ECONNREFUSED');
    controller = await startFakeController();
  });

  it('replays an idempotency key without sending anything', async () => {
    const registry = await setup();
    const first = await registry.apply(vpn('v7', 700, 100), { idempotencyKey: 'k7' });
    const sent = controller.log.length;
    expect(await registry.apply(vpn('v7', 700, 100), { idempotencyKey: 'k7' })).toEqual(first);
    expect(controller.log.length).toBe(sent);
  });

  it('modifies with PATCH and If-Match, retrying a 412', async () => {
    const registry = await setup();
    await registry.apply(vpn('v8', 800, 100), { idempotencyKey: 'c8' });
    controller.failNext(2, { status: 412, errorTag: 'operation-failed', message: 'entity tag does not match' });
    // The first failure hits the GET, the second the next GET; the third attempt goes through.
    const result = await registry.apply(vpn('v8', 801, 200, 'modify'), { idempotencyKey: 'm8' });
    expect(result).toMatchObject({ status: 'success', resource: { state: { vpn: [{ vlan: 801, bandwidth: 200 }] } } });
    expect(controller.log).toContain('PATCH /restconf/data/example-vpn:vpns/vpn=v8 If-Match: "v1"');
  });

  it('rolls back create with DELETE and modify with the hinted previous values', async () => {
    const registry = await setup();
    const create = vpn('v9', 900, 100);
    await registry.apply(create, { idempotencyKey: 'c9' });
    const modify = { ...vpn('v9', 901, 300, 'modify'), rollback: { parameters: { vlan: 900, bandwidthMbps: 100 } } };
    await registry.apply(modify, { idempotencyKey: 'm9' });
    expect(await registry.rollback(modify, { idempotencyKey: 'm9' })).toMatchObject({ status: 'success' });
    expect(stored('v9')).toMatchObject({ vpn: [{ vlan: 900, bandwidth: 100 }] });
    expect(await registry.rollback(create, { idempotencyKey: 'c9' })).toMatchObject({ status: 'success', reason: 'deleted example-vpn:vpns/vpn=v9' });
    expect(stored('v9')).toBeUndefined();
    // Rolling back again finds it gone.
    expect(await registry.rollback(create, { idempotencyKey: 'c9-again' })).toMatchObject({ status: 'success', unchanged: true });
  });

  it('verifies in-sync, drifted and absent', async () => {
    const registry = await setup();
    await registry.apply(vpn('v10', 1000, 100), { idempotencyKey: 'c10' });
    const target = { domain: 'transport', target: { id: 'v10', type: 'l2vpn' }, expected: { vlan: 1000, bandwidthMbps: 100 }, restconf: binding };
    expect(await registry.verify(target)).toMatchObject({ status: 'in-sync' });
    controller.store.set('example-vpn:vpns/vpn=v10', { vpn: [{ name: 'v10', vlan: 1000, bandwidth: 50, description: 'vpn for v10' }] });
    expect(await registry.verify(target)).toMatchObject({ status: 'drifted', differences: [{ field: 'vpn[0]/bandwidth', expected: 100, actual: 50 }] });
    controller.store.delete('example-vpn:vpns/vpn=v10');
    expect(await registry.verify(target)).toMatchObject({ status: 'absent' });
  });

  it('refuses an action whose template names a missing parameter', async () => {
    const registry = await setup();
    const result = await registry.apply({ ...vpn('v11', 1, 1), parameters: { vlan: 1 } }, { idempotencyKey: 'k11' });
    expect(result).toMatchObject({ status: 'permanent', code: 'invalid-action' });
    expect(result.reason).toContain('{{parameters.bandwidthMbps}} has no value');
    expect(controller.log).toEqual([]);
  });

  it('reports health and discovers configured paths', async () => {
    const registry = await setup({}, { discoverPaths: ['example-vpn:vpns/vpn=v12'] });
    await registry.apply(vpn('v12', 12, 10), { idempotencyKey: 'c12' });
    const ctrl = registry.get('ctrl')!;
    expect(await ctrl.health()).toMatchObject({ status: 'up' });
    expect(await ctrl.discover()).toMatchObject({ status: 'success', resources: [{ id: 'example-vpn:vpns/vpn=v12', domain: 'transport' }] });
  });
});
