// Closed loop on the simulator: latency KPIs over event-time windows, remediation chosen by
// policy and applied through provisioning and the adapter, verified by the KPIs that follow;
// an unavoided breach yields a credit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinAdapters } from '../../adapters/builtins.js';
import { busEventPublisher, loadAdapters, type AdapterRegistry } from '../../adapters/runtime/index.js';
import type { SimulatorAdapter } from '../../adapters/simulator/index.js';
import type { Decision, PolicyEngine } from '../../policies/engine/index.js';
import { createTestBus, createTestDatabase, silentLogger, type TestBus, type TestDatabase, until } from '../../test/support/index.js';
import { loadPolicyEngine } from '../policy-engine.js';
import { startAssurance, type Assurance } from './service.js';
import type { SlaCreditEvent } from './sla.js';
import { seedAssuranceFixture } from './testing.js';

let tdb: TestDatabase;
let tbus: TestBus;
let engine: PolicyEngine;
let assurance: Assurance;
let registry: AdapterRegistry;
let sim: SimulatorAdapter;
const decisions: Decision[] = [];
const credits: SlaCreditEvent[] = [];

const SLOW_PATH = ['link-north-core2', 'link-core2-dc'];
const FAST_PATH = ['link-north-core1', 'link-core1-dc'];
const pinned = { from: 'pe-north', to: 'pe-dc', bandwidthMbps: 100, linkIds: SLOW_PATH };


async function latencySamples(target: string, minutesAgo: number[], value: number) {
  const publish = busEventPublisher(tbus.bus);
  const now = Date.now();
  for (const m of minutesAgo) {
    await publish({ kind: 'kpi', id: `${target}:lat:${m}`, source: 'probe', eventTime: new Date(now - m * 60_000).toISOString(), resource: { id: target, type: 'transport-service' }, metric: 'latency', value, unit: 'ms' });
  }
}

/** Puts a service's transport leg on the slow path in the simulated network. */
async function configure(id: string) {
  const r = await registry.apply({ domain: 'transport', operation: 'create', target: { id: `${id}-transport`, type: 'transport-service' }, parameters: pinned }, { idempotencyKey: id });
  expect(r.status).toBe('success');
}

const breachOf = (serviceId: string) => tdb.db.selectFrom('assurance_breaches').selectAll().where('service_id', '=', serviceId).executeTakeFirst();

beforeAll(async () => {
  [tdb, tbus] = await Promise.all([createTestDatabase(), createTestBus()]);
  engine = await loadPolicyEngine(tbus.bus, silentLogger(), { workers: 0 });
  registry = await loadAdapters([{ name: 'sim', builtin: 'simulator', settings: {} }], { logger: silentLogger(), events: busEventPublisher(tbus.bus), baseDir: process.cwd(), builtins: builtinAdapters });
  sim = registry.get('sim')!.inner as SimulatorAdapter;
  await configure('svc-gold');
  await seedAssuranceFixture(
    tdb.db,
    [
      { tenant: 'acme', id: 'ENT-G', type: 'enterprise', slaTier: 'gold' },
      { tenant: 'acme', id: 'CON-S', type: 'consumer', slaTier: 'standard' },
    ],
    [
      { id: 'svc-gold', tenant: 'acme', customerId: 'ENT-G', site: 'SITE-A', specification: 'enterprise-5g-slice', characteristics: { maxLatencyMs: 4, bandwidthMbps: 100 }, path: SLOW_PATH, transportParameters: pinned },
      { id: 'svc-std', tenant: 'acme', customerId: 'CON-S', site: 'SITE-A', specification: 'broadband', characteristics: { maxLatencyMs: 4, bandwidthMbps: 100 }, path: SLOW_PATH, transportParameters: pinned },
    ],
  );
  const decide: PolicyEngine['decide'] = async (path, input, ctx) => {
    const d = await engine.decide(path, input, ctx);
    decisions.push(d);
    return d;
  };
  assurance = await startAssurance({ db: tdb.db, bus: tbus.bus, decide, logger: silentLogger(), sweepMs: 0, adapters: registry });
  const sub = tbus.bus.nc.subscribe(`${tbus.namespace}.notifications.tenant.*.sla_credit`);
  void (async () => {
    for await (const m of sub) credits.push(m.json() as SlaCreditEvent);
  })();
}, 60_000);

afterAll(async () => {
  await assurance?.stop();
  await registry?.close();
  await engine?.close();
  await tbus?.cleanup();
  await tdb?.drop();
});

