// Assurance end to end on the real Postgres and JetStream: the simulator's events go through the
// bus into mediation, correlation and notification, decided by the shipped Rego policies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinAdapters } from '../../adapters/builtins.js';
import type { AlarmEvent } from '../../adapters/contract.js';
import { busEventPublisher, loadAdapters, type AdapterRegistry } from '../../adapters/runtime/index.js';
import type { SimulatorAdapter } from '../../adapters/simulator/index.js';
import { ungroup } from '../../platform/bus/group-publish.js';
import type { Decision } from '../../policies/engine/index.js';
import type { PolicyEngine } from '../../policies/engine/index.js';
import { createTestBus, createTestDatabase, silentLogger, type TestBus, type TestDatabase, until } from '../../test/support/index.js';
import { loadPolicyEngine } from '../policy-engine.js';
import type { ServiceProblemEvent } from './service-problem.js';
import { startAssurance, type Assurance } from './service.js';
import { seedAssuranceFixture, type FixtureCustomer, type FixtureService } from './testing.js';



let tdb: TestDatabase;
let tbus: TestBus;
let engine: PolicyEngine;
let assurance: Assurance;
let registry: AdapterRegistry;
let sim: SimulatorAdapter;
const decisions: Decision[] = [];
const notices: ServiceProblemEvent[] = [];
const quarantined: Array<{ reason: string; raw: unknown }> = [];
let clock = new Date('2026-11-23T10:00:00Z').getTime();

const problems = () => tdb.db.selectFrom('assurance_problems').selectAll().orderBy('raised_at').execute();

// Gold enterprise customers in SITE-A, consumers spread over two areas; all routed over link-north-core1.
const customers: FixtureCustomer[] = [
  { tenant: 'acme', id: 'ENT-1', type: 'enterprise', slaTier: 'gold' },
  { tenant: 'acme', id: 'ENT-2', type: 'enterprise', slaTier: 'gold' },
  { tenant: 'globex', id: 'ENT-9', type: 'enterprise', slaTier: 'silver' },
  ...Array.from({ length: 20 }, (_, i): FixtureCustomer => ({ tenant: 'acme', id: `CON-${i}`, type: 'consumer', slaTier: 'standard' })),
];
const services: FixtureService[] = [
  { id: 'svc-e1a', tenant: 'acme', customerId: 'ENT-1', site: 'SITE-A', specification: 'enterprise-5g-slice' },
  { id: 'svc-e1b', tenant: 'acme', customerId: 'ENT-1', site: 'SITE-B', specification: 'enterprise-5g-slice' },
  { id: 'svc-e2', tenant: 'acme', customerId: 'ENT-2', site: 'SITE-A', specification: 'enterprise-5g-slice' },
  { id: 'svc-g9', tenant: 'globex', customerId: 'ENT-9', site: 'SITE-A' },
  ...Array.from({ length: 20 }, (_, i): FixtureService => ({ id: `svc-c${i}`, tenant: 'acme', customerId: `CON-${i}`, site: i % 2 ? 'SITE-A' : 'SITE-B' })),
];

beforeAll(async () => {
  [tdb, tbus] = await Promise.all([createTestDatabase(), createTestBus()]);
  const bus = tbus.bus;
  engine = await loadPolicyEngine(bus, silentLogger(), { workers: 0 });
  const decide: PolicyEngine['decide'] = async (path, input, ctx) => {
    const d = await engine.decide(path, input, ctx);
    decisions.push(d);
    return d;
  };
  registry = await loadAdapters([{ name: 'sim', builtin: 'simulator', settings: {} }], {
    logger: silentLogger(),
    events: busEventPublisher(bus),
    baseDir: process.cwd(),
    builtins: builtinAdapters,
  });
  sim = registry.get('sim')!.inner as SimulatorAdapter;
  // The network holds each service's transport leg; inventory records the path the adapter chose.
  for (const s of services) {
    const r = await registry.apply(
      { domain: 'transport', operation: 'create', target: { id: `${s.id}-transport`, type: 'transport-service' }, parameters: { from: 'pe-north', to: 'pe-dc', bandwidthMbps: 10 } },
      { idempotencyKey: s.id },
    );
    if (r.status !== 'success') throw new Error(r.reason);
    s.path = r.resource.state.path as string[];
  }
  await seedAssuranceFixture(tdb.db, customers, services);
  assurance = await startAssurance({ db: tdb.db, bus, decide, logger: silentLogger(), sweepMs: 0, now: () => new Date(clock) });
  const sub = bus.nc.subscribe(assurance.subjects.allTenants);
  void (async () => {
    for await (const m of sub) notices.push(m.json() as ServiceProblemEvent);
  })();
  const q = bus.nc.subscribe(assurance.subjects.quarantine);
  void (async () => {
    for await (const m of q) quarantined.push(m.json() as { reason: string; raw: unknown });
  })();
}, 60_000);

