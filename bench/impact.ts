// npm run bench:impact — fault detection to customer notification, end to end on this machine.
//
// A fibre cut on the simulator under 10,000 services (BENCH_SERVICES) routed over the cut link:
// the simulator publishes the root alarm, one child alarm per service and an availability KPI per
// service onto JetStream (as adapters do); assurance mediates, deduplicates, correlates them into
// one problem, asks the notification policy per customer group (decisions audited) and publishes
// TMF656 events per tenant. A subscriber stands in for the tenants' BSS. Latency of a service =
// arrival of the first notification naming it − event time of the root alarm.
//
// Needs the local Postgres and NATS (a private database and namespace, removed afterwards).
// Prints JSON and writes bench/results/impact.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { builtinAdapters } from '../adapters/builtins.js';
import { busEventPublisher, loadAdapters } from '../adapters/runtime/index.js';
import type { SimulatorAdapter } from '../adapters/simulator/index.js';
import { loadPolicyEngine } from '../orchestrator/policy-engine.js';
import type { ServiceProblemEvent } from '../orchestrator/assurance/service-problem.js';
import { startAssurance } from '../orchestrator/assurance/service.js';
import { seedAssuranceFixture, type FixtureCustomer, type FixtureService } from '../orchestrator/assurance/testing.js';
import { createTestBus, createTestDatabase, memoryLogger, silentLogger } from '../test/support/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES = Number(process.env.BENCH_SERVICES ?? 10_000);
const TENANTS = ['acme', 'globex', 'initech', 'umbrella'];
const AREAS = 20;
const LINK = 'link-north-core1';
const PATH = [LINK, 'link-core1-dc'];
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 60_000);

const percentile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (n: number) => Math.round(n * 10) / 10;

/** 20 % of services belong to gold enterprise customers (2 services each), the rest to consumers. */
function inventory(): { customers: FixtureCustomer[]; services: FixtureService[] } {
  const customers: FixtureCustomer[] = [];
  const services: FixtureService[] = [];
  const enterpriseServices = Math.floor(SERVICES * 0.2);
  for (let i = 0; i < SERVICES; i++) {
    const tenant = TENANTS[i % TENANTS.length]!;
    const site = `AREA-${i % AREAS}`;
    if (i < enterpriseServices) {
      const id = `ENT-${Math.floor(i / 2)}`;
      if (i % 2 === 0) customers.push({ tenant: TENANTS[Math.floor(i / 2) % TENANTS.length]!, id, type: 'enterprise', slaTier: 'gold' });
      services.push({ id: `svc-${i}`, tenant: TENANTS[Math.floor(i / 2) % TENANTS.length]!, customerId: id, site, specification: 'enterprise-5g-slice', path: PATH });
    } else {
      customers.push({ tenant, id: `CON-${i}`, type: 'consumer', slaTier: 'standard' });
      services.push({ id: `svc-${i}`, tenant, customerId: `CON-${i}`, site, path: PATH });
    }
  }
  return { customers, services };
}

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`bench:impact timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function main(): Promise<void> {
  const [tdb, tbus] = await Promise.all([createTestDatabase(), createTestBus()]);
  const logger = silentLogger();
  const engine = await loadPolicyEngine(tbus.bus, logger, { workers: 1 });
  const registry = await loadAdapters([{ name: 'sim', builtin: 'simulator', settings: {} }], { logger, events: busEventPublisher(tbus.bus), baseDir: root, builtins: builtinAdapters });
  const sim = registry.get('sim')!.inner as SimulatorAdapter;
  let assurance: Awaited<ReturnType<typeof startAssurance>> | undefined;
  try {
    const { customers, services } = inventory();
    // The network side: every service's transport leg routed over the link that will be cut.
    for (const s of services) {
      sim.network.put({ id: `${s.id}-transport`, type: 'transport-service', domain: 'transport', intended: { from: 'pe-north', to: 'pe-dc', bandwidthMbps: 0.1 }, device: { from: 'pe-north', to: 'pe-dc', bandwidthMbps: 0.1 }, allocation: { path: PATH } });
    }
    await seedAssuranceFixture(tdb.db, customers, services);
    await sql`analyze`.execute(tdb.db);

    const trace = memoryLogger('info');
    assurance = await startAssurance({ db: tdb.db, bus: tbus.bus, decide: engine.decide, logger: trace.logger, sweepMs: 0, batch: 512 });
    const notifiedAt = new Map<string, number>();
    let notices = 0;
    let lastNoticeAt = 0;
    const sub = tbus.bus.nc.subscribe(assurance.subjects.allTenants);
    void (async () => {
      for await (const m of sub) {
        const now = Date.now();
        const e = m.json() as ServiceProblemEvent;
        if (e.eventType !== 'ServiceProblemCreateEvent') continue;
        notices++;
        lastNoticeAt = now;
        for (const s of e.event.serviceProblem.affectedService) if (!notifiedAt.has(s.id)) notifiedAt.set(s.id, now);
      }
    })();

    const started = Date.now();
    const alarms = await sim.cutFibre(LINK);
    const published = Date.now();
    const rootTime = Date.parse(alarms[0]!.eventTime);
    await until('every service notified', () => notifiedAt.size >= SERVICES);
    const allNotified = Date.now();
    const events = alarms.length + SERVICES; // child alarms plus one availability KPI per service
    await until('every event ingested', async () => {
      const p = await tdb.db.selectFrom('assurance_problems').select('child_alarms').executeTakeFirst();
      const k = await tdb.db.selectFrom('assurance_kpi_samples').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return (p?.child_alarms ?? 0) >= SERVICES && Number(k.n) >= SERVICES;
    });
    const ingested = Date.now();
    const problems = await tdb.db.selectFrom('assurance_problems').selectAll().execute();

    const rootLine = trace.lines().find((l) => l.msg === 'alarm changed a service problem');
    const latencies = Float64Array.from([...notifiedAt.values()].map((t) => t - rootTime)).sort();
    const firstNotice = latencies[0]!;
    const result = {
      benchmark: 'impact',
      services: SERVICES,
      customers: customers.length,
      tenants: TENANTS.length,
      events_published: events,
      publish_ms: published - started,
      ingest_events_per_sec: Math.round(events / ((ingested - started) / 1000)),
      problems: problems.length,
      child_alarms_grouped: problems[0]?.child_alarms ?? 0,
      notifications: notices,
      notifications_per_sec: Math.round(notices / Math.max(0.001, (lastNoticeAt - rootTime - firstNotice) / 1000 || 0.001)),
      alarm_to_notification_ms: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1]!) },
      root_alarm_processing_ms: rootLine ? { correlate: rootLine.correlateMs, notify: rootLine.notifyMs } : undefined,
      all_notified_ms: allNotified - rootTime,
      target_p99_ms: 2000,
      within_target: percentile(latencies, 99) <= 2000,
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    };
    const out = JSON.stringify(result, null, 2);
    console.log(out);
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(resolve(root, 'bench/results/impact.json'), `${out}\n`);
    await sub.drain();
  } finally {
    await assurance?.stop();
    await registry.close();
    await engine.close();
    await tbus.cleanup();
    await tdb.drop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
