import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessControl } from '../gateway/access.js';
import type { GatewayEnv } from '../gateway/context.js';
import { silentLogger } from '../test/support/logger.js';
import { createCheckpointSigner, generateSigningKey, publicKeyFromPem, verifyCheckpointSignature, type Checkpoint } from './checkpoint.js';
import { runAuditVerify, verifyExport } from './cli.js';
import { verifyConsistency, verifyInclusion } from './merkle.js';
import { canonicalBody, leafHashOf, type AuditRecord } from './record.js';
import type { ReplayEvaluator } from './replay.js';
import { auditRoutes } from './routes.js';
import { appendDecisions, type AppendState, type AuditDb } from './store.js';
import { createAuditTestDatabase, pendingDecision, type AuditTestDatabase } from './testing/fixtures.js';

const signer = createCheckpointSigner(generateSigningKey());
const KEYS = {
  auditor: 'auditor-key-0123456789',
  compliance: 'compliance-key-0123456789',
  bss: 'bss-key-0123456789abcdef',
};
const N = 260;

/** Candidate policy for replay tests: denies customer c-3 in addition to what was denied before. */
const fakeEvaluate: ReplayEvaluator = async (bundle, _path, input) => {
  const i = input as { customer: { id: string }; order: { id: string } };
  if ((bundle as { denyCustomer?: string }).denyCustomer === i.customer.id) return { allow: false, reasons: ['customer blocked'] };
  const n = Number(i.order.id.slice(2));
  if (n === 13) throw new Error('evaluation failed on purpose');
  return n % 5 === 0 ? { allow: false, reasons: ['credit check failed'] } : { allow: true, reasons: [] };
};

function appFor(db: AuditDb, evaluate?: ReplayEvaluator) {
  const app = new Hono<GatewayEnv>();
  app.use('*', async (c, next) => {
    c.set('requestId', 'test');
    c.set('log', silentLogger());
    await next();
  });
  const access = createAccessControl([
    { key: KEYS.auditor, principal: 'audit-firm', roles: ['auditor'] },
    { key: KEYS.compliance, principal: 'compliance-team', roles: ['compliance'] },
    { key: KEYS.bss, principal: 'crm', roles: ['bss'] },
  ]);
  app.route('/audit/v1', auditRoutes({ db, access, publicKey: signer.publicKey, evaluate }));
  return app;
}