afterAll(async () => {
  await assurance?.stop();
  await registry?.close();
  await engine?.close();
  await tbus?.cleanup();
  await tdb?.drop();
});

describe('assurance intake', () => {
  it('quarantines a malformed event with its reason and still processes the valid one behind it', async () => {
    const bus = tbus.bus;
    await bus.publish(bus.subjects.network.event, { source: 'nms', kind: 'alarm', detail: { kind: 'alarm', id: 'broken' } }, { messageId: 'bad-1' });
    await bus.publish(bus.subjects.network.event, 'not even an object', { messageId: 'bad-2' });
    await busEventPublisher(bus)({ kind: 'kpi', id: 'k-after-garbage', source: 'sim', eventTime: new Date(clock).toISOString(), resource: { id: 'svc-e1a', type: 'service' }, metric: 'latency', value: 12, unit: 'ms' });
    await until('the valid KPI behind the garbage', async () =>
      (await tdb.db.selectFrom('assurance_kpi_samples').selectAll().where('sample_id', '=', 'k-after-garbage').executeTakeFirst()) ?? false,
    );
    await until('two quarantined events', async () => quarantined.length >= 2);
    expect(quarantined.map((q) => q.reason)).toEqual(
      expect.arrayContaining([expect.stringContaining('source: '), 'expected a JSON object, got string']),
    );
    const stored = await bus.jsm.streams.info(`${tbus.namespace}_assurance`);
    expect(stored.state.messages).toBe(2);
  });

  it('processes an event with the same source id once, however often it arrives', async () => {
    const bus = tbus.bus;
    const kpi = { kind: 'kpi', id: 'k-dup', source: 'sim', eventTime: new Date(clock).toISOString(), resource: { id: 'svc-e2', type: 'service' }, metric: 'latency', value: 13, unit: 'ms' };
    // Different Nats-Msg-Ids so the stream keeps all three: the dedupe must come from assurance itself.
    for (const n of [1, 2, 3]) await bus.publish(bus.subjects.network.event, { source: 'sim', kind: 'kpi', detail: kpi }, { messageId: `dup-${n}` });
    await busEventPublisher(bus)({ ...kpi, id: 'k-dup-marker' } as never);
    await until('the marker behind the duplicates', async () =>
      (await tdb.db.selectFrom('assurance_kpi_samples').selectAll().where('sample_id', '=', 'k-dup-marker').executeTakeFirst()) ?? false,
    );
    const ledger = await tdb.db.selectFrom('processed_messages').selectAll().where('message_id', '=', 'network-event:sim:kpi:k-dup').execute();
    expect(ledger).toHaveLength(1);
    const samples = await tdb.db.selectFrom('assurance_kpi_samples').selectAll().where('sample_id', '=', 'k-dup').execute();
    expect(samples).toHaveLength(1);
  });
});

