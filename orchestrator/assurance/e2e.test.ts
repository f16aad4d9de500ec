// Issue 7's "done when", through the whole running Junction (startJunction: gateway, orchestrator,
// assurance, audit, hub) on the real Postgres and JetStream with the simulator: services ordered
// over TMF641 by two tenants, a BSS webhook receiver per tenant subscribed through the hub, the
// simulator emitting KPIs and usage all along. A fibre cut under that load, its clear, a latency
// breach remediated by policy and confirmed by the network, and one that was not avoided and is
// credited.
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorAdapter } from '../../adapters/simulator/index.js';
import { applySeed, type Seed } from '../../catalog/seed.js';
import { BSS_KEY, OPERATOR_KEY, orderFor, OTHER_TENANT_KEY, startTestJunction, type TestJunction } from '../testing.js';
import type { ServiceProblemEvent } from './service-problem.js';
import type { SlaCreditEvent } from './sla.js';
import { until } from '../../test/support/index.js';



const AUDITOR_KEY = 'auditor-key-0123456789';
const NETWORK_KEY = 'network-key-0123456789';
const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';
const HUB = '/tmf-api/serviceOrdering/v4/hub';
const MINUTE = 60_000;

// SITE-A reaches the data centre over a direct link (2 ms) or via p-1 (3 + 3 ms); SITE-B has one path.
const FAST = 'link-a-dc';
const DETOUR = ['link-a-p1', 'link-p1-dc'];
const SITE_B_LINK = 'link-b-dc';

