import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBus, type TestBus } from '../../test/support/bus.js';
import { builtinAdapters } from '../builtins.js';
import type { SimulatorAdapter } from '../simulator/index.js';
import { silentLogger } from '../testing.js';
import { busEventPublisher } from './bus-events.js';
import { loadAdapters } from './index.js';

let t: TestBus;
beforeAll(async () => {
  t = await createTestBus();
});
afterAll(async () => {
  await t?.cleanup();
});

describe('network events on the bus (real NATS JetStream)', () => {
  it('publishes simulator alarms to <ns>.network.event as { source, kind, detail }, deduplicated by id', async () => {
    const registry = await loadAdapters([{ name: 'sim', builtin: 'simulator' }], {
      logger: silentLogger(),
      events: busEventPublisher(t.bus),
      baseDir: process.cwd(),
      builtins: builtinAdapters,
    });
    try {
      const sim = registry.get('sim')!.inner as SimulatorAdapter;
      await registry.apply({ domain: 'transport', operation: 'create', target: { id: 'svc-bus', type: 'transport-service' }, parameters: { from: 'pe-north', to: 'pe-dc', bandwidthMbps: 100 } }, { idempotencyKey: 'bus-1' });
      const raised = await sim.cutFibre('link-north-core1');

      const stream = t.bus.topology.streams.network.name;
      const info = await t.bus.jsm.streams.info(stream);
      // Two alarms (link + service) and one availability KPI.
      expect(info.state.messages).toBe(3);
      const first = await t.bus.jsm.streams.getMessage(stream, { seq: 1 });
      expect(first?.subject).toBe(`${t.namespace}.network.event`);
      expect(first?.json()).toMatchObject({ source: 'sim', kind: 'alarm', detail: { id: raised[0]!.id, alarmedObject: { id: 'link-north-core1' }, perceivedSeverity: 'critical' } });

      // Publishing the same event again is dropped by the stream's duplicate window.
      await busEventPublisher(t.bus)(raised[0]!);
      expect((await t.bus.jsm.streams.info(stream)).state.messages).toBe(3);
    } finally {
      await registry.close();
    }
  });
});