describe('fibre cut: correlation, root cause, notification', () => {
  let cut: AlarmEvent[];

  it('turns the storm of child alarms into one problem with one root cause', async () => {
    cut = await sim.cutFibre('link-north-core1');
    expect(cut).toHaveLength(1 + services.length);
    const [problem] = await until('the problem with every child attached', async () => {
      const ps = await problems();
      return ps.length === 1 && ps[0]!.child_alarms === services.length ? ps : false;
    });
    expect(problem).toMatchObject({ root_resource_id: 'link-north-core1', status: 'inProgress', affected_services: services.length, affected_customers: customers.length, severity: 'critical' });
    const attached = await tdb.db.selectFrom('assurance_alarms').select(['alarm_id']).where('problem_id', '=', problem!.id).execute();
    expect(attached).toHaveLength(cut.length);
  });

  it('notifies each tenant as the notification policy decides, every decision audited', async () => {
    const raised = await until('the raise notifications', async () => {
      const n = [...new Map(notices.filter((e) => e.eventType === 'ServiceProblemCreateEvent').map((e) => [e.eventId, e])).values()];
      return n.length === 5 ? n : false;
    });
    const summary = raised.map((e) => ({
      tenant: e.tenant,
      mode: e.notification.mode,
      priority: e.notification.priority,
      customers: e.event.serviceProblem.relatedParty.map((p) => p.id).sort(),
      services: e.event.serviceProblem.affectedNumberOfServices,
    }));
    // Gold enterprise: one notice per customer (ENT-1 with both its services); silver/consumers: one per area.
    expect(summary).toEqual(
      expect.arrayContaining([
        { tenant: 'acme', mode: 'individual', priority: 'critical', customers: ['ENT-1'], services: 2 },
        { tenant: 'acme', mode: 'individual', priority: 'critical', customers: ['ENT-2'], services: 1 },
        { tenant: 'globex', mode: 'batched', priority: 'high', customers: ['ENT-9'], services: 1 },
        { tenant: 'acme', mode: 'batched', priority: 'high', customers: Array.from({ length: 10 }, (_, i) => `CON-${2 * i + 1}`).sort(), services: 10 },
        { tenant: 'acme', mode: 'batched', priority: 'high', customers: Array.from({ length: 10 }, (_, i) => `CON-${2 * i}`).sort(), services: 10 },
      ]),
    );
    expect(raised.every((e) => e.event.serviceProblem.rootCauseResource[0]!.id === 'link-north-core1')).toBe(true);
    const notificationDecisions = decisions.filter((d) => d.path === 'junction/notification/decision');
    // One decision per (tenant, customer type, tier, area) group: acme gold SITE-A/SITE-B, globex silver, consumers ×2.
    expect(notificationDecisions).toHaveLength(5);
    expect(notificationDecisions.every((d) => d.component === 'assurance' && d.network_event_id === `sim:${cut[0]!.id}`)).toBe(true);
    // On their way to the audit log: every one is on the decisions stream (several may share a message).
    const stream = `${tbus.namespace}_decisions`;
    const info = await tbus.bus.jsm.streams.info(stream);
    const published: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await tbus.bus.jsm.streams.getMessage(stream, { seq });
      for (const d of ungroup(m!.json())) published.push((d as Decision).decision_id);
    }
    expect(published).toEqual(expect.arrayContaining(notificationDecisions.map((d) => d.decision_id)));
  });

  it('a re-raise of the same root cause joins the open problem; clearing only one raise does not resolve it', async () => {
    const again = { ...cut[0]!, id: 'sim:link-north-core1:again', eventTime: new Date().toISOString() };
    await busEventPublisher(tbus.bus)(again);
    await until('the re-raise attached', async () =>
      (await tdb.db.selectFrom('assurance_alarms').select('problem_id').where('alarm_id', '=', again.id).executeTakeFirst())?.problem_id ?? false,
    );
    await busEventPublisher(tbus.bus)({ ...again, state: 'cleared', perceivedSeverity: 'cleared', eventTime: new Date(Date.now() + 1).toISOString() });
    await until('the re-raise cleared', async () =>
      (await tdb.db.selectFrom('assurance_alarms').select('state').where('alarm_id', '=', again.id).executeTakeFirst())?.state === 'cleared',
    );
    const ps = await problems();
    expect(ps).toHaveLength(1);
    expect(ps[0]!.status).toBe('inProgress');
    expect(new Set(notices.filter((e) => e.eventType === 'ServiceProblemCreateEvent').map((e) => e.eventId)).size).toBe(5);
  });

  it('the clear resolves the problem and tells the same customers', async () => {
    await sim.repairFibre('link-north-core1');
    await until('the problem resolved', async () => ((await problems())[0]!.status === 'resolved' ? true : false));
    const resolved = await until('the resolution notices', async () => {
      const n = [...new Map(notices.filter((e) => e.eventType === 'ServiceProblemStateChangeEvent').map((e) => [e.eventId, e])).values()];
      return n.length === 5 ? n : false;
    });
    expect(resolved.every((e) => e.event.serviceProblem.status === 'resolved' && e.event.serviceProblem.resolutionDate)).toBe(true);
  });
});