describe('auditor routes', () => {
  let t: AuditTestDatabase;
  let app: Hono<GatewayEnv>;
  let dir: string;
  const get = (path: string, key = KEYS.auditor, headers: Record<string, string> = {}) =>
    app.request(`/audit/v1${path}`, { headers: { authorization: `Bearer ${key}`, ...headers } });
  const post = (path: string, body: unknown, key = KEYS.auditor) =>
    app.request(`/audit/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    t = await createAuditTestDatabase();
    let state: AppendState | null = null;
    for (let i = 0; i < N; i += 100) {
      const batch = Array.from({ length: Math.min(100, N - i) }, (_, k) => pendingDecision(i + k));
      ({ state } = await appendDecisions(t.db, batch, { state, signer, checkpointDue: () => true }));
    }
    app = appFor(t.db, fakeEvaluate);
    dir = await mkdtemp(join(tmpdir(), 'audit-export-'));
  });
  afterAll(async () => {
    await t?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('admits auditors only (compliance may replay)', async () => {
    expect((await app.request('/audit/v1/decisions')).status).toBe(401);
    expect((await get('/decisions', KEYS.bss)).status).toBe(403);
    expect((await get('/checkpoints', KEYS.compliance)).status).toBe(403);
    expect((await post('/replay', { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', bundle: {} }, KEYS.bss)).status).toBe(403);
    expect((await post('/replay', { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', bundle: {} }, KEYS.compliance)).status).toBe(200);
  });

  it('lists with filters and cursor pagination', async () => {
    const seen: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res = await get(`/decisions?limit=70${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: AuditRecord[]; next_cursor: string | null };
      seen.push(...body.items.map((r) => r.seq));
      cursor = body.next_cursor;
    }
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => i + 1));

    const list = async (q: string) => ((await (await get(`/decisions?limit=1000&${q}`)).json()) as { items: AuditRecord[] }).items;
    expect((await list('order_id=o-42')).map((r) => r.seq)).toEqual([43]);
    expect((await list('result=denied')).length).toBe(Math.ceil(N / 5));
    expect((await list('result=allowed')).length).toBe(N - Math.ceil(N / 5));
    expect((await list('customer_id=c-3&result=denied')).every((r) => r.customer_id === 'c-3' && (r.result as { allow: boolean }).allow === false)).toBe(true);
    expect((await list('path=junction/network/activation/allow')).length).toBe(Math.ceil(N / 3));
    expect((await list('bundle_revision=rev-1')).length).toBe(N);
    expect((await list('bundle_revision=rev-9')).length).toBe(0);
    expect((await list('principal=bss-crm')).length).toBe(N);
    // fixture i is at 2026-01-01T00:00:00Z + i seconds
    expect((await list('from=2026-01-01T00:01:00Z&to=2026-01-01T00:01:10%2B00:00')).map((r) => r.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 61 + i));

    const bad = await get('/decisions?from=yesterday&limit=5000');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/from: expected an RFC 3339 timestamp.*limit/);
    expect((await get('/decisions?cursor=xyz')).status).toBe(400);
  });

  it('returns a decision with an inclusion proof that verifies offline and fails after one byte changes', async () => {
    const all = ((await (await get('/decisions?limit=1000')).json()) as { items: AuditRecord[] }).items;
    const pub = publicKeyFromPem(((await (await get('/public-key')).json()) as { public_key_pem: string }).public_key_pem);
    for (const target of [all[0]!, all[150]!, all[N - 1]!]) {
      const res = await get(`/decisions/${target.decision_id}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { record: AuditRecord; checkpoint: Checkpoint; inclusion_proof: { leaf_index: number; tree_size: number; hashes: string[] } };
      expect(body.record).toEqual(target);
      expect(verifyCheckpointSignature(body.checkpoint, pub)).toBe(true);
      expect(body.checkpoint.tree_size).toBeGreaterThanOrEqual(target.seq);
      const hashes = body.inclusion_proof.hashes.map((h) => Buffer.from(h, 'hex'));
      const root = Buffer.from(body.checkpoint.root_hash, 'hex');
      const check = (r: AuditRecord) => verifyInclusion(leafHashOf(canonicalBody(r)), body.inclusion_proof.leaf_index, body.inclusion_proof.tree_size, hashes, root);
      expect(check(body.record)).toBe(true);
      expect(check({ ...body.record, path: body.record.path.replace(/^j/, 'k') })).toBe(false);
      expect(check({ ...body.record, metrics: { timer_rego_query_eval_ns: (body.record.metrics.timer_rego_query_eval_ns ?? 0) + 1 } })).toBe(false);
    }
    expect((await get('/decisions/0190b6c2-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await get('/decisions/42')).status).toBe(400);
  });

  it('serves checkpoints, consistency proofs and the public key', async () => {
    const cps = ((await (await get('/checkpoints')).json()) as { items: Checkpoint[] }).items;
    expect(cps.map((c) => c.tree_size)).toEqual([100, 200, 260]);
    const res = await get('/checkpoints/consistency?from=100&to=260');
    const body = (await res.json()) as { from: Checkpoint; to: Checkpoint; proof: string[] };
    expect(verifyConsistency(100, 260, Buffer.from(body.from.root_hash, 'hex'), Buffer.from(body.to.root_hash, 'hex'), body.proof.map((h) => Buffer.from(h, 'hex')))).toBe(true);
    expect((await get('/checkpoints/consistency?from=101&to=260')).status).toBe(404);
    expect((await get('/checkpoints/consistency?from=260&to=100')).status).toBe(400);
    const pem = await (await get('/public-key', KEYS.auditor, { accept: 'application/x-pem-file' })).text();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('streams NDJSON and CSV exports; the NDJSON export verifies offline with the CLI', async () => {
    const nd = await get('/decisions', KEYS.auditor, { accept: 'application/x-ndjson' });
    expect(nd.headers.get('content-type')).toBe('application/x-ndjson');
    const text = await nd.text();
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(N);
    expect(JSON.parse(lines[5]!).seq).toBe(6);

    const csv = await (await get('/decisions?result=denied', KEYS.auditor, { accept: 'text/csv' })).text();
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^seq,decision_id,timestamp,path,result,/);
    expect(rows.length).toBe(1 + Math.ceil(N / 5));
    expect(rows[1]).toContain('"{""allow"":false,""reasons"":[""credit check failed""]}"');

    const exportPath = join(dir, 'export.ndjson');
    const cpPath = join(dir, 'checkpoints.json');
    const keyPath = join(dir, 'key.json');
    await writeFile(exportPath, text);
    await writeFile(cpPath, await (await get('/checkpoints')).text());
    await writeFile(keyPath, await (await get('/public-key')).text());
    const report = await verifyExport(exportPath, cpPath, keyPath);
    expect(report).toMatchObject({ ok: true, records: N, checkpoints_verified: 3, first_broken_seq: null });

    // one byte changed in record 77 → found at 77
    const tampered = lines.map((l, i) => (i === 76 ? l.replace('"o-76"', '"o-7X"') : l)).join('\n');
    await writeFile(join(dir, 'tampered.ndjson'), tampered);
    expect(await verifyExport(join(dir, 'tampered.ndjson'), cpPath, keyPath)).toMatchObject({ ok: false, first_broken_seq: 77, failure: { reason: 'hash_mismatch', line: 77 } });
    // a record dropped from the export → found at its seq
    await writeFile(join(dir, 'dropped.ndjson'), lines.filter((_, i) => i !== 9).join('\n'));
    expect(await verifyExport(join(dir, 'dropped.ndjson'), cpPath, keyPath)).toMatchObject({ ok: false, first_broken_seq: 10, failure: { reason: 'missing' } });
    // a truncated export cannot reach the last checkpoint
    await writeFile(join(dir, 'short.ndjson'), lines.slice(0, 250).join('\n'));
    expect(await verifyExport(join(dir, 'short.ndjson'), cpPath, keyPath)).toMatchObject({ ok: false, first_broken_seq: 251 });
    // the wrong key
    await writeFile(join(dir, 'other.pem'), createCheckpointSigner(generateSigningKey()).publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(await verifyExport(exportPath, cpPath, join(dir, 'other.pem'))).toMatchObject({ ok: false, failure: { reason: 'checkpoint_signature_invalid' } });

    const out: string[] = [];
    expect(await runAuditVerify([exportPath, '--checkpoint', cpPath, '--public-key', keyPath], (s) => out.push(s))).toBe(0);
    expect(JSON.parse(out.join('')).ok).toBe(true);
    expect(await runAuditVerify([join(dir, 'tampered.ndjson'), '--checkpoint', cpPath, '--public-key', keyPath], () => undefined)).toBe(1);
    expect(await runAuditVerify([exportPath, '--checkpoint', join(dir, 'nope.json'), '--public-key', keyPath], (s) => out.push(s))).toBe(2);
    expect(out.at(-1)).toMatch(/cannot read checkpoint .*nope.json: ENOENT/);
    expect(await runAuditVerify([exportPath], () => undefined)).toBe(2);
  });

  it('replays recorded inputs with a candidate bundle and reports the changes', async () => {
    const res = await post('/replay', { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:01:40Z', bundle: { denyCustomer: 'c-3' }, limit: 5 }, KEYS.compliance);
    expect(res.status).toBe(200);
    const report = (await res.json()) as { evaluated: number; changed: number; unchanged: number; errors: number; changes: { seq: number; replayed: unknown }[]; truncated: boolean };
    // i in 0..99; c-3 ⇔ i % 7 == 3 — all change (even those already denied now give another reason); i = 13 fails to evaluate
    const expectedChanged = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 7 === 3).length;
    expect(report).toMatchObject({ evaluated: 100, changed: expectedChanged, errors: 1, unchanged: 100 - expectedChanged - 1, truncated: true });
    expect(report.changes).toHaveLength(5);
    expect(report.changes[0]).toMatchObject({ seq: 4, replayed: { allow: false, reasons: ['customer blocked'] } });

    expect((await post('/replay', { from: 'x', to: '2026-01-01T00:01:40Z', bundle: {} })).status).toBe(400);
    const unconfigured = appFor(t.db);
    const r = await unconfigured.request('/audit/v1/replay', { method: 'POST', headers: { authorization: `Bearer ${KEYS.compliance}` }, body: '{}' });
    expect(r.status).toBe(501);
  });

  it('verifies over a range with progress, and names the first broken seq after tampering', async () => {
    const ok = await post('/verify', {});
    const lines = (await ok.text()).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.type === 'progress')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'result', ok: true, verified: N, checkpoints_verified: 3 });
    expect((await post('/verify', { from: 10, to: 5 })).status).toBe(400);

    await t.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`UPDATE audit_decisions SET customer_id = 'c-0' WHERE seq = 201`.execute(trx);
    });
    const bad = (await (await post('/verify', { from: 150 })).text()).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(bad.at(-1)).toMatchObject({ type: 'result', ok: false, first_broken_seq: 201 });
  });
});

describe('export streaming', () => {
  let t: AuditTestDatabase;
  beforeAll(async () => {
    t = await createAuditTestDatabase();
    let state: AppendState | null = null;
    for (let i = 0; i < 9000; i += 3000) {
      ({ state } = await appendDecisions(t.db, Array.from({ length: 3000 }, (_, k) => pendingDecision(i + k)), { state }));
    }
  });
  afterAll(async () => t?.drop());

  it('is pulled page by page: a client that stops reading stops the database reads', async () => {
    const pages: string[] = [];
    const pool = new pg.Pool({ connectionString: t.url, max: 2 });
    const counted: AuditDb = new Kysely<any>({
      dialect: new PostgresDialect({ pool }),
      log: (event) => {
        if (event.level === 'query' && /FROM audit_decisions WHERE seq >/.test(event.query.sql)) pages.push(event.query.sql);
      },
    });
    try {
      const res = await appFor(counted).request('/audit/v1/decisions', { headers: { authorization: `Bearer ${KEYS.auditor}`, accept: 'application/x-ndjson' } });
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value).split('\n')[0]).toContain('"seq":1,');
      await new Promise((r) => setTimeout(r, 300));
      // 9000 records are 5 pages of 2000; only the first and the one fetched ahead were read
      expect(pages.length).toBeLessThanOrEqual(2);
      await reader.cancel();
      await new Promise((r) => setTimeout(r, 100));
      expect(pages.length).toBeLessThanOrEqual(2);

      // reading to the end fetches everything, in order
      const all = await (await appFor(counted).request('/audit/v1/decisions', { headers: { authorization: `Bearer ${KEYS.auditor}`, accept: 'application/x-ndjson' } })).text();
      const seqs = all.trimEnd().split('\n').map((l) => JSON.parse(l).seq);
      expect(seqs).toEqual(Array.from({ length: 9000 }, (_, i) => i + 1));
    } finally {
      await counted.destroy();
    }
  });
});
