import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinAdapters } from '../builtins.js';
import type { ResourceActionInput } from '../contract.js';
import { loadAdapters, type AdapterRegistry } from '../runtime/index.js';
import { collectEvents, silentLogger } from '../testing.js';
import { startFakeNfvo, type FakeNfvo } from './fake-nfvo.js';

let nfvo: FakeNfvo;
let registry: AdapterRegistry | undefined;
beforeEach(async () => {
  nfvo = await startFakeNfvo();
});
afterEach(async () => {
  await registry?.close();
  registry = undefined;
  await nfvo.close();
});

async function setup(call: Record<string, unknown> = {}) {
  registry = await loadAdapters(
    [{ name: 'osm', builtin: 'sol005', settings: { apiRoot: nfvo.apiRoot, pollIntervalMs: 10 }, call: { timeoutMs: 3_000, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 }, ...call } }],
    { logger: silentLogger(), events: collectEvents().publish, baseDir: process.cwd(), builtins: builtinAdapters },
  );
  return registry;
}

const ns = (id: string, operation: 'create' | 'delete' = 'create', nsdId = 'nsd-vepc'): ResourceActionInput => ({
  domain: 'nfv',
  operation,
  target: { id, type: 'network-service' },
  parameters: operation === 'create' ? { nsdId, nsFlavourId: 'default', additionalParamsForNs: { region: 'north' }, createNsExtras: { vimAccountId: 'vim-north' } } : {},
});
const count = (line: string) => nfvo.log.filter((l) => l === line).length;

