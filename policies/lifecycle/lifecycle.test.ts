// The policy lifecycle end to end on real Postgres and NATS: two running instances share a
// database and a namespace; compliance uploads a signed bundle to one and activates it; the other
// swaps too (how fast: instance-pair.test.ts and `npm run bench:policy-propagation`, with two
// whole Junctions). Unsigned, altered and untested bundles are refused with the reason.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayApp } from '../../gateway/app.js';
import type { GatewayEnv } from '../../gateway/context.js';
import { prepareAccess, type PreparedAccess } from '../../gateway/auth/wiring.js';
import type { Bus } from '../../platform/bus/bus.js';
import { ungroup } from '../../platform/bus/group-publish.js';
import { createMetrics } from '../../platform/metrics.js';
import { createTestBus, createTestDatabase, silentLogger, type TestBus, type TestDatabase } from '../../test/support/index.js';
import { generateComplianceKey, signBundle } from './signing.js';
import { packSourceBundle } from './source-bundle.js';

const POLICY_DIR = resolve(import.meta.dirname, '../rego');
const COMPLIANCE = { key: 'compliance-key-0123456789', principal: 'cmp', roles: ['compliance' as const] };
const AUDITOR = { key: 'auditor-key-0123456789', principal: 'aud', roles: ['auditor' as const] };

function shippedFiles(): Record<string, string> {
  const files: Record<string, string> = { 'data.json': readFileSync(resolve(POLICY_DIR, 'data.json'), 'utf8') };
  for (const f of readdirSync(resolve(POLICY_DIR, 'junction'))) files[`junction/${f}`] = readFileSync(resolve(POLICY_DIR, 'junction', f), 'utf8');
  return files;
}

const extra = (answer: string) => ({
  'junction/extra.rego': `package junction.extra\n\nimport rego.v1\n\ndecision := "${answer}"\n`,
  'junction/extra_test.rego': `package junction.extra_test\n\nimport rego.v1\n\nimport data.junction.extra\n\ntest_answer if extra.decision == "${answer}"\n`,
});

interface Instance {
  prepared: PreparedAccess;
  app: Hono<GatewayEnv>;
  bus: Bus;
}

