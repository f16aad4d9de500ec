// HTTP ingestion and reads against the real bus and database, with assurance consuming.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { loadPolicyEngine } from '../../orchestrator/policy-engine.js';
import { startAssurance, type Assurance } from '../../orchestrator/assurance/service.js';
import { seedAssuranceFixture } from '../../orchestrator/assurance/testing.js';
import { createMetrics } from '../../platform/metrics.js';
import type { PolicyEngine } from '../../policies/engine/index.js';
import { createTestBus, createTestDatabase, silentLogger, type TestBus, type TestDatabase, until } from '../../test/support/index.js';
import { createAccessControl } from '../access.js';
import { createGatewayApp } from '../app.js';
import type { GatewayEnv } from '../context.js';
import { assuranceRoutes } from './routes.js';



const NETWORK = 'network-key-0123456789';
const BSS_ACME = 'bss-acme-key-0123456789';
const BSS_OTHER = 'bss-other-key-0123456789';

let tdb: TestDatabase;
let tbus: TestBus;
let engine: PolicyEngine;
let assurance: Assurance;
let app: Hono<GatewayEnv>;

const at = '2026-11-23T11:00:00.000Z';
const alarm = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  source: 'nms-http',
  eventTime: at,
  state: 'raised',
  alarmedObject: { id: 'olt-7', '@referredType': 'olt' },
  alarmType: 'equipmentAlarm',
  perceivedSeverity: 'CRITICAL',
  probableCause: 'powerProblem',
  ...extra,
});

const post = (path: string, body: unknown, key = NETWORK) =>
  app.request(path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const get = (path: string, key: string) => app.request(path, { headers: { authorization: `Bearer ${key}` } });

beforeAll(async () => {
  [tdb, tbus] = await Promise.all([createTestDatabase(), createTestBus()]);
  engine = await loadPolicyEngine(tbus.bus, silentLogger(), { workers: 0 });
  await seedAssuranceFixture(
    tdb.db,
    [{ tenant: 'acme', id: 'C-1', type: 'consumer', slaTier: 'standard' }],
    // The OLT contains port olt-7/1, on which the service holds a reservation.
    [{ id: 'svc-http-1', tenant: 'acme', customerId: 'C-1', site: 'SITE-A', reservedOn: ['olt-7/1'] }],
  );
  await tdb.db.insertInto('assurance_topology').values({ parent_id: 'olt-7', child_id: 'olt-7/1', relation: 'contains' }).execute();
  assurance = await startAssurance({ db: tdb.db, bus: tbus.bus, decide: engine.decide, logger: silentLogger(), sweepMs: 0 });
  app = createGatewayApp({
    logger: silentLogger(),
    access: createAccessControl([
      { key: NETWORK, principal: 'nms', roles: ['network'] },
      { key: BSS_ACME, principal: 'acme-bss', roles: ['bss'], tenant: 'acme' },
      { key: BSS_OTHER, principal: 'other-bss', roles: ['bss'], tenant: 'other' },
    ]),
    metrics: createMetrics({ processMetrics: false }),
    bus: tbus.bus,
    readiness: async () => ({ ready: true, checks: {} }),
    routes: [assuranceRoutes({ db: tdb.db, bus: tbus.bus, subjects: assurance.subjects })],
  });
}, 60_000);

afterAll(async () => {
  await assurance?.stop();
  await engine?.close();
  await tbus?.cleanup();
  await tdb?.drop();
});

describe('POST /assurance/v1/alarms', () => {
  it('admits only the network role', async () => {
    expect((await post('/assurance/v1/alarms', alarm('x'), BSS_ACME)).status).toBe(403);
  });

  it('accepts the valid events of a batch and quarantines the malformed one with its reason', async () => {
    const res = await post('/assurance/v1/alarms', { events: [alarm('olt-7:power:1'), alarm('broken', { perceivedSeverity: 'meh' })] });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: Array<{ index: number }>; quarantined: Array<{ index: number; reason: string }> };
    expect(body.accepted.map((a) => a.index)).toEqual([0]);
    expect(body.quarantined).toEqual([{ index: 1, reason: expect.stringContaining('perceivedSeverity'), quarantineId: expect.stringMatching(/^quarantine:/) }]);
    const q = await tbus.bus.jsm.streams.info(`${tbus.namespace}_assurance`);
    expect(q.state.messages).toBe(1);
  });

  it('answers 422 when nothing in the request was valid', async () => {
    const res = await post('/assurance/v1/kpis', [{ id: 'k', metric: 'latency' }]);
    expect(res.status).toBe(422);
  });

  it('an alarm on the OLT reaches the service on its contained port, once however often it is posted', async () => {
    await post('/assurance/v1/alarms', alarm('olt-7:power:1'));
    await post('/assurance/v1/alarms', alarm('olt-7:power:1'));
    const problems = await until('the problem', async () => {
      const list = (await (await get('/assurance/v1/serviceProblem', NETWORK)).json()) as Array<{ id: string; affectedNumberOfServices: number }>;
      return list.length ? list : false;
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.affectedNumberOfServices).toBe(1);
    const ledger = await tdb.db.selectFrom('processed_messages').selectAll().where('message_id', 'like', 'network-event:nms-http:alarm:olt-7:power:1:%').execute();
    expect(ledger).toHaveLength(1);

    const detail = (await (await get(`/assurance/v1/serviceProblem/${problems[0]!.id}`, BSS_ACME)).json()) as { affectedService: Array<{ id: string }>; status: string };
    expect(detail).toMatchObject({ status: 'inProgress', affectedService: [{ id: 'svc-http-1' }] });
    // Another tenant's BSS does not see acme's problem.
    expect((await get(`/assurance/v1/serviceProblem/${problems[0]!.id}`, BSS_OTHER)).status).toBe(404);
    expect(await (await get('/assurance/v1/serviceProblem', BSS_OTHER)).json()).toEqual([]);
  });

  it('the clear posted over HTTP resolves it', async () => {
    await post('/assurance/v1/alarms', alarm('olt-7:power:1', { state: 'cleared', perceivedSeverity: 'CLEARED', eventTime: '2026-11-23T11:05:00.000Z' }));
    await until('resolution', async () => {
      const list = (await (await get('/assurance/v1/serviceProblem?status=resolved', NETWORK)).json()) as unknown[];
      return list.length === 1;
    });
  });
});