describe('SLA closed loop', () => {
  it('a threatened latency breach of a gold slice is re-routed ahead of time and the KPIs confirm it: no credit', async () => {
    await latencySamples('svc-gold-transport', [6, 5, 4, 3, 2, 1], 5.2);
    const threatened = await until('the remediation', async () => {
      const b = await breachOf('svc-gold');
      return b && (b.detail as { remediations: unknown[] }).remediations.length > 0 ? b : false;
    });
    expect(threatened.status).toBe('threatened');
    expect((threatened.detail as { remediations: Array<{ outcome: string; kind: string; verified: string }> }).remediations).toEqual([
      expect.objectContaining({ outcome: 'applied', kind: 'reroute', verified: 'in-sync' }),
    ]);
    // The simulator moved the service to the lowest-latency path...
    expect(sim.network.services.get('svc-gold-transport')!.allocation.path).toEqual(FAST_PATH);
    // ...having gone through the remediation and provisioning policies.
    expect(decisions.map((d) => d.path)).toEqual(expect.arrayContaining(['junction/remediation/decision', 'junction/provisioning/decision']));
    // The next KPIs from the network are within target: the breach was avoided by remediation.
    await sim.emitKpis();
    const done = await until('verification by KPIs', async () => ((await breachOf('svc-gold'))?.status === 'remediated' ? true : false));
    expect(done).toBe(true);
    expect(await tdb.db.selectFrom('assurance_credits').selectAll().where('service_id', '=', 'svc-gold').execute()).toEqual([]);
  });

  it('evaluates a batch of samples as if they arrived one by one: a threatened stretch that ends within the batch is still remediated', async () => {
    await configure('svc-batch');
    await seedAssuranceFixture(
      tdb.db,
      [{ tenant: 'acme', id: 'ENT-B', type: 'enterprise', slaTier: 'gold' }],
      [{ id: 'svc-batch', tenant: 'acme', customerId: 'ENT-B', site: 'SITE-A', specification: 'enterprise-5g-slice', characteristics: { maxLatencyMs: 4, bandwidthMbps: 100 }, path: SLOW_PATH, transportParameters: pinned }],
    );
    const now = Date.now();
    const sample = (minutesAgo: number, value: number) => ({
      source: 'probe',
      kind: 'kpi',
      detail: { kind: 'kpi', id: `svc-batch:lat:${minutesAgo}`, source: 'probe', eventTime: new Date(now - minutesAgo * 60_000).toISOString(), resource: { id: 'svc-batch-transport', type: 'transport-service' }, metric: 'latency', value, unit: 'ms' },
    });
    // Six minutes over target, then a good sample: all in one transaction.
    const raws = [...[7, 6, 5, 4, 3, 2, 1].map((m) => sample(m, 5.2)), sample(0, 3.1)];
    await assurance.intake.ingestBatch(raws.map((raw, i) => ({ raw, subject: tbus.bus.subjects.network.event, messageId: `batch-${i}` })));
    const breach = (await breachOf('svc-batch'))!;
    expect(breach.status).toBe('remediated');
    expect((breach.detail as { remediations: unknown[] }).remediations).toEqual([expect.objectContaining({ outcome: 'applied', kind: 'reroute' })]);
  });

  it('a standard service is only watched while threatened; the breach that was not avoided yields a credit', async () => {
    // Configured only now, so the first test's KPI round has no sample of it.
    await configure('svc-std');
    await latencySamples('svc-std-transport', [12, 11, 10, 9, 8, 7, 6], 5.4);
    await until('threatened', async () => ((await breachOf('svc-std'))?.status === 'threatened' ? true : false));
    expect(sim.network.services.get('svc-std-transport')!.allocation.path).toEqual(SLOW_PATH);
    await latencySamples('svc-std-transport', [5, 4, 3, 2, 1], 5.4);
    await until('breached and re-routed', async () => ((await breachOf('svc-std'))?.status === 'breached' ? true : false));
    const detail = (await breachOf('svc-std'))!.detail as { remediations: Array<{ outcome: string; reasons?: string[] }> };
    expect(detail.remediations[0]).toMatchObject({ outcome: 'none', reasons: ['threatened latency breach of a standard service is watched, not remediated'] });
    await until('the simulator re-routed it', async () => (sim.network.services.get('svc-std-transport')!.allocation.path?.[0] === FAST_PATH[0] ? true : false));
    await sim.emitKpis();
    const credit = await until('the credit', async () => (await tdb.db.selectFrom('assurance_credits').selectAll().where('service_id', '=', 'svc-std').executeTakeFirst()) ?? false);
    // 12+ minutes of breach on a standard broadband line: 2 started 10-minute blocks × 1 % of 40 EUR.
    expect({ amount: Number(credit.amount), currency: credit.currency, tenant: credit.tenant, customer: credit.customer_id }).toEqual({ amount: 0.8, currency: 'EUR', tenant: 'acme', customer: 'CON-S' });
    expect((await breachOf('svc-std'))!.status).toBe('credited');
    await until('the credit event to the BSS', async () => credits.length === 1);
    expect(credits[0]).toMatchObject({ serviceId: 'svc-std', amount: 0.8, period: new Date().toISOString().slice(0, 7) });
  });
});
