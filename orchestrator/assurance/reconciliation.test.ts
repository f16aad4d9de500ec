import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinAdapters } from '../../adapters/builtins.js';
import { loadAdapters, type AdapterRegistry } from '../../adapters/runtime/index.js';
import type { SimulatorAdapter } from '../../adapters/simulator/index.js';
import { collectEvents } from '../../adapters/testing.js';
import { createTestDatabase, silentLogger, type TestDatabase } from '../../test/support/index.js';
import { createReconciler } from './reconciliation.js';
import { seedAssuranceFixture } from './testing.js';

let tdb: TestDatabase;
let registry: AdapterRegistry;
const params = { from: 'pe-north', to: 'pe-dc', bandwidthMbps: 10 };

beforeAll(async () => {
  tdb = await createTestDatabase();
  registry = await loadAdapters([{ name: 'sim', builtin: 'simulator', settings: {} }], { logger: silentLogger(), events: collectEvents().publish, baseDir: process.cwd(), builtins: builtinAdapters });
  for (const id of ['svc-a', 'svc-b', 'svc-c']) {
    await registry.apply({ domain: 'transport', operation: 'create', target: { id: `${id}-transport`, type: 'transport-service' }, parameters: params }, { idempotencyKey: id });
  }
  // svc-d exists only in the network; svc-z only in inventory.
  await registry.apply({ domain: 'transport', operation: 'create', target: { id: 'svc-d-transport', type: 'transport-service' }, parameters: params }, { idempotencyKey: 'd' });
  await seedAssuranceFixture(
    tdb.db,
    [{ tenant: 'acme', id: 'C', type: 'consumer', slaTier: 'standard' }],
    ['svc-a', 'svc-b', 'svc-c', 'svc-z'].map((id) => ({ id, tenant: 'acme', customerId: 'C', site: 'SITE-A', path: ['link-north-core1'], transportParameters: params })),
  );
}, 30_000);

afterAll(async () => {
  await registry?.close();
  await tdb?.drop();
});

describe('inventory reconciliation', () => {
  it('reports missing, extra and different resources and publishes the report', async () => {
    (registry.get('sim')!.inner as SimulatorAdapter).injectDrift('svc-b-transport', { bandwidthMbps: 5 });
    const published: Array<{ subject: string; payload: unknown }> = [];
    const reconciler = createReconciler({ db: tdb.db, discoverAll: () => registry.discoverAll(), publish: async (subject, payload) => void published.push({ subject, payload }), subject: 'ns.assurance.drift' });
    const report = await reconciler.run();
    expect(report.drift).toEqual([
      { resourceId: 'svc-b-transport', domain: 'transport', serviceId: 'svc-b', kind: 'different', differences: [{ field: 'bandwidthMbps', expected: 10, actual: 5 }] },
      { resourceId: 'svc-d-transport', domain: 'transport', kind: 'extra' },
      { resourceId: 'svc-z-transport', domain: 'transport', serviceId: 'svc-z', kind: 'missing' },
    ]);
    expect(report).toMatchObject({ adapters: { sim: 'ok' }, expected: 4, discovered: 4 });
    expect(published).toEqual([{ subject: 'ns.assurance.drift', payload: report }]);
    expect(reconciler.latest()).toBe(report);
  });

  it('an adapter that cannot discover is reported, not read as "everything is missing"', async () => {
    const sim = registry.get('sim')!.inner as SimulatorAdapter;
    sim.setFault('discover', { rate: 1, kind: 'permanent' });
    const reconciler = createReconciler({ db: tdb.db, discoverAll: () => registry.discoverAll(), publish: async () => undefined, subject: 'x' });
    const report = await reconciler.run();
    sim.setFault('discover', undefined);
    expect(report.adapters.sim).toContain('permanent');
    expect(report.drift).toEqual([]);
  });
});