function network(): { seedFile: string; topology: unknown } {
  const ports = (site: string) => Array.from({ length: 4 }, (_, i) => ({ id: `olt-${site}/0/${i + 1}`, capacityMbps: 2500 }));
  const topology = {
    ran: { gnbs: [{ id: 'gnb-a', prbCapacity: 5000 }, { id: 'gnb-b', prbCapacity: 5000 }] },
    transport: {
      nodes: ['pe-a', 'pe-b', 'p-1', 'pe-dc'],
      links: [
        { id: FAST, from: 'pe-a', to: 'pe-dc', bandwidthMbps: 100000, latencyMs: 2 },
        { id: DETOUR[0], from: 'pe-a', to: 'p-1', bandwidthMbps: 100000, latencyMs: 3 },
        { id: DETOUR[1], from: 'p-1', to: 'pe-dc', bandwidthMbps: 100000, latencyMs: 3 },
        { id: SITE_B_LINK, from: 'pe-b', to: 'pe-dc', bandwidthMbps: 100000, latencyMs: 3 },
      ],
    },
    core: { upfs: [{ id: 'upf-a', sessionCapacity: 100000 }, { id: 'upf-b', sessionCapacity: 100000 }], smfSlices: [{ sliceId: 'embb', sst: 1, dnns: ['internet'] }] },
    access: {
      olts: [{ id: 'olt-a', ports: ports('a') }, { id: 'olt-b', ports: ports('b') }],
      bngProfiles: [{ name: 'residential-500m', rateMbps: 500 }, { name: 'residential-1g', rateMbps: 1000 }],
      ipPools: [{ name: 'pool-a', cidr: '100.64.0.0/24' }, { name: 'pool-b', cidr: '100.65.0.0/24' }],
    },
  };
  const resource = (id: string, type: string, site: string, domain: string, unit: string, capacity: number, attributes = {}) => ({ id, type, site, domain, unit, capacity, state: 'available' as const, attributes });
  const seed: Seed = {
    tenant: 'acme',
    customers: acmeCustomers,
    resources: [
      ...ports('a').map((p) => resource(p.id, 'olt-port', 'SITE-A', 'access', 'Mbps', 2500)),
      ...ports('b').map((p) => resource(p.id, 'olt-port', 'SITE-B', 'access', 'Mbps', 2500)),
      resource('pool-a', 'ip-pool', 'SITE-A', 'access', 'addresses', 254, { cidr: '100.64.0.0/24' }),
      resource('pool-b', 'ip-pool', 'SITE-B', 'access', 'addresses', 254, { cidr: '100.65.0.0/24' }),
      resource('uplink-SITE-A', 'transport-uplink', 'SITE-A', 'transport', 'Mbps', 100000, { from: 'pe-a', to: 'pe-dc' }),
      resource('uplink-SITE-B', 'transport-uplink', 'SITE-B', 'transport', 'Mbps', 100000, { from: 'pe-b', to: 'pe-dc' }),
      resource('gnb-a', 'gnb', 'SITE-A', 'ran', 'PRB', 5000),
      resource('gnb-b', 'gnb', 'SITE-B', 'ran', 'PRB', 5000),
      resource('upf-a', 'upf', 'SITE-A', 'core', 'sessions', 100000),
      resource('upf-b', 'upf', 'SITE-B', 'core', 'sessions', 100000),
    ],
  };
  const seedFile = join(mkdtempSync(join(tmpdir(), 'junction-assurance-')), 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  return { seedFile, topology };
}

const customer = (id: string, type: 'consumer' | 'enterprise', slaTier: string) => ({ id, name: id, type, status: 'active', slaTier, sites: ['SITE-A', 'SITE-B'] });
const CONSUMERS_A = 16;
const CONSUMERS_B = 8;
const acmeCustomers = [customer('A-GOLD', 'enterprise', 'gold'), ...Array.from({ length: CONSUMERS_A + CONSUMERS_B }, (_, i) => customer(`A-CON-${i}`, 'consumer', 'standard'))];
const globexCustomers = [customer('G-GOLD', 'enterprise', 'gold'), ...Array.from({ length: CONSUMERS_A + CONSUMERS_B }, (_, i) => customer(`G-CON-${i}`, 'consumer', 'standard'))];

interface Delivery {
  eventId: string;
  body: { eventType: string } & Record<string, any>;
  signatureValid: boolean;
}

/** A tenant's BSS: a loopback webhook receiver that checks each delivery's signature. */
async function webhookReceiver() {
  const received: Delivery[] = [];
  let secret = '';
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const ts = String(req.headers['x-junction-timestamp']);
      const expected = `v1=${createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex')}`;
      received.push({ eventId: String(req.headers['x-junction-event-id']), body: JSON.parse(raw), signatureValid: req.headers['x-junction-signature'] === expected });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    received,
    /** Deliveries of one event type, once each (delivery is at least once). */
    of: (eventType: string) => [...new Map(received.filter((d) => d.body.eventType === eventType).map((d) => [d.eventId, d.body])).values()],
    setSecret: (s: string) => (secret = s),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
type Receiver = Awaited<ReturnType<typeof webhookReceiver>>;

let t: TestJunction;
let sim: SimulatorAdapter;
const bss: Record<'acme' | 'globex', Receiver> = {} as never;
/** customer id → service id, for both tenants. */
const serviceOf = new Map<string, string>();
const siteA = { acme: [] as string[], globex: [] as string[] };

const db = () => t.database.db;
const as = (key: string) => ({ authorization: `Bearer ${key}` });
const problemsOn = (resourceId: string) => db().selectFrom('assurance_problems').selectAll().where('root_resource_id', '=', resourceId).orderBy('raised_at').execute();
const servicesOfProblem = async (problemId: string) =>
  (await db().selectFrom('assurance_problem_services').select('service_id').where('problem_id', '=', problemId).orderBy('service_id').execute()).map((r) => r.service_id);
const breachOf = (serviceId: string) => db().selectFrom('assurance_breaches').selectAll().where('service_id', '=', serviceId).orderBy('window_start', 'desc').executeTakeFirst();
const pathOf = (serviceId: string) => sim.network.services.get(`${serviceId}-transport`)?.allocation.path;
const problemEvents = (r: Receiver, problemId: string, type: ServiceProblemEvent['eventType']) =>
  (r.of(type) as unknown as ServiceProblemEvent[]).filter((e) => e.event.serviceProblem.id === problemId);

/** Waits until the intake has stored a latency sample of `serviceId` on the bad side of `target`. */
async function badLatencySeen(serviceId: string, target: number) {
  await until(`a latency sample of ${serviceId} above ${target} ms`, async () =>
    (await db().selectFrom('assurance_kpi_samples').select('value').where('subject_id', '=', `${serviceId}-transport`).where('metric', '=', 'latency').where('value', '>', target).executeTakeFirst()) ?? false,
  );
}

async function auditRecord(decisionId: string) {
  return until(`decision ${decisionId} in the audit log`, async () => {
    const res = await t.call('GET', `/audit/v1/decisions/${decisionId}`, undefined, as(AUDITOR_KEY));
    return res.status === 200 ? (res.body.record as { path: string; component: string; network_event_id: string | null; customer_id: string | null }) : false;
  });
}

beforeAll(async () => {
  const net = network();
  t = await startTestJunction(
    {
      seed: net.seedFile,
      // The network emits KPIs (latency, throughput, availability per transport service) and usage every 500 ms throughout.
      adapterEntries: [{ name: 'sim', builtin: 'simulator', settings: { topology: net.topology, seed: 7, kpiIntervalMs: 500 } }],
      hub: { intervalMs: 50, maxAttempts: 20, baseDelayMs: 50, maxDelayMs: 200 },
    },
    {
      JUNCTION_API_KEYS: JSON.stringify([
        { key: BSS_KEY, principal: 'bss-acme', roles: ['bss'], tenant: 'acme' },
        { key: OTHER_TENANT_KEY, principal: 'bss-globex', roles: ['bss'], tenant: 'globex' },
        { key: OPERATOR_KEY, principal: 'noc', roles: ['operator'] },
        { key: AUDITOR_KEY, principal: 'audit', roles: ['auditor'] },
        { key: NETWORK_KEY, principal: 'nms', roles: ['network'] },
      ]),
    },
  );
  await applySeed(db(), { tenant: 'globex', customers: globexCustomers, resources: [] });
  sim = t.junction.adapters!.get('sim')!.inner as SimulatorAdapter;

  for (const [tenant, key] of [['acme', BSS_KEY], ['globex', OTHER_TENANT_KEY]] as const) {
    bss[tenant] = await webhookReceiver();
    const sub = await t.call('POST', HUB, { callback: bss[tenant].url, query: 'eventType=ServiceProblemCreateEvent,ServiceProblemStateChangeEvent,SlaCreditEvent' }, as(key));
    expect(sub.status).toBe(201);
    bss[tenant].setSecret(sub.body.secret);
  }

  // Each tenant: a gold 5G slice (acme's at SITE-A, globex's at SITE-B) and consumer broadband at both sites.
  const orders = (tenant: 'acme' | 'globex', prefix: string) => [
    { tenant, customer: `${prefix}-GOLD`, site: tenant === 'acme' ? 'SITE-A' : 'SITE-B', body: orderFor(`${prefix}-GOLD`, 'enterprise-5g-slice', { bandwidthMbps: 100, maxLatencyMs: 10 }, tenant === 'acme' ? 'SITE-A' : 'SITE-B') },
    ...Array.from({ length: CONSUMERS_A + CONSUMERS_B }, (_, i) => {
      const site = i < CONSUMERS_A ? 'SITE-A' : 'SITE-B';
      return { tenant, customer: `${prefix}-CON-${i}`, site, body: orderFor(`${prefix}-CON-${i}`, 'broadband', { bandwidthMbps: 100 }, site) };
    }),
  ];
  const all = [...orders('acme', 'A'), ...orders('globex', 'G')];
  const created = await Promise.all(all.map((o) => t.call('POST', ORDERS, o.body, as(o.tenant === 'acme' ? BSS_KEY : OTHER_TENANT_KEY))));
  expect(created.map((c) => c.status)).toEqual(all.map(() => 201));
  const ids = created.map((c) => c.body.id as string);
  await t.waitForAll(ids, 60_000);
  const rows = await db().selectFrom('service_orders').select(['id', 'state']).where('id', 'in', ids).execute();
  expect(rows.filter((r) => r.state !== 'completed')).toEqual([]);
  const services = await db().selectFrom('services').select(['id', 'customer_id', 'tenant', 'site']).where('state', '=', 'active').execute();
  for (const s of services) {
    serviceOf.set(s.customer_id, s.id);
    if (s.site === 'SITE-A') siteA[s.tenant as 'acme' | 'globex'].push(s.id);
  }
  expect(services).toHaveLength(all.length);
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await Promise.all(Object.values(bss).map((r) => r.close()));
});

describe('assurance end to end through the running Junction', () => {
  let cutProblem: string;
  let cutNotices: Record<'acme' | 'globex', ServiceProblemEvent[]>;

  it('a fibre cut under load is one problem, told to each affected tenant as the notification policy decides and to nobody else', async () => {
    const samplesBefore = await db().selectFrom('assurance_kpi_samples').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const alarms = await sim.cutFibre(FAST);
    const affected = [...siteA.acme, ...siteA.globex];
    expect(alarms).toHaveLength(1 + affected.length);

    const [problem] = await until('the problem with every child alarm grouped under it', async () => {
      const ps = await problemsOn(FAST);
      return ps[0]?.child_alarms === affected.length ? ps : false;
    });
    cutProblem = problem!.id;
    expect(await db().selectFrom('assurance_problems').select('id').execute()).toEqual([{ id: cutProblem }]); // one problem, not one per alarm
    expect(problem).toMatchObject({ status: 'inProgress', severity: 'critical', affected_services: affected.length, affected_customers: affected.length });
    expect(await servicesOfProblem(cutProblem)).toEqual([...affected].sort());

    // acme: its gold customer individually and at once (critical); its SITE-A consumers in one notice for the area.
    // globex: its SITE-A consumers in one notice. Its gold slice (SITE-B) and everyone's SITE-B lines are not affected.
    cutNotices = {
      acme: await until('acme told', () => (problemEvents(bss.acme, cutProblem, 'ServiceProblemCreateEvent').length >= 2 ? problemEvents(bss.acme, cutProblem, 'ServiceProblemCreateEvent') : false)),
      globex: await until('globex told', () => (problemEvents(bss.globex, cutProblem, 'ServiceProblemCreateEvent').length >= 1 ? problemEvents(bss.globex, cutProblem, 'ServiceProblemCreateEvent') : false)),
    };
    const summary = (e: ServiceProblemEvent) => ({
      tenant: e.tenant,
      mode: e.notification.mode,
      priority: e.notification.priority,
      customers: e.event.serviceProblem.relatedParty.map((p) => p.id).sort(),
      services: e.event.serviceProblem.affectedService.map((s) => s.id).sort(),
    });
    const consumersA = (prefix: string) => Array.from({ length: CONSUMERS_A }, (_, i) => `${prefix}-CON-${i}`).sort();
    expect(cutNotices.acme.map(summary)).toEqual(
      expect.arrayContaining([
        { tenant: 'acme', mode: 'individual', priority: 'critical', customers: ['A-GOLD'], services: [serviceOf.get('A-GOLD')] },
        { tenant: 'acme', mode: 'batched', priority: 'high', customers: consumersA('A'), services: consumersA('A').map((c) => serviceOf.get(c)).sort() },
      ]),
    );
    expect(cutNotices.globex.map(summary)).toEqual([{ tenant: 'globex', mode: 'batched', priority: 'high', customers: consumersA('G'), services: consumersA('G').map((c) => serviceOf.get(c)).sort() }]);

    // Nobody else: everything published for the problem was delivered, and it was exactly the above.
    await until('the hub outbox drained', async () => ((await db().selectFrom('hub_outbox').select('seq').where('status', '=', 'pending').executeTakeFirst()) ? false : true));
    expect(problemEvents(bss.acme, cutProblem, 'ServiceProblemCreateEvent')).toHaveLength(2);
    expect(problemEvents(bss.globex, cutProblem, 'ServiceProblemCreateEvent')).toHaveLength(1);
    expect([...bss.acme.received, ...bss.globex.received].every((d) => d.signatureValid)).toBe(true);
    const tenantsInGlobexFeed = new Set(bss.globex.received.map((d) => d.body.tenant));
    expect([...tenantsInGlobexFeed]).toEqual(['globex']);

    // Each notice names the notification decision that shaped it, in the audit log with the alarm that caused it.
    for (const e of [...cutNotices.acme, ...cutNotices.globex]) {
      const record = await auditRecord(e.notification.decisionId);
      expect(record).toMatchObject({ path: 'junction/notification/decision', component: 'assurance', network_event_id: `sim:${alarms[0]!.id}` });
    }

    // Under load: KPIs kept arriving (and being stored) while the cut was correlated and notified.
    const samplesAfter = await db().selectFrom('assurance_kpi_samples').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(samplesAfter.n)).toBeGreaterThan(Number(samplesBefore.n));
  });

  it('the clear resolves the problem and the same recipients are told', async () => {
    await sim.repairFibre(FAST);
    await until('the problem resolved', async () => ((await problemsOn(FAST))[0]?.status === 'resolved' ? true : false));
    for (const tenant of ['acme', 'globex'] as const) {
      const resolved = await until(`${tenant} told of the resolution`, () => {
        const n = problemEvents(bss[tenant], cutProblem, 'ServiceProblemStateChangeEvent');
        return n.length >= cutNotices[tenant].length ? n : false;
      });
      expect(resolved.every((e) => e.event.serviceProblem.status === 'resolved' && e.event.serviceProblem.resolutionDate)).toBe(true);
      const recipients = (es: ServiceProblemEvent[]) => es.map((e) => e.event.serviceProblem.relatedParty.map((p) => p.id).join(',')).sort();
      expect(recipients(resolved)).toEqual(recipients(cutNotices[tenant]));
    }
  });

  it('a threatened latency breach of the gold slice is re-routed through the policies and the adapter, and the network confirms it', async () => {
    const gold = serviceOf.get('A-GOLD')!;
    expect(pathOf(gold)).toEqual([FAST]);
    sim.setLinkLatency(FAST, 30); // congestion: 30 ms against the slice's 10 ms target
    await badLatencySeen(gold, 10);
    sim.advanceClock(6 * MINUTE); // six minutes of event time over target: threatened
    const breach = await until('the remediation', async () => {
      const b = await breachOf(gold);
      return b && (b.detail as { remediations: unknown[] }).remediations.length > 0 ? b : false;
    });
    expect(breach.status).toBe('threatened');
    const [remediation] = (breach.detail as { remediations: Array<{ outcome: string; kind: string; verified: string; decisionId: string }> }).remediations;
    expect(remediation).toMatchObject({ outcome: 'applied', kind: 'reroute', verified: 'in-sync' });
    expect(pathOf(gold)).toEqual(DETOUR); // the simulator moved it to the path that is now fastest

    // Both decisions are in the audit log: the remediation policy chose, the provisioning policy allowed.
    expect(await auditRecord(remediation!.decisionId)).toMatchObject({ path: 'junction/remediation/decision', component: 'assurance', customer_id: 'A-GOLD', network_event_id: breach.id });
    const provisioning = await until('the provisioning decision audited', async () => {
      const res = await t.call('GET', `/audit/v1/decisions?path=junction/provisioning/decision&customer_id=A-GOLD`, undefined, as(AUDITOR_KEY));
      return (res.body.items as Array<{ component: string; network_event_id: string; result: { allow: boolean } }>).find((d) => d.component === 'assurance') ?? false;
    });
    expect(provisioning).toMatchObject({ network_event_id: breach.id, result: { allow: true } });

    // The KPIs that follow are back within target: the breach was avoided by the remediation, no credit.
    await until('verification by the KPIs', async () => ((await breachOf(gold))?.status === 'remediated' ? true : false));
    expect(await db().selectFrom('assurance_credits').select('service_id').where('service_id', '=', gold).execute()).toEqual([]);
    sim.setLinkLatency(FAST, 2);
  });

  it('inventory records the re-routed path: a cut on the new path affects the slice, one on the old path no longer does', async () => {
    const gold = serviceOf.get('A-GOLD')!;
    const transport = await db().selectFrom('order_actions as oa').innerJoin('services as s', (j) => j.onRef('s.order_id', '=', 'oa.order_id').onRef('s.order_item_id', '=', 'oa.order_item_id')).select(['oa.action', 'oa.result']).where('s.id', '=', gold).where('oa.action_id', '=', 'transport').executeTakeFirstOrThrow();
    expect((transport.result as { resource: { state: { path: string[] } } }).resource.state.path).toEqual(DETOUR);

    await sim.cutFibre(DETOUR[0]!);
    const [onDetour] = await until('the problem on the detour', async () => {
      const ps = await problemsOn(DETOUR[0]!);
      return ps.length ? ps : false;
    });
    expect(await servicesOfProblem(onDetour!.id)).toEqual([gold]);
    const told = await until('acme told about its slice', () => {
      const n = problemEvents(bss.acme, onDetour!.id, 'ServiceProblemCreateEvent');
      return n.length ? n : false;
    });
    expect(told.map((e) => e.event.serviceProblem.relatedParty.map((p) => p.id))).toEqual([['A-GOLD']]);
    await sim.repairFibre(DETOUR[0]!);
    await until('the detour problem resolved', async () => ((await problemsOn(DETOUR[0]!))[0]?.status === 'resolved' ? true : false));

    await sim.cutFibre(FAST);
    const again = await until('a new problem on the old path', async () => {
      const ps = (await problemsOn(FAST)).filter((p) => p.status !== 'resolved');
      return ps[0] && ps[0].child_alarms === siteA.acme.length + siteA.globex.length - 1 ? ps[0] : false;
    });
    const affected = await servicesOfProblem(again.id);
    expect(affected).not.toContain(gold);
    expect(affected).toEqual([...siteA.acme, ...siteA.globex].filter((s) => s !== gold).sort());
    await sim.repairFibre(FAST);
    await until('resolved again', async () => ((await problemsOn(FAST)).every((p) => p.status === 'resolved') ? true : false));
  });

  it('a breach that remediation could not avoid yields an SLA credit: computed by policy, stored per service and period, sent to the BSS', async () => {
    const slice = serviceOf.get('G-GOLD')!;
    expect(pathOf(slice)).toEqual([SITE_B_LINK]); // SITE-B has no other path: a re-route cannot help
    sim.setLinkLatency(SITE_B_LINK, 30);
    await badLatencySeen(slice, 10);
    sim.advanceClock(6 * MINUTE);
    await until('threatened', async () => ((await breachOf(slice))?.status === 'threatened' ? true : false));
    sim.advanceClock(5 * MINUTE);
    await until('breached', async () => ((await breachOf(slice))?.status === 'breached' ? true : false));
    sim.setLinkLatency(SITE_B_LINK, 3); // the congestion passes
    const credit = await until('the credit', async () => (await db().selectFrom('assurance_credits').selectAll().where('service_id', '=', slice).executeTakeFirst()) ?? false);
    const breach = (await breachOf(slice))!;
    expect(breach.status).toBe('credited');
    expect((breach.detail as { remediations: Array<{ outcome: string }> }).remediations.map((r) => r.outcome)).toEqual(['applied', 'applied']);

    // 11 minutes over target on a gold slice: 2 started 10-minute blocks × 4 % of the 2000 EUR list price.
    const period = breach.window_start.toISOString().slice(0, 7);
    expect({ amount: Number(credit.amount), currency: credit.currency, tenant: credit.tenant, customer: credit.customer_id, period: credit.period }).toEqual({ amount: 160, currency: 'EUR', tenant: 'globex', customer: 'G-GOLD', period });
    expect(await auditRecord(credit.decision_id)).toMatchObject({ path: 'junction/sla_credit/decision', customer_id: 'G-GOLD' });

    const listed = await t.call('GET', `/assurance/v1/credits?serviceId=${slice}`, undefined, as(OTHER_TENANT_KEY));
    expect(listed.body).toEqual([expect.objectContaining({ service_id: slice, period, amount: 160, currency: 'EUR' })]);
    const foreign = await t.call('GET', `/assurance/v1/credits?serviceId=${slice}`, undefined, as(BSS_KEY));
    expect(foreign.body).toEqual([]);

    const sent = await until('the credit event delivered to globex', () => {
      const n = bss.globex.of('SlaCreditEvent') as unknown as SlaCreditEvent[];
      return n.length ? n : false;
    });
    expect(sent).toEqual([expect.objectContaining({ serviceId: slice, customerId: 'G-GOLD', period, amount: 160, currency: 'EUR', decisionId: credit.decision_id })]);
    await until('the hub outbox drained', async () => ((await db().selectFrom('hub_outbox').select('seq').where('status', '=', 'pending').executeTakeFirst()) ? false : true));
    expect(bss.acme.of('SlaCreditEvent')).toEqual([]);
  });

  it('a failed gNB reported over HTTP (TMF642 shape) affects every slice on it, and only those', async () => {
    const raisedAt = new Date().toISOString();
    const alarm = { id: 'gnb-a:power:1', source: 'ran-ems', eventTime: raisedAt, state: 'raised', alarmedObject: { id: 'gnb-a', '@referredType': 'gnb' }, alarmType: 'equipmentAlarm', perceivedSeverity: 'CRITICAL', probableCause: 'powerProblem' };
    expect((await t.call('POST', '/assurance/v1/alarms', alarm, as(NETWORK_KEY))).status).toBe(202);
    const [problem] = await until('the gNB problem', async () => {
      const ps = await problemsOn('gnb-a');
      return ps.length ? ps : false;
    });
    // The slice reserved PRBs on the gNB; broadband at the same site did not.
    expect(await servicesOfProblem(problem!.id)).toEqual([serviceOf.get('A-GOLD')]);
    await until('acme told', () => problemEvents(bss.acme, problem!.id, 'ServiceProblemCreateEvent').length === 1);
    const cleared = { ...alarm, state: 'cleared', perceivedSeverity: 'CLEARED', eventTime: new Date(Date.parse(raisedAt) + 1_000).toISOString() };
    expect((await t.call('POST', '/assurance/v1/alarms', cleared, as(NETWORK_KEY))).status).toBe(202);
    await until('resolved', async () => ((await problemsOn('gnb-a'))[0]?.status === 'resolved' ? true : false));
    await until('the hub outbox drained', async () => ((await db().selectFrom('hub_outbox').select('seq').where('status', '=', 'pending').executeTakeFirst()) ? false : true));
    expect(bss.globex.received.filter((d) => d.body.event?.serviceProblem?.id === problem!.id)).toEqual([]);
  });

  it('quarantines malformed events and processes duplicates once; /metrics shows it all', async () => {
    const kpi = { id: 'probe-1', source: 'probe', eventTime: new Date().toISOString(), serviceId: serviceOf.get('A-CON-0'), metric: 'jitter', value: 1, unit: 'ms' };
    const posted = await t.call('POST', '/assurance/v1/kpis', [kpi, { ...kpi, id: 'probe-bad', value: 'high' }], as(NETWORK_KEY));
    expect(posted.status).toBe(202);
    expect(posted.body.quarantined).toEqual([expect.objectContaining({ index: 1, reason: expect.stringContaining('value') })]);
    // The same event published again under other message ids (an adapter retrying): JetStream keeps all, assurance applies one.
    const bus = t.junction.bus;
    const event = { source: 'probe', kind: 'kpi', detail: { ...kpi, kind: 'kpi', id: 'probe-2', resource: { id: serviceOf.get('A-CON-0'), type: 'service' }, serviceId: undefined } };
    for (const n of [1, 2]) await bus.publish(bus.subjects.network.event, event, { messageId: `retry-${n}` });
    await until('both copies handled', async () => {
      const res = await fetch(`${t.junction.url}/metrics`, { headers: as(OPERATOR_KEY) });
      return /junction_assurance_events_total\{kind="kpi",outcome="duplicate"\} [1-9]/.test(await res.text());
    });
    expect(await db().selectFrom('assurance_kpi_samples').select('sample_id').where('sample_id', '=', 'probe-2').execute()).toHaveLength(1);

    const text = await (await fetch(`${t.junction.url}/metrics`, { headers: as(OPERATOR_KEY) })).text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    expect(value('junction_assurance_events_total{kind="kpi",outcome="quarantined"}')).toBe(1);
    expect(value('junction_assurance_events_total{kind="kpi",outcome="duplicate"}')).toBe(1);
    expect(value('junction_assurance_events_total{kind="alarm",outcome="processed"}')).toBeGreaterThan(0);
    // Every distinct impact notice the tenants received was timed from its alarm (a redelivered alarm may re-time one).
    const notices = new Set([...bss.acme.received, ...bss.globex.received].filter((d) => d.body.eventType.startsWith('ServiceProblem')).map((d) => d.eventId)).size;
    const timed = [...text.matchAll(/^junction_assurance_alarm_to_notification_seconds_count\{priority="\w+"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(notices).toBeGreaterThan(0);
    expect(timed).toBeGreaterThanOrEqual(notices);
    const open = await db().selectFrom('assurance_problems').select('id').where('status', '<>', 'resolved').execute();
    expect(value('junction_assurance_problems_open{status="inProgress"}')).toBe(open.length);
    expect(value('junction_assurance_remediations_total{kind="reroute",outcome="applied"}')).toBe(3);
    expect(value('junction_assurance_sla_credits_total{currency="EUR"}')).toBe(1);
    expect(value('junction_assurance_sla_credit_amount_total{currency="EUR"}')).toBe(160);
  });
});
