// prepareAssurance as platform/runtime.ts would call it: routes everywhere, the intake and the
// reconciliation only with the orchestrator role.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinAdapters } from '../../adapters/builtins.js';
import { busEventPublisher, loadAdapters, type AdapterRegistry } from '../../adapters/runtime/index.js';
import { createAccessControl } from '../../gateway/access.js';
import { createGatewayApp } from '../../gateway/app.js';
import { createMetrics } from '../../platform/metrics.js';
import { createTestBus, createTestDatabase, silentLogger, type TestBus, type TestDatabase } from '../../test/support/index.js';
import { prepareAssurance, type AssuranceWiring } from './wiring.js';

const KEY = 'operator-key-0123456789';
let tdb: TestDatabase;
let tbus: TestBus;
let registry: AdapterRegistry;
let wiring: AssuranceWiring;

beforeAll(async () => {
  [tdb, tbus] = await Promise.all([createTestDatabase(), createTestBus()]);
  registry = await loadAdapters([{ name: 'sim', builtin: 'simulator', settings: {} }], { logger: silentLogger(), events: busEventPublisher(tbus.bus), baseDir: process.cwd(), builtins: builtinAdapters });
  wiring = await prepareAssurance({ db: tdb.db, bus: tbus.bus, logger: silentLogger(), orchestrator: true, adapters: registry, policyWorkers: 0, reconcileEveryMs: 0 });
}, 60_000);

afterAll(async () => {
  await wiring?.close();
  await registry?.close();
  await tbus?.cleanup();
  await tdb?.drop();
});

describe('prepareAssurance', () => {
  it('mounts the routes; GET /drift answers once reconciliation has run', async () => {
    const app = createGatewayApp({
      logger: silentLogger(),
      access: createAccessControl([{ key: KEY, principal: 'ops', roles: ['operator'] }]),
      metrics: createMetrics({ processMetrics: false }),
      bus: tbus.bus,
      readiness: async () => ({ ready: true, checks: {} }),
      routes: wiring.routes,
    });
    const get = (path: string) => app.request(path, { headers: { authorization: `Bearer ${KEY}` } });
    expect((await get('/assurance/v1/drift')).status).toBe(404);
    await registry.apply({ domain: 'transport', operation: 'create', target: { id: 'stray', type: 'transport-service' }, parameters: { from: 'pe-north', to: 'pe-dc', bandwidthMbps: 1 } }, { idempotencyKey: 'stray' });
    await wiring.reconcileNow!();
    const drift = (await (await get('/assurance/v1/drift')).json()) as { drift: unknown[] };
    expect(drift.drift).toEqual([{ resourceId: 'stray', domain: 'transport', kind: 'extra' }]);
    const res = await get('/assurance/v1/serviceProblem');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  });
});
