import { afterEach, describe, expect, it } from 'vitest';
import { builtinAdapters } from '../builtins.js';
import type { ResourceActionInput } from '../contract.js';
import { loadAdapters, type AdapterRegistry } from '../runtime/index.js';
import { collectEvents, silentLogger } from '../testing.js';
import type { SimulatorAdapter } from './index.js';

let registry: AdapterRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

const topology = {
  nfv: {
    vims: [{ id: 'vim-north', vcpuCapacity: 64 }],
    nsds: [
      { id: 'nsd-vfw', vcpusPerInstance: 8 },
      { id: 'nsd-vepc', vcpusPerInstance: 24 },
    ],
  },
};

async function setup(entries: unknown[] = [{ name: 'sim', builtin: 'simulator', settings: { topology }, call: { timeoutMs: 2_000 } }]) {
  const collected = collectEvents();
  registry = await loadAdapters(entries, { logger: silentLogger(), events: collected.publish, baseDir: process.cwd(), builtins: builtinAdapters });
  return { registry, sim: registry.get('sim')!.inner as SimulatorAdapter, events: collected.events };
}

const ns = (id: string, nsdId: string, instances: number, operation: 'create' | 'modify' = 'create'): ResourceActionInput => ({
  domain: 'nfv',
  operation,
  target: { id, type: 'network-service' },
  parameters: { nsdId, vimId: 'vim-north', instances },
});

describe('simulator nfv domain: network services on VIMs with vCPU capacity', () => {
  it('serves nfv only when the topology has VIMs, so it does not clash with an NFVO adapter', async () => {
    const { registry } = await setup();
    expect(registry.get('sim')!.domains).toEqual(['ran', 'transport', 'core', 'access', 'nfv']);
    await registry.close();
    const plain = await setup([
      { name: 'sim', builtin: 'simulator' },
      { name: 'osm', builtin: 'sol005', settings: { apiRoot: 'http://127.0.0.1:9/osm' } },
    ]);
    expect(plain.registry.list().map((a) => [a.name, [...a.domains]])).toEqual([
      ['sim', ['ran', 'transport', 'core', 'access']],
      ['osm', ['nfv']],
    ]);
  });

  it('instantiates within capacity, refuses beyond it, and scales with modify against its own size', async () => {
    const { registry, sim, events } = await setup();
    expect(await registry.apply(ns('fw-1', 'nsd-vfw', 2), { idempotencyKey: 'a' })).toMatchObject({
      status: 'success',
      resource: { id: 'fw-1', state: { nsdId: 'nsd-vfw', vimId: 'vim-north', instances: 2, vcpus: 16, domain: 'nfv' } },
    });
    expect(await registry.apply(ns('epc-1', 'nsd-vepc', 3), { idempotencyKey: 'b' })).toEqual({
      status: 'permanent',
      code: 'capacity',
      reason: 'VIM "vim-north" has 48 of 64 vCPUs free; 3 × nsd-vepc needs 72',
    });
    expect(sim.network.services.has('epc-1')).toBe(false);
    expect(await registry.apply(ns('epc-2', 'nsd-vepc', 1), { idempotencyKey: 'c' })).toMatchObject({ status: 'success' });
    // 16 + 24 used: fw-1 may grow to 5 instances (40 vCPUs) since its own 16 are counted once.
    expect(await registry.apply(ns('fw-1', 'nsd-vfw', 5, 'modify'), { idempotencyKey: 'd' })).toMatchObject({ status: 'success', resource: { state: { vcpus: 40 } } });
    expect(await registry.apply(ns('fw-1', 'nsd-vfw', 6, 'modify'), { idempotencyKey: 'e' })).toMatchObject({ status: 'permanent', code: 'capacity' });
    expect(await registry.apply(ns('x', 'nsd-unknown', 1), { idempotencyKey: 'f' })).toMatchObject({ status: 'permanent', code: 'not-found', reason: 'NSD "nsd-unknown" is not on-boarded' });
    expect(await registry.apply({ ...ns('y', 'nsd-vfw', 1), parameters: { nsdId: 'nsd-vfw', vimId: 'vim-north' } }, { idempotencyKey: 'g' })).toMatchObject({
      status: 'permanent',
      code: 'invalid-action',
    });
    await sim.emitKpis();
    expect(events).toContainEqual(expect.objectContaining({ kind: 'kpi', metric: 'vcpu_utilisation', value: 100, unit: 'percent', resource: { id: 'vim-north', type: 'vim' } }));
  });

  it('rolls a scale back, verifies drift, and frees capacity on delete', async () => {
    const { registry, sim } = await setup();
    await registry.apply(ns('fw-2', 'nsd-vfw', 2), { idempotencyKey: 'a' });
    const grow = ns('fw-2', 'nsd-vfw', 4, 'modify');
    await registry.apply(grow, { idempotencyKey: 'b' });
    expect(await registry.verify({ domain: 'nfv', target: grow.target, expected: grow.parameters })).toMatchObject({ status: 'in-sync' });
    expect(await registry.rollback(grow, { idempotencyKey: 'b' })).toMatchObject({ status: 'success', resource: { state: { instances: 2, vcpus: 16 } } });
    sim.injectDrift('fw-2', { instances: 1 });
    expect(await registry.verify({ domain: 'nfv', target: { id: 'fw-2', type: 'network-service' }, expected: { instances: 2 } })).toMatchObject({
      status: 'drifted',
      differences: [{ field: 'instances', expected: 2, actual: 1 }],
    });
    await registry.apply({ ...ns('fw-2', 'nsd-vfw', 2), operation: 'delete' }, { idempotencyKey: 'c' });
    expect(sim.network.vcpusUsed('vim-north')).toBe(0);
    expect(await registry.verify({ domain: 'nfv', target: { id: 'fw-2', type: 'network-service' } })).toMatchObject({ status: 'absent' });
  });
});