describe('sol005 adapter against a loopback NFVO', () => {
  it('creates, instantiates and polls the LCM operation to COMPLETED', async () => {
    const registry = await setup();
    const result = await registry.apply(ns('svc-1'), { idempotencyKey: 'k1' });
    expect(result).toMatchObject({ status: 'success', resource: { id: 'svc-1', externalIds: { nsInstanceId: 'ns-0001' }, state: { nsState: 'INSTANTIATED', nsInstanceName: 'junction-svc-1' } } });
    expect(nfvo.log).toContain('POST ns_instances');
    expect(nfvo.log).toContain('POST ns_instances/ns-0001/instantiate');
    expect(count('GET ns_lcm_op_occs/op-0002')).toBeGreaterThan(1);
    expect(nfvo.bodies).toEqual([
      { request: 'POST ns_instances', body: { vimAccountId: 'vim-north', nsdId: 'nsd-vepc', nsName: 'junction-svc-1', nsDescription: 'Junction resource svc-1' } },
      { request: 'POST ns_instances/ns-0001/instantiate', body: { nsFlavourId: 'default', additionalParamsForNs: { region: 'north' } } },
    ]);
  });

  it('retries a 503 from the NFVO', async () => {
    const registry = await setup();
    nfvo.failNext(2, 503);
    expect(await registry.apply(ns('svc-2'), { idempotencyKey: 'k2' })).toMatchObject({ status: 'success' });
    expect(count('POST ns_instances')).toBe(1);
  });

  it('retries an operation that ended FAILED_TEMP with the retry task', async () => {
    const registry = await setup();
    nfvo.nextOutcomes.push('FAILED_TEMP');
    const result = await registry.apply(ns('svc-3'), { idempotencyKey: 'k3' });
    expect(result).toMatchObject({ status: 'success', resource: { state: { nsState: 'INSTANTIATED' } } });
    expect(count('POST ns_instances/ns-0001/instantiate')).toBe(1);
    expect(count('POST ns_lcm_op_occs/op-0002/retry')).toBe(1);
  });

  it('fails permanently when the operation ends FAILED, with the NFVO problem detail', async () => {
    const registry = await setup();
    nfvo.nextOutcomes.push('FAILED');
    const result = await registry.apply(ns('svc-4'), { idempotencyKey: 'k4' });
    expect(result).toEqual({ status: 'permanent', code: 'rejected', reason: 'INSTANTIATE op-0002 ended FAILED: VNF instantiation failed — VIM rejected the flavour' });
    expect(count('POST ns_instances/ns-0001/instantiate')).toBe(1);
  });

  it('fails permanently on a 400 ProblemDetails', async () => {
    const registry = await setup();
    const result = await registry.apply(ns('svc-5', 'create', 'nsd-unknown'), { idempotencyKey: 'k5' });
    expect(result).toEqual({ status: 'permanent', code: 'rejected', reason: 'NFVO answered 400 Bad Request to POST ns_instances: Bad Request — NSD nsd-unknown is not on-boarded' });
  });

  it('times out while the operation runs, and a retry resumes polling the same operation', async () => {
    nfvo.operationMs = 400;
    const registry = await setup({ timeoutMs: 150, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const first = await registry.apply(ns('svc-6'), { idempotencyKey: 'k6' });
    expect(first).toMatchObject({ status: 'transient', code: 'timeout' });
    // Same key (the transient result was not recorded), longer deadline: it finds the running operation.
    const again = await registry.apply(ns('svc-6'), { idempotencyKey: 'k6', timeoutMs: 3_000 });
    expect(again).toMatchObject({ status: 'success', resource: { state: { nsState: 'INSTANTIATED' } } });
    expect(count('POST ns_instances')).toBe(1);
    expect(count('POST ns_instances/ns-0001/instantiate')).toBe(1);
  });

  it('replays an idempotency key without calling the NFVO', async () => {
    const registry = await setup();
    const first = await registry.apply(ns('svc-7'), { idempotencyKey: 'k7' });
    const calls = nfvo.log.length;
    expect(await registry.apply(ns('svc-7'), { idempotencyKey: 'k7' })).toEqual(first);
    expect(nfvo.log.length).toBe(calls);
    // A different key for the same resource finds it instantiated and changes nothing.
    expect(await registry.apply(ns('svc-7'), { idempotencyKey: 'k7-b' })).toMatchObject({ status: 'success', unchanged: true });
  });

  it('rolls back a create by terminating and deleting the NS instance', async () => {
    const registry = await setup();
    await registry.apply(ns('svc-8'), { idempotencyKey: 'k8' });
    const result = await registry.rollback(ns('svc-8'), { idempotencyKey: 'k8' });
    expect(result).toMatchObject({ status: 'success', reason: 'terminated and deleted NS ns-0001' });
    expect(nfvo.log).toContain('POST ns_instances/ns-0001/terminate');
    expect(nfvo.log).toContain('DELETE ns_instances/ns-0001');
    expect(nfvo.instances.size).toBe(0);
  });

  it('verifies in-sync, drifted and absent; discovers its instances; reports health', async () => {
    const registry = await setup();
    await registry.apply(ns('svc-9'), { idempotencyKey: 'k9' });
    const target = { domain: 'nfv', target: { id: 'svc-9', type: 'network-service' }, expected: { nsdId: 'nsd-vepc' } };
    expect(await registry.verify(target)).toMatchObject({ status: 'in-sync' });
    nfvo.instances.get('ns-0001')!.nsState = 'NOT_INSTANTIATED';
    expect(await registry.verify(target)).toMatchObject({ status: 'drifted', differences: [{ field: 'nsState', expected: 'INSTANTIATED', actual: 'NOT_INSTANTIATED' }] });
    const osm = registry.get('osm')!;
    expect(await osm.discover()).toMatchObject({ status: 'success', resources: [{ id: 'svc-9', domain: 'nfv', externalIds: { nsInstanceId: 'ns-0001' } }] });
    expect(await osm.health()).toMatchObject({ status: 'up' });
    nfvo.instances.clear();
    expect(await registry.verify(target)).toMatchObject({ status: 'absent' });
  });
});

describe('sol005 modify: scaling an NS to a level per aspect', () => {
  const scale = (id: string, level: string, previous?: string): ResourceActionInput => ({
    domain: 'nfv',
    operation: 'modify',
    target: { id, type: 'network-service' },
    parameters: { nsScaleInfo: [{ nsScalingAspectId: 'capacity', nsScaleLevelId: level }] },
    ...(previous ? { rollback: { parameters: { nsScaleInfo: [{ nsScalingAspectId: 'capacity', nsScaleLevelId: previous }] } } } : {}),
  });
  const levelOf = (nsId: string) => nfvo.instances.get(nsId)?.nsScaleStatus?.find((s) => s.nsScalingAspectId === 'capacity')?.nsScaleLevelId;

  it('scales with SCALE_NS, polls the operation, and a replay changes nothing', async () => {
    const registry = await setup();
    await registry.apply(ns('svc-s1'), { idempotencyKey: 'c1' });
    expect(levelOf('ns-0001')).toBe('small');
    const result = await registry.apply(scale('svc-s1', 'large'), { idempotencyKey: 'm1' });
    expect(result).toMatchObject({ status: 'success', reason: 'scaled NS ns-0001 to capacity=large', resource: { state: { nsScaleStatus: [{ nsScalingAspectId: 'capacity', nsScaleLevelId: 'large' }] } } });
    expect(levelOf('ns-0001')).toBe('large');
    expect(nfvo.bodies.at(-1)).toEqual({
      request: 'POST ns_instances/ns-0001/scale',
      body: { scaleType: 'SCALE_NS', scaleNsData: { scaleNsToLevelData: { nsScaleInfo: [{ nsScalingAspectId: 'capacity', nsScaleLevelId: 'large' }] } } },
    });
    const calls = nfvo.log.length;
    expect(await registry.apply(scale('svc-s1', 'large'), { idempotencyKey: 'm1' })).toEqual(result);
    expect(nfvo.log.length).toBe(calls);
    // Another key (a crash before the result was recorded): the level is there, no second scale.
    expect(await registry.apply(scale('svc-s1', 'large'), { idempotencyKey: 'm1-b' })).toMatchObject({ status: 'success', unchanged: true });
    expect(count('POST ns_instances/ns-0001/scale')).toBe(1);
  });

  it('retries a scale that ended FAILED_TEMP, and fails permanently on FAILED or an unknown level', async () => {
    const registry = await setup();
    await registry.apply(ns('svc-s2'), { idempotencyKey: 'c2' });
    nfvo.nextOutcomes.push('FAILED_TEMP');
    expect(await registry.apply(scale('svc-s2', 'medium'), { idempotencyKey: 'm2' })).toMatchObject({ status: 'success' });
    expect(count('POST ns_instances/ns-0001/scale')).toBe(1);
    expect(count('POST ns_lcm_op_occs/op-0003/retry')).toBe(1);
    expect(levelOf('ns-0001')).toBe('medium');

    nfvo.nextOutcomes.push('FAILED');
    expect(await registry.apply(scale('svc-s2', 'large'), { idempotencyKey: 'm3' })).toEqual({
      status: 'permanent',
      code: 'rejected',
      reason: 'SCALE op-0004 ended FAILED: VNF instantiation failed — VIM rejected the flavour',
    });
    expect(await registry.apply(scale('svc-s2', 'huge'), { idempotencyKey: 'm4' })).toEqual({
      status: 'permanent',
      code: 'rejected',
      reason: 'NFVO answered 400 Bad Request to POST ns_instances/ns-0001/scale: Bad Request — NSD nsd-vepc has no scale level huge of aspect capacity',
    });
    expect(await registry.apply(scale('svc-none', 'large'), { idempotencyKey: 'm5' })).toMatchObject({ status: 'permanent', code: 'not-found' });
    expect(await registry.apply({ ...scale('svc-s2', 'large'), parameters: { nsScaleInfo: [] } }, { idempotencyKey: 'm6' })).toMatchObject({ status: 'permanent', code: 'invalid-action' });
    expect(levelOf('ns-0001')).toBe('medium');
  });

  it('times out while the scale runs, and a retry resumes polling the same operation', async () => {
    const registry = await setup({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    await registry.apply(ns('svc-s3'), { idempotencyKey: 'c3' });
    nfvo.operationMs = 400;
    expect(await registry.apply(scale('svc-s3', 'large'), { idempotencyKey: 'm7', timeoutMs: 150 })).toMatchObject({ status: 'transient', code: 'timeout' });
    expect(await registry.apply(scale('svc-s3', 'large'), { idempotencyKey: 'm7', timeoutMs: 3_000 })).toMatchObject({ status: 'success', reason: 'scaled NS ns-0001 to capacity=large' });
    expect(count('POST ns_instances/ns-0001/scale')).toBe(1);
  });

  it('rolls a scale back to the previous level from rollback hints, verifies the level, refuses without hints', async () => {
    const registry = await setup();
    await registry.apply(ns('svc-s4'), { idempotencyKey: 'c4' });
    await registry.apply(scale('svc-s4', 'large', 'small'), { idempotencyKey: 'm8' });
    const target = { domain: 'nfv', target: { id: 'svc-s4', type: 'network-service' }, expected: { nsScaleInfo: [{ nsScalingAspectId: 'capacity', nsScaleLevelId: 'large' }] } };
    expect(await registry.verify(target)).toMatchObject({ status: 'in-sync' });
    expect(await registry.rollback(scale('svc-s4', 'large', 'small'), { idempotencyKey: 'm8' })).toMatchObject({ status: 'success', reason: 'scaled NS ns-0001 to capacity=small' });
    expect(levelOf('ns-0001')).toBe('small');
    expect(await registry.verify(target)).toMatchObject({ status: 'drifted', differences: [{ field: 'nsScaleStatus.capacity', expected: 'large', actual: 'small' }] });
    expect(await registry.rollback(scale('svc-s4', 'medium'), { idempotencyKey: 'm9' })).toMatchObject({ status: 'permanent', code: 'unsupported' });
  });
});
