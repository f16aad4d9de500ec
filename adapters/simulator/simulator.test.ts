import { afterEach, describe, expect, it } from 'vitest';
import { builtinAdapters } from '../builtins.js';
import { resourceActionSchema, verifyTargetOf, type ResourceActionInput } from '../contract.js';
import { loadAdapters, type AdapterRegistry } from '../runtime/index.js';
import { collectEvents, silentLogger } from '../testing.js';
import { SimulatorAdapter } from './index.js';

let registry: AdapterRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

async function setup(call: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) {
  const collected = collectEvents();
  registry = await loadAdapters(
    [{ name: 'sim', builtin: 'simulator', settings, call: { timeoutMs: 2_000, retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 }, ...call } }],
    { logger: silentLogger(), events: collected.publish, baseDir: process.cwd(), builtins: builtinAdapters },
  );
  const guarded = registry.get('sim')!;
  return { registry, guarded, sim: guarded.inner as SimulatorAdapter, events: collected.events };
}

const transportService = (id: string, bandwidthMbps = 1000): ResourceActionInput => ({
  domain: 'transport',
  operation: 'create',
  target: { id, type: 'transport-service' },
  parameters: { from: 'pe-north', to: 'pe-dc', bandwidthMbps },
});

describe('simulator adapter', () => {
  it('creates a transport service on the lowest-latency path with free bandwidth', async () => {
    const { registry, sim } = await setup();
    const result = await registry.apply(transportService('svc-1', 4000), { idempotencyKey: 'k1' });
    expect(result).toMatchObject({ status: 'success', resource: { id: 'svc-1', state: { path: ['link-north-core1', 'link-core1-dc'] } } });
    expect(sim.network.freeMbps('link-north-core1')).toBe(6000);
    // The next 8 Gbit/s no longer fit on link-north-core1 and take the other branch.
    const second = await registry.apply(transportService('svc-2', 8000), { idempotencyKey: 'k2' });
    expect(second).toMatchObject({ status: 'success', resource: { state: { path: ['link-north-core2', 'link-core2-dc'] } } });
  });

  it('refuses permanently when capacity is exhausted, with a readable reason', async () => {
    const { registry } = await setup();
    const result = await registry.apply(
      { domain: 'ran', operation: 'create', target: { id: 'slice-1', type: 'ran-slice' }, parameters: { gnbIds: ['gnb-south-1'], prbs: 200 } },
      { idempotencyKey: 'r1' },
    );
    expect(result).toMatchObject({ status: 'permanent', code: 'capacity' });
    expect(result.reason).toContain('gNB "gnb-south-1" has 106 of 106 PRBs free; the slice needs 200');
  });

  it('rejects invalid parameters permanently', async () => {
    const { registry } = await setup();
    const result = await registry.apply(
      { domain: 'access', operation: 'create', target: { id: 'a1', type: 'access-service' }, parameters: { oltPortId: 'olt-north-1/0/1' } },
      { idempotencyKey: 'a1' },
    );
    expect(result).toMatchObject({ status: 'permanent', code: 'invalid-action' });
    expect(result.reason).toContain('bandwidthMbps');
  });

  it('retries transient failures and succeeds', async () => {
    const { registry, sim } = await setup();
    sim.setFault('apply', { rate: 1, kind: 'transient', count: 2 });
    const result = await registry.apply(transportService('svc-r'), { idempotencyKey: 'retry' });
    expect(result.status).toBe('success');
    expect(sim.calls.apply).toBe(3);
  });

  it('gives up after maxAttempts with the transient reason', async () => {
    const { registry, sim } = await setup({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    sim.setFault('apply', { rate: 1, kind: 'transient' });
    const result = await registry.apply(transportService('svc-t'), { idempotencyKey: 't' });
    expect(result).toMatchObject({ status: 'transient', reason: 'simulated transient failure of apply' });
    expect(sim.calls.apply).toBe(2);
  });

  it('does not retry permanent failures', async () => {
    const { registry, sim } = await setup();
    sim.setFault('apply', { rate: 1, kind: 'permanent' });
    const result = await registry.apply(transportService('svc-p'), { idempotencyKey: 'p' });
    expect(result).toMatchObject({ status: 'permanent', reason: 'simulated permanent failure of apply' });
    expect(sim.calls.apply).toBe(1);
  });

  it('times out a hanging call at its deadline', async () => {
    const { registry, sim } = await setup({ timeoutMs: 150, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    sim.setFault('apply', { rate: 1, kind: 'timeout' });
    const result = await registry.apply(transportService('svc-slow'), { idempotencyKey: 'slow' });
    // The hanging call is cut at the 150 ms deadline (the reason names it), not left to hang.
    expect(result).toMatchObject({ status: 'transient', code: 'timeout' });
    expect(result.reason).toMatch(/adapter sim did not answer apply within 1\d\d ms/);
  });

  it('replays an idempotency key without configuring twice', async () => {
    const { registry, sim } = await setup();
    const first = await registry.apply(transportService('svc-i'), { idempotencyKey: 'order-1/item-1' });
    const again = await registry.apply(transportService('svc-i'), { idempotencyKey: 'order-1/item-1' });
    expect(again).toEqual(first);
    expect(sim.calls.apply).toBe(1);
    const reused = await registry.apply(transportService('svc-other'), { idempotencyKey: 'order-1/item-1' });
    expect(reused).toMatchObject({ status: 'permanent', code: 'conflict' });
    expect(sim.network.services.has('svc-other')).toBe(false);
  });

  it('shares one in-flight call between concurrent calls with the same key', async () => {
    const { registry, sim } = await setup();
    sim.setLatency('apply', { minMs: 30, maxMs: 30 });
    const [a, b] = await Promise.all([
      registry.apply(transportService('svc-c'), { idempotencyKey: 'same' }),
      registry.apply(transportService('svc-c'), { idempotencyKey: 'same' }),
    ]);
    expect(a).toEqual(b);
    expect(sim.calls.apply).toBe(1);
  });

  it('rolls back create, modify and delete', async () => {
    const { registry, sim } = await setup();
    const create = transportService('svc-rb', 2000);
    await registry.apply(create, { idempotencyKey: 'c' });
    const modify: ResourceActionInput = { ...create, operation: 'modify', parameters: { from: 'pe-north', to: 'pe-dc', bandwidthMbps: 3000 } };
    expect((await registry.apply(modify, { idempotencyKey: 'm' })).status).toBe('success');
    expect(sim.network.services.get('svc-rb')!.device.bandwidthMbps).toBe(3000);

    expect((await registry.rollback(modify, { idempotencyKey: 'm' })).status).toBe('success');
    expect(sim.network.services.get('svc-rb')!.device.bandwidthMbps).toBe(2000);

    const del: ResourceActionInput = { ...create, operation: 'delete', parameters: {}, rollback: { parameters: { from: 'pe-north', to: 'pe-dc', bandwidthMbps: 2000 } } };
    await registry.apply(del, { idempotencyKey: 'd' });
    expect(sim.network.services.has('svc-rb')).toBe(false);
    await registry.rollback(del, { idempotencyKey: 'd' });
    expect(sim.network.services.get('svc-rb')!.device.bandwidthMbps).toBe(2000);

    await registry.rollback(create, { idempotencyKey: 'c' });
    expect(sim.network.services.has('svc-rb')).toBe(false);
    expect(sim.network.freeMbps('link-north-core1')).toBe(10000);
  });

  it('verifies in-sync, drifted and absent resources', async () => {
    const { registry, sim } = await setup();
    const create = resourceActionSchema.parse(transportService('svc-v', 1500));
    await registry.apply(create, { idempotencyKey: 'v' });
    expect(await registry.verify(verifyTargetOf(create))).toMatchObject({ status: 'in-sync' });

    sim.injectDrift('svc-v', { bandwidthMbps: 100 });
    const drifted = await registry.verify(verifyTargetOf(create));
    expect(drifted).toMatchObject({ status: 'drifted', differences: [{ field: 'bandwidthMbps', expected: 1500, actual: 100 }] });

    sim.injectDrift('svc-v', 'remove');
    expect(await registry.verify(verifyTargetOf(create))).toMatchObject({ status: 'absent' });
  });

  it('discovers what is configured', async () => {
    const { guarded, registry } = await setup();
    await registry.apply(
      { domain: 'access', operation: 'create', target: { id: 'home-1', type: 'access-service' }, parameters: { oltPortId: 'olt-south-1/0/1', bandwidthMbps: 500, bngProfile: 'residential-500m', ipPool: 'business-south' } },
      { idempotencyKey: 'h1' },
    );
    const found = await guarded.discover();
    expect(found).toMatchObject({ status: 'success', resources: [{ id: 'home-1', domain: 'access', state: { ipAddress: '198.51.100.1' } }] });
  });

  it('keeps capacity and addresses in step as services come, change, drift and go', async () => {
    const { registry, sim } = await setup();
    const home = (id: string, bandwidthMbps = 100, operation: 'create' | 'modify' = 'create'): ResourceActionInput => ({
      domain: 'access',
      operation,
      target: { id, type: 'access-service' },
      parameters: { oltPortId: 'olt-south-1/0/1', bandwidthMbps, bngProfile: 'residential-500m', ipPool: 'business-south' },
    });
    const addressOf = async (id: string, key: string) => {
      const r = await registry.apply(home(id), { idempotencyKey: key });
      return r.status === 'success' ? r.resource?.state.ipAddress : r.status;
    };
    // business-south is a /29: six hosts, handed out lowest first.
    expect([await addressOf('h1', 'k1'), await addressOf('h2', 'k2'), await addressOf('h3', 'k3')]).toEqual(['198.51.100.1', '198.51.100.2', '198.51.100.3']);
    await registry.apply({ ...home('h2'), operation: 'delete' }, { idempotencyKey: 'k2-del' });
    expect(await addressOf('h4', 'k4')).toBe('198.51.100.2'); // the freed address, before .4
    expect(await addressOf('h5', 'k5')).toBe('198.51.100.4');
    // A modify keeps its address and is checked against its own new size (4 × 100 held on a 2500 port).
    const grown = await registry.apply(home('h1', 2200, 'modify'), { idempotencyKey: 'k1-mod' });
    expect(grown).toMatchObject({ status: 'success', resource: { state: { ipAddress: '198.51.100.1', bandwidthMbps: 2200 } } });
    expect(await registry.apply(home('h6', 100), { idempotencyKey: 'k6' })).toMatchObject({ status: 'permanent', code: 'capacity' });
    // Capacity follows the device: a drift down frees room, a removal frees its address too.
    sim.injectDrift('h1', { bandwidthMbps: 100 });
    expect(await addressOf('h6', 'k6b')).toBe('198.51.100.5');
    sim.injectDrift('h3', 'remove');
    expect(await addressOf('h7', 'k7')).toBe('198.51.100.3');
    expect(await addressOf('h8', 'k8')).toBe('198.51.100.6');
    expect(await registry.apply(home('h9'), { idempotencyKey: 'k9' })).toMatchObject({ status: 'permanent', code: 'capacity', reason: expect.stringContaining('exhausted') });
  });

  it('raises alarms on a cut link and on the services over it, and clears them on repair', async () => {
    const { registry, sim, events, guarded } = await setup();
    await registry.apply(transportService('svc-a', 1000), { idempotencyKey: 'a' });
    await registry.apply({ ...transportService('svc-b', 1000), parameters: { from: 'pe-south', to: 'pe-dc', bandwidthMbps: 1000 } }, { idempotencyKey: 'b' });

    const raised = await sim.cutFibre('link-north-core1');
    const alarms = events.filter((e) => e.kind === 'alarm');
    expect(alarms.map((a) => a.kind === 'alarm' && [a.alarmedObject.id, a.perceivedSeverity, a.state])).toEqual([
      ['link-north-core1', 'critical', 'raised'],
      ['svc-a', 'major', 'raised'],
    ]);
    expect(raised[1]).toMatchObject({ parentAlarmId: raised[0]!.id, probableCause: 'lossOfSignal', alarmType: 'qualityOfServiceAlarm' });
    expect(events).toContainEqual(expect.objectContaining({ kind: 'kpi', metric: 'availability', value: 0, resource: { id: 'svc-a', type: 'transport-service' } }));
    expect(await guarded.health()).toMatchObject({ status: 'degraded', detail: 'links down: link-north-core1' });

    // While the link is down new services route around it.
    const around = await registry.apply(transportService('svc-c', 1000), { idempotencyKey: 'c' });
    expect(around).toMatchObject({ status: 'success', resource: { state: { path: ['link-north-core2', 'link-core2-dc'] } } });

    const cleared = await sim.repairFibre('link-north-core1');
    expect(cleared.map((a) => [a.id, a.state, a.perceivedSeverity])).toEqual(raised.map((a) => [a.id, 'cleared', 'cleared']));
    expect(sim.alarms()).toEqual([]);
  });

  it('runs a scripted fibre cut from settings', async () => {
    const { sim, registry } = await setup({}, { scenario: [{ atMs: 20, event: 'fibre-cut', linkId: 'link-core2-south', repairAfterMs: 40 }] });
    await registry.start();
    await new Promise((r) => setTimeout(r, 35));
    expect(sim.network.downLinks.has('link-core2-south')).toBe(true);
    await new Promise((r) => setTimeout(r, 60));
    expect(sim.network.downLinks.has('link-core2-south')).toBe(false);
  });

  it('emits PRB utilisation, transport KPIs and core usage', async () => {
    const { registry, sim, events } = await setup();
    await registry.apply({ domain: 'ran', operation: 'create', target: { id: 's1', type: 'ran-slice' }, parameters: { gnbIds: ['gnb-south-1'], prbs: 53 } }, { idempotencyKey: 's1' });
    await registry.apply({ domain: 'core', operation: 'create', target: { id: 'c1', type: 'core-slice' }, parameters: { upfId: 'upf-edge-north', sessions: 100, sliceId: 'urllc', dnn: 'factory' } }, { idempotencyKey: 'c1' });
    await registry.apply(transportService('t1', 1000), { idempotencyKey: 't1' });
    await sim.emitKpis();
    expect(events).toContainEqual(expect.objectContaining({ kind: 'kpi', metric: 'prb_utilisation', value: 50, resource: { id: 'gnb-south-1', type: 'gnb' } }));
    const latency = events.find((e) => e.kind === 'kpi' && e.metric === 'latency');
    expect(latency && latency.kind === 'kpi' && latency.value).toBeGreaterThanOrEqual(3);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'usage', usageType: 'sessions', resource: { id: 'c1', type: 'core-slice' } }));
  });

  it('opens the circuit after repeated failures and reports the adapter unavailable', async () => {
    const { registry, sim, guarded } = await setup({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, breaker: { failureThreshold: 2, coolDownMs: 100 } });
    sim.setFault('apply', { rate: 1, kind: 'transient' });
    await registry.apply(transportService('x1'), { idempotencyKey: 'x1' });
    await registry.apply(transportService('x2'), { idempotencyKey: 'x2' });
    const refused = await registry.apply(transportService('x3'), { idempotencyKey: 'x3' });
    expect(refused).toMatchObject({ status: 'transient', code: 'adapter-unavailable' });
    expect(refused.reason).toMatch(/^adapter sim unavailable: circuit open after 2 consecutive failures/);
    expect(sim.calls.apply).toBe(2);
    expect(await guarded.health()).toMatchObject({ status: 'degraded', breaker: 'open' });

    // After the cool-down one probe goes through; its success closes the circuit.
    sim.setFault('apply', undefined);
    await new Promise((r) => setTimeout(r, 120));
    expect((await registry.apply(transportService('x4'), { idempotencyKey: 'x4' })).status).toBe('success');
    expect(guarded.breakerState).toBe('closed');
  });
});