describe('flapping alarms', () => {
  const base = Date.parse('2026-11-23T12:00:00.000Z');
  const flap = (n: number, state: 'raised' | 'cleared', atS: number): AlarmEvent => ({
    kind: 'alarm',
    id: `olt-flappy:los:${n}`,
    source: 'nms',
    eventTime: new Date(base + atS * 1000).toISOString(),
    state,
    alarmedObject: { id: 'olt-flappy', type: 'olt' },
    alarmType: 'communicationsAlarm',
    perceivedSeverity: state === 'raised' ? 'major' : 'cleared',
    probableCause: 'lossOfSignal',
    alarmRaisedTime: new Date(base + (atS - (state === 'cleared' ? 2 : 0)) * 1000).toISOString(),
  });
  const flappy = async () => (await problems()).filter((p) => p.root_resource_id === 'olt-flappy');
  const noticesFor = () => notices.filter((e) => e.event.serviceProblem.rootCauseResource[0]!.id === 'olt-flappy');
  const send = async (events: AlarmEvent[]) => {
    for (const e of events) await busEventPublisher(tbus.bus)(e);
    const last = events[events.length - 1]!;
    await until('the alarms processed', async () =>
      (await tdb.db.selectFrom('assurance_alarms').select('state').where('alarm_id', '=', last.id).executeTakeFirst())?.state === last.state,
    );
  };

  beforeAll(async () => {
    await seedAssuranceFixture(tdb.db, [{ tenant: 'acme', id: 'ENT-F', type: 'enterprise', slaTier: 'gold' }], [{ id: 'svc-flap', tenant: 'acme', customerId: 'ENT-F', site: 'SITE-C', reservedOn: ['olt-flappy'] }]);
  });

  it('is damped: after a few quick flaps a clear no longer resolves, and the sweep resolves once it is stable', async () => {
    // Two flaps: each raise opens a problem and each clear resolves it (told to the customer).
    await send([flap(1, 'raised', 0), flap(1, 'cleared', 2), flap(2, 'raised', 5), flap(2, 'cleared', 7)]);
    expect((await flappy()).map((p) => p.status)).toEqual(['resolved', 'resolved']);
    // The third raise crosses the suppress threshold: a problem opens, but its clear leaves it pending...
    await send([flap(3, 'raised', 10), flap(3, 'cleared', 12)]);
    expect((await flappy()).map((p) => p.status)).toEqual(['resolved', 'resolved', 'pending']);
    // ...and the next flap lands on that same problem instead of opening (and notifying) another.
    await send([flap(4, 'raised', 15), flap(4, 'cleared', 17)]);
    expect((await flappy()).map((p) => p.status)).toEqual(['resolved', 'resolved', 'pending']);
    const told = noticesFor().length;
    expect(new Set(noticesFor().map((e) => e.eventId)).size).toBe(5); // 3 raises, 2 resolutions; none for flap 4

    clock = base + 20_000; // still flapping-hot: nothing to settle
    expect((await assurance.sweep()).settled).toBe(0);
    clock = base + 10 * 60_000; // quiet for ten minutes: the penalty has decayed
    expect((await assurance.sweep()).settled).toBe(1);
    expect((await flappy()).map((p) => p.status)).toEqual(['resolved', 'resolved', 'resolved']);
    await until('the resolution notice', async () => noticesFor().length > told);
    expect(noticesFor().at(-1)!.event.serviceProblem).toMatchObject({ status: 'resolved', affectedService: [{ id: 'svc-flap' }] });
  });

  it('children that arrive before their parent are adopted by the parent\'s problem', async () => {
    const parent = { ...flap(9, 'raised', 100), alarmedObject: { id: 'olt-orphanage', type: 'olt' }, id: 'parent-9' };
    const child = (n: number): AlarmEvent => ({ ...parent, id: `child-${n}`, alarmedObject: { id: `olt-orphanage/${n}`, type: 'olt-port' }, parentAlarmId: 'parent-9' });
    await send([child(1), child(2)]);
    expect((await problems()).filter((p) => p.root_resource_id === 'olt-orphanage')).toEqual([]);
    await send([parent]);
    const [problem] = (await problems()).filter((p) => p.root_resource_id === 'olt-orphanage');
    expect(problem).toMatchObject({ child_alarms: 2 });
    const adopted = await tdb.db.selectFrom('assurance_alarms').select('problem_id').where('alarm_id', 'in', ['child-1', 'child-2']).execute();
    expect(adopted.map((a) => a.problem_id)).toEqual([problem!.id, problem!.id]);
  });

  it('orphans whose parent never arrives become one problem of their own after the grace period', async () => {
    const lost = { ...flap(20, 'raised', 200), alarmedObject: { id: 'olt-flappy', type: 'olt' }, id: 'lost-child-1', parentAlarmId: 'never-seen' };
    await send([lost, { ...lost, id: 'lost-child-2' }]);
    clock = base + 200_000 + 5_000;
    expect((await assurance.sweep()).orphanProblems).toBe(0);
    clock = base + 200_000 + 60_000;
    expect((await assurance.sweep()).orphanProblems).toBe(1);
    const [problem] = (await problems()).filter((p) => p.root_alarm_id === 'never-seen');
    expect(problem).toMatchObject({ child_alarms: 2, affected_services: 1, status: 'inProgress' });
    await until('its notice', async () => notices.some((e) => e.event.serviceProblem.id === problem!.id));
  });
});
