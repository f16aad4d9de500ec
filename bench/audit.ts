/**
 * `npm run bench:audit` — throughput and verification of the audit log on
 * this machine, against the local Postgres and NATS. Prints one JSON object.
 *
 *  1. drain:      N decisions are published to the stream first (from a worker
 *                 thread); then the writer starts and group-commits them; appends/s
 *                 from writer start to the last durable commit = writer capacity.
 *  2. sustained:  decisions published at a fixed rate (default 5,000/s) for a
 *                 while; achieved rate and append-to-durable latency (publish →
 *                 COMMIT returned) percentiles.
 *  3. 1,000,000 records: the log is topped up to 1M directly (no NATS), then
 *                 verified from the database (chain + tree + checkpoints), and
 *                 exported as NDJSON through the HTTP route while RSS is sampled
 *                 (flat memory), and the export verified offline.
 * Uses a throwaway database and NATS namespace, removed at the end.
 * Env: BENCH_FLOOD (100000), BENCH_RATE (5000), BENCH_SUSTAIN_S (15), BENCH_TOTAL (1000000).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { Hono } from 'hono';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createAccessControl } from '../gateway/access.js';
import type { GatewayEnv } from '../gateway/context.js';
import { createCheckpointSigner, generateSigningKey, publicKeyPem } from '../audit/checkpoint.js';
import { verifyExport } from '../audit/cli.js';
import { applyAuditMigrations } from '../audit/migrations/index.js';
import { auditRoutes } from '../audit/routes.js';
import { appendDecisions, type AppendState, type AuditDb } from '../audit/store.js';
import { pendingDecision } from '../audit/testing/fixtures.js';
import { verifyStoredLog } from '../audit/verify-db.js';
import { ensureAuditConsumer, startAuditWriter, type CommitReport } from '../audit/writer.js';
import { connectNats, createBus, ensureStream } from '../platform/bus/bus.js';
import { createLogger } from '../platform/logger.js';

const PG_ADMIN = process.env.JUNCTION_TEST_POSTGRES_URL ?? 'postgres://postgres@localhost:5432/postgres';
const NATS_URL = process.env.JUNCTION_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const FLOOD = Number(process.env.BENCH_FLOOD ?? 100_000);
const RATE = Number(process.env.BENCH_RATE ?? 5_000);
const SUSTAIN_S = Number(process.env.BENCH_SUSTAIN_S ?? 15);
const TOTAL = Number(process.env.BENCH_TOTAL ?? 1_000_000);

const now = () => performance.timeOrigin + performance.now();
const log = (msg: string) => process.stderr.write(`[bench:audit] ${msg}\n`);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function admin(query: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    await c.query(query);
  } finally {
    await c.end();
  }
}

async function main() {
  const suffix = randomBytes(4).toString('hex');
  const dbName = `audit_bench_${suffix}`;
  const ns = `bench${suffix}`;
  await admin(`CREATE DATABASE ${dbName}`);
  const url = new URL(PG_ADMIN);
  url.pathname = `/${dbName}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  const db: AuditDb = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  const logger = createLogger({ level: 'warn' });
  const bus = await createBus(await connectNats(NATS_URL), ns, logger);
  const tmp = await mkdtemp(join(tmpdir(), 'audit-bench-'));
  try {
    await applyAuditMigrations(db);
    const stream = bus.topology.streams.decisions;
    await ensureStream(bus.jsm, stream);
    const subject = bus.subjects.decisions.recorded;
    const consumer = await ensureAuditConsumer(bus.jsm, bus.js, { stream: stream.name, durableName: `${ns}_audit_writer`, filterSubject: subject });
    const signer = createCheckpointSigner(generateSigningKey());

    // Publish times arrive from the worker in chunks, possibly after the commit: whichever of
    // (publish time, commit time) is learned second completes the latency sample.
    const published = new Map<string, number>();
    const committedAtById = new Map<string, number>();
    const latencies: number[] = [];
    let committed = 0;
    let lastCommitAt = 0;
    let firstPublishAt = Number.POSITIVE_INFINITY;
    let phaseIds: Set<string> | null = null;
    const onCommit = (r: CommitReport) => {
      const t = now();
      committed += r.inserted;
      lastCommitAt = t;
      for (const id of r.decisionIds) {
        const p = published.get(id);
        if (p === undefined) committedAtById.set(id, t);
        else {
          if (phaseIds?.has(id)) latencies.push(t - p);
          published.delete(id);
        }
      }
    };
    const learnPublished = (id: string, t: number) => {
      firstPublishAt = Math.min(firstPublishAt, t);
      const c = committedAtById.get(id);
      if (c === undefined) published.set(id, t);
      else {
        if (phaseIds?.has(id)) latencies.push(c - t);
        committedAtById.delete(id);
      }
    };

    const runPublisher = (count: number, offset: number, rate: number, ids: Set<string>) =>
      new Promise<number>((resolve, reject) => {
        // The worker is TypeScript: register tsx inside it before importing the script.
        const script = new URL('./audit-publisher.ts', import.meta.url).href;
        const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}); })`;
        const w = new Worker(bootstrap, { eval: true, workerData: { natsUrl: NATS_URL, subject, count, offset, rate } });
        w.on('message', (m: { type: 'published'; items: [string, number][] } | { type: 'done'; seconds: number }) => {
          if (m.type === 'published') for (const [id, t] of m.items) {
            ids.add(id);
            learnPublished(id, t);
          }
          else resolve(m.seconds);
        });
        w.on('error', reject);
      });
    const waitCommitted = async (target: number) => {
      while (committed < target) await new Promise((r) => setTimeout(r, 5));
    };

    // 1. drain a backlog
    log(`drain: publishing ${FLOOD} decisions`);
    const floodIds = new Set<string>();
    phaseIds = null;
    const floodPublishS = await runPublisher(FLOOD, 0, 0, floodIds);
    for (;;) {
      const info = await bus.jsm.streams.info(stream.name);
      if (info.state.messages >= FLOOD) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    log('drain: starting the writer');
    const floodStart = now();
    const writer = await startAuditWriter({ db, consumer, logger, signer }, { maxBatch: 2_000, lingerMs: 2, checkpointIntervalMs: 1_000, onCommit });
    await waitCommitted(FLOOD);
    const floodSeconds = (lastCommitAt - floodStart) / 1000;
    const flood = {
      decisions: FLOOD,
      publish_seconds: round(floodPublishS, 2),
      seconds_to_last_durable_commit: round(floodSeconds, 2),
      appends_per_second: Math.round(FLOOD / floodSeconds),
      batches: writer.stats.batches,
    };
    log(JSON.stringify(flood));

    // 2. sustained at a fixed rate
    const sustainedCount = RATE * SUSTAIN_S;
    log(`sustained: ${RATE}/s for ${SUSTAIN_S}s`);
    const sIds = new Set<string>();
    phaseIds = sIds;
    const batchesBefore = writer.stats.batches;
    firstPublishAt = Number.POSITIVE_INFINITY;
    const sPublishS = await runPublisher(sustainedCount, FLOOD, RATE, sIds);
    await waitCommitted(FLOOD + sustainedCount);
    const sSeconds = (lastCommitAt - firstPublishAt) / 1000;
    const sLat = latencies.splice(0).sort((a, b) => a - b);
    const sustained = {
      target_per_second: RATE,
      decisions: sustainedCount,
      published_per_second: Math.round(sustainedCount / sPublishS),
      appends_per_second: Math.round(sustainedCount / sSeconds),
      batches: writer.stats.batches - batchesBefore,
      append_to_durable_latency_ms: { p50: round(percentile(sLat, 50)), p90: round(percentile(sLat, 90)), p99: round(percentile(sLat, 99)), max: round(sLat.at(-1) ?? NaN) },
    };
    log(JSON.stringify(sustained));
    await writer.stop();

    // 3. top up to TOTAL records directly, then verify and export
    let state: AppendState | null = null;
    let have = committed;
    log(`generating ${TOTAL - have} more records directly`);
    const genStart = now();
    const genBatch = 5_000;
    let lastCp = now();
    while (have < TOTAL) {
      const n = Math.min(genBatch, TOTAL - have);
      const batch = Array.from({ length: n }, (_, k) => pendingDecision(FLOOD + sustainedCount + (have - committed) + k));
      ({ state } = await appendDecisions(db, batch, { state, signer, checkpointDue: () => now() - lastCp > 2_000 || have + n === TOTAL }));
      if (now() - lastCp > 2_000) lastCp = now();
      have += n;
    }
    const genSeconds = (now() - genStart) / 1000;
    const generated = TOTAL - committed;

    log('verifying 1M records in the database');
    const vStart = now();
    const verify = await verifyStoredLog(db, { publicKey: signer.publicKey, pageSize: 10_000 });
    const vSeconds = (now() - vStart) / 1000;
    if (!verify.ok) throw new Error(`verification failed: ${JSON.stringify(verify.failure)}`);

    log('exporting 1M records as NDJSON through the route');
    const app = new Hono<GatewayEnv>();
    app.use('*', async (c, next) => {
      c.set('requestId', 'bench');
      c.set('log', logger);
      await next();
    });
    app.route('/audit/v1', auditRoutes({ db, access: createAccessControl([{ key: 'bench-auditor-key-000', principal: 'bench', roles: ['auditor'] }]), publicKey: signer.publicKey }));
    const res = await app.request('/audit/v1/decisions', { headers: { authorization: 'Bearer bench-auditor-key-000', accept: 'application/x-ndjson' } });
    const exportPath = join(tmp, 'export.ndjson');
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
    let bytes = 0;
    const eStart = now();
    const file = createWriteStream(exportPath);
    await pipeline(
      res.body!,
      new Writable({
        write(chunk: Uint8Array, _e, done) {
          bytes += chunk.byteLength;
          if (!file.write(chunk)) file.once('drain', done);
          else done();
        },
      }),
    );
    await new Promise<void>((r) => file.end(r));
    clearInterval(sampler);
    const eSeconds = (now() - eStart) / 1000;

    const cps = await (await app.request('/audit/v1/checkpoints?limit=1000', { headers: { authorization: 'Bearer bench-auditor-key-000' } })).text();
    await writeFile(join(tmp, 'checkpoints.json'), cps);
    await writeFile(join(tmp, 'key.pem'), publicKeyPem(signer.publicKey));
    log('verifying the export offline');
    const oStart = now();
    const offline = await verifyExport(exportPath, join(tmp, 'checkpoints.json'), join(tmp, 'key.pem'));
    const oSeconds = (now() - oStart) / 1000;
    if (!offline.ok) throw new Error(`offline verification failed: ${JSON.stringify(offline.failure)}`);

    const result = {
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      appends_per_second: flood.appends_per_second,
      sustained_target_met: sustained.appends_per_second >= RATE * 0.98,
      load_average_1m: round((await import('node:os')).loadavg()[0]!, 2),
      p99_append_to_durable_ms: sustained.append_to_durable_latency_ms.p99,
      verify_records_per_second: Math.round(verify.verified / vSeconds),
      drain: flood,
      sustained,
      one_million: {
        records: verify.verified,
        direct_append_per_second: Math.round(generated / genSeconds),
        verify_db: { seconds: round(vSeconds, 2), records_per_second: Math.round(verify.verified / vSeconds), checkpoints_verified: verify.checkpoints_verified },
        export_ndjson: { seconds: round(eSeconds, 2), records_per_second: Math.round(TOTAL / eSeconds), megabytes: round(bytes / 1e6), rss_before_mb: round(rssBefore / 1e6), rss_peak_mb: round(rssPeak / 1e6) },
        verify_offline: { seconds: round(oSeconds, 2), records_per_second: Math.round(offline.records / oSeconds), checkpoints_verified: offline.checkpoints_verified },
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await bus.jsm.streams.delete(bus.topology.streams.decisions.name).catch(() => undefined);
    await bus.close();
    await db.destroy();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

main().catch((err) => {
  process.stderr.write(`[bench:audit] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