describe('policy lifecycle', () => {
  let tdb: TestDatabase;
  let tbus: TestBus;
  const keys = generateComplianceKey();
  const stranger = generateComplianceKey();
  const instances: Instance[] = [];

  const start = async (bus: Bus): Promise<Instance> => {
    const prepared = await prepareAccess(
      { db: tdb.db, bus, logger: silentLogger() },
      { apiKeys: [COMPLIANCE, AUDITOR], complianceKeys: [keys.publicKey], policyDir: POLICY_DIR },
    );
    const app = createGatewayApp({
      logger: silentLogger(),
      access: prepared.access,
      metrics: createMetrics({ processMetrics: false }),
      bus,
      readiness: async () => ({ ready: true, checks: {} }),
      routes: prepared.routes,
    });
    const inst = { prepared, app, bus };
    instances.push(inst);
    return inst;
  };

  const upload = (inst: Instance, bytes: Buffer, signature?: string) =>
    inst.app.request('/policy/v1/bundles', {
      method: 'POST',
      body: new Uint8Array(bytes),
      headers: { Authorization: `Bearer ${COMPLIANCE.key}`, 'Content-Type': 'application/gzip', ...(signature ? { 'Junction-Bundle-Signature': signature } : {}) },
    });
  const post = (inst: Instance, path: string, key = COMPLIANCE.key) => inst.app.request(path, { method: 'POST', headers: { Authorization: `Bearer ${key}` } });

  let a: Instance;
  let b: Instance;
  let v1: Buffer;
  let v2: Buffer;
  let rev1: string;
  let rev2: string;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    tbus = await createTestBus();
    a = await start(tbus.bus);
    b = await start(await tbus.connectAgain());
    v1 = await packSourceBundle({ ...shippedFiles(), ...extra('one') });
    v2 = await packSourceBundle({ ...shippedFiles(), ...extra('two') });
  }, 60_000);

  afterAll(async () => {
    for (const i of instances) await i.prepared.close();
    await tbus?.cleanup();
    await tdb?.drop();
  });

  it('refuses an unsigned bundle, one signed by an untrusted key, and one altered after signing', async () => {
    const unsigned = await upload(a, v1);
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ error: 'unsigned_bundle' });

    const foreign = await upload(a, v1, signBundle(v1, stranger.privateKey));
    expect(foreign.status).toBe(422);
    expect((await foreign.json()).message).toContain('does not verify against any trusted compliance key');

    const signature = signBundle(v1, keys.privateKey);
    const altered = Buffer.from(v1);
    altered[altered.length - 10]! ^= 0x01;
    const res = await upload(a, altered, signature);
    expect(res.status).toBe(422);
    expect((await res.json()).message).toContain('signature does not verify');
    expect(await a.prepared.lifecycle.store.list()).toEqual([]);
  });

  it('stores a signed bundle after compiling it and running its tests', async () => {
    const res = await upload(a, v1, signBundle(v1, keys.privateKey));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ready', problems: [], uploadedBy: 'cmp' });
    expect(body.tests.length).toBeGreaterThan(10);
    expect(body.tests.every((t: { status: string }) => t.status === 'pass')).toBe(true);
    rev1 = body.revision;
    const again = await upload(a, v1, signBundle(v1, keys.privateKey));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ outcome: 'exists', revision: rev1 });
  }, 60_000);

  it('stores but will not activate a bundle whose tests fail', async () => {
    const broken = await packSourceBundle({
      ...shippedFiles(),
      'junction/extra.rego': 'package junction.extra\n\nimport rego.v1\n\ndecision := "one"\n',
      'junction/extra_test.rego': 'package junction.extra_test\n\nimport rego.v1\n\nimport data.junction.extra\n\ntest_answer if extra.decision == "two"\n',
    });
    const res = await upload(a, broken, signBundle(broken, keys.privateKey));
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.status).toBe('rejected');
    expect(body.problems).toContain('test junction/extra_test/test_answer fail: undefined');
    const act = await post(a, `/policy/v1/bundles/${body.revision}/activate`);
    expect(act.status).toBe(409);
  }, 60_000);

  it('activates on this instance and on a second running instance', async () => {
    const res = await upload(a, v2, signBundle(v2, keys.privateKey));
    rev2 = (await res.json()).revision;
    expect(rev2).not.toBe(rev1);

    const started = Date.now();
    const act = await post(a, `/policy/v1/bundles/${rev1}/activate`);
    expect(act.status).toBe(200);
    expect(await act.json()).toMatchObject({ outcome: 'activated', revision: rev1, previous: null });
    expect(a.prepared.authzEngine.revision).toBe(rev1);
    while (b.prepared.lifecycle.appliedRevision !== rev1 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect(b.prepared.lifecycle.appliedRevision).toBe(rev1);
    expect((await b.prepared.authzEngine.decide('junction/extra/decision', {})).result).toBe('one');
  }, 30_000);

  it('is denied to other roles, and the denial is a policy decision', async () => {
    const res = await post(a, `/policy/v1/bundles/${rev2}/activate`, AUDITOR.key);
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body.message).toContain('no role of principal aud (auditor) may write policy');
    // On its way to the audit log: the decisions stream holds the denial with its reason.
    const msg = await tbus.bus.jsm.streams.getMessage(tbus.bus.topology.streams.decisions.name, { last_by_subj: tbus.bus.subjects.decisions.recorded });
    const decision = ungroup(msg?.json()).find((d) => (d as { request_id?: string }).request_id === body.requestId);
    expect(decision).toMatchObject({
      path: 'junction/authz/decision',
      principal: 'aud',
      request_id: body.requestId,
      input: { route: '/policy/v1/bundles/:rev/activate', method: 'POST', roles: ['auditor'] },
      result: { allow: false, reasons: ['no role of principal aud (auditor) may write policy'] },
    });
  });

  it('rolls back to the earlier revision everywhere', async () => {
    expect((await post(a, `/policy/v1/bundles/${rev2}/activate`)).status).toBe(200);
    const started = Date.now();
    while (b.prepared.lifecycle.appliedRevision !== rev2 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect((await b.prepared.authzEngine.decide('junction/extra/decision', {})).result).toBe('two');

    const back = await post(a, '/policy/v1/rollback');
    expect(await back.json()).toMatchObject({ outcome: 'activated', revision: rev1, previous: rev2 });
    const t = Date.now();
    while (b.prepared.lifecycle.appliedRevision !== rev1 && Date.now() - t < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect((await b.prepared.authzEngine.decide('junction/extra/decision', {})).result).toBe('one');
    const history = await (await a.app.request('/policy/v1/activations', { headers: { Authorization: `Bearer ${COMPLIANCE.key}` } })).json();
    expect(history.activations.map((x: { revision: string }) => x.revision)).toEqual([rev1, rev2, rev1]);
  }, 30_000);

  it('shadow mode runs a candidate beside the active bundle on every instance, without effect, and reports the differences', async () => {
    const auth = { Authorization: `Bearer ${COMPLIANCE.key}` };
    const started = await a.app.request(`/policy/v1/bundles/${rev2}/shadow`, { method: 'POST', headers: auth });
    expect(started.status).toBe(200);
    // Live decisions: the active bundle answers; the candidate only gets compared.
    expect((await a.prepared.authzEngine.decide('junction/extra/decision', {})).result).toBe('one');
    expect((await a.app.request('/policy/v1/bundles', { headers: auth })).status).toBe(200);
    let report: { revision: string; compared: number; differing: number; samples: Array<{ active: unknown; candidate: unknown }> };
    const t = Date.now();
    do {
      report = (await (await a.app.request('/policy/v1/shadow', { headers: auth })).json()).engines[0];
    } while (report.compared < 2 && Date.now() - t < 10_000);
    expect(report).toMatchObject({ revision: rev2, differing: 1 });
    expect(report.compared).toBeGreaterThanOrEqual(2);
    expect(report.samples[0]).toMatchObject({ active: 'one', candidate: 'two' });
    expect(a.prepared.authzEngine.revision).toBe(rev1);

    // Shadow mode reaches the other instance too.
    const t2 = Date.now();
    while (b.prepared.authzEngine.report().revision !== rev2 && Date.now() - t2 < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect((await b.prepared.authzEngine.decide('junction/extra/decision', {})).result).toBe('one');
    while (b.prepared.authzEngine.report().differing < 1 && Date.now() - t2 < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect(b.prepared.authzEngine.report()).toMatchObject({ revision: rev2, differing: 1 });

    expect((await a.app.request('/policy/v1/shadow', { method: 'DELETE', headers: auth })).status).toBe(200);
    const t3 = Date.now();
    while (b.prepared.authzEngine.report().revision !== null && Date.now() - t3 < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect(b.prepared.authzEngine.report().revision).toBeNull();
    expect((await (await a.app.request('/policy/v1/shadow', { headers: auth })).json()).engines[0]).toMatchObject({ revision: null, compared: 0 });
  }, 60_000);

  it('an instance refuses a stored bundle altered in the database, and says so', async () => {
    await tdb.db.updateTable('policy_bundles').set({ source: Buffer.concat([v2, Buffer.from([0])]) }).where('revision', '=', rev2).execute();
    const res = await post(a, `/policy/v1/bundles/${rev2}/activate`);
    expect(res.status).toBe(422);
    expect((await res.json()).message).toMatch(/bundle digest sha256:[0-9a-f]+ does not match the recorded digest/);
    expect(a.prepared.lifecycle.lastRefusal?.revision).toBe(rev2);
    expect(a.prepared.authzEngine.revision).toBe(rev1);
  });

  it('a new instance starts on the active revision', async () => {
    const c = await start(await tbus.connectAgain());
    const started = Date.now();
    while (c.prepared.lifecycle.appliedRevision !== rev1 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 10));
    expect(c.prepared.authzEngine.revision).toBe(rev1);
  }, 30_000);
});
