import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestBus, TEST_NATS_URL, type TestBus } from '../test/support/bus.js';
import { memoryLogger, silentLogger } from '../test/support/logger.js';
import { createCheckpointSigner, generateSigningKey } from './checkpoint.js';
import type { DecisionEvent } from './record.js';
import { getRecordById, listCheckpoints, type AuditDb } from './store.js';
import { createAuditTestDatabase, decisionEvent, type AuditTestDatabase } from './testing/fixtures.js';
import { verifyStoredLog } from './verify-db.js';
import { ensureAuditConsumer, startAuditWriter, type AuditWriter } from './writer.js';

const privateKey = generateSigningKey();
const signer = createCheckpointSigner(privateKey);

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function count(db: AuditDb): Promise<number> {
  const r = await sql<{ n: string }>`SELECT count(*) AS n FROM audit_decisions`.execute(db);
  return Number(r.rows[0]!.n);
}

async function seqsAndIds(db: AuditDb) {
  const r = await sql<{ seq: string; id: string }>`SELECT seq, decision_id::text AS id FROM audit_decisions ORDER BY seq`.execute(db);
  return { seqs: r.rows.map((x) => Number(x.seq)), ids: r.rows.map((x) => x.id) };
}

async function publishAll(bus: TestBus, events: DecisionEvent[], subject: string): Promise<void> {
  const window = 500;
  for (let i = 0; i < events.length; i += window) {
    await Promise.all(events.slice(i, i + window).map((e) => bus.bus.js.publish(subject, JSON.stringify(e), { msgID: e.decision_id })));
  }
}

describe('audit writer', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function setup() {
    const t: AuditTestDatabase = await createAuditTestDatabase();
    cleanup.push(() => t.drop());
    const bus = await createTestBus();
    cleanup.push(() => bus.cleanup());
    const stream = bus.bus.topology.streams.decisions.name;
    const subject = bus.bus.subjects.decisions.recorded;
    const durable = `${bus.namespace}_audit_writer`;
    const consumer = () => ensureAuditConsumer(bus.bus.jsm, bus.bus.js, { stream, durableName: durable, filterSubject: subject, ackWaitMs: 2_000 });
    return { t, bus, stream, subject, durable, consumer };
  }

  it('stores every decision once, in seq order, redacted, checkpointed, and terminates malformed events', async () => {
    const { t, bus, subject, consumer } = await setup();
    const { logger, lines } = memoryLogger('error');
    const writer: AuditWriter = await startAuditWriter(
      { db: t.db, consumer: await consumer(), logger, signer, redaction: ['/input/customer/msisdn'] },
      { maxBatch: 100, checkpointIntervalMs: 100 },
    );
    cleanup.push(() => writer.stop());
    const events = Array.from({ length: 500 }, (_, i) => decisionEvent(i));
    await publishAll(bus, events, subject);
    // the same decision published again under another message id (a producer retry after the dedupe window)
    await bus.bus.js.publish(subject, JSON.stringify(events[10]), { msgID: 'retry-10' });
    await bus.bus.js.publish(subject, '{"decision_id": "not-a-uuid"}', { msgID: 'bad-1' });
    await bus.bus.js.publish(subject, 'not json', { msgID: 'bad-2' });

    await until('all decisions stored', async () => writer.stats.committed === 500 && writer.stats.rejected === 2 && writer.stats.duplicates === 1);
    const { seqs, ids } = await seqsAndIds(t.db);
    expect(seqs).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.decision_id)));

    const stored = await getRecordById(t.db, events[3]!.decision_id);
    expect(stored).toMatchObject({ path: events[3]!.path, order_id: 'o-3', masked: ['/input/customer/msisdn'], bundles: { junction: { revision: 'rev-1' } } });
    expect((stored!.input as { customer: { msisdn: string } }).customer.msisdn).toBe('**REDACTED**');
    expect(lines().filter((l) => l.msg === 'rejected decision event')).toHaveLength(2);

    await until('a checkpoint at the head', async () => (await listCheckpoints(t.db)).some((c) => c.tree_size === 500), 5_000);
    expect(await verifyStoredLog(t.db, { publicKey: signer.publicKey })).toMatchObject({ ok: true, verified: 500 });

    // everything was acked: nothing left pending on the consumer
    const c = await consumer();
    await until('all acks seen by the server', async () => {
      const info = await c.info();
      return info.num_ack_pending + info.num_pending === 0;
    }, 5_000);
  });

  it('stores the decisions of grouped messages, the valid ones of a group with a malformed one, and acks each message once all of its are in', async () => {
    const { t, bus, subject, consumer } = await setup();
    const writer: AuditWriter = await startAuditWriter({ db: t.db, consumer: await consumer(), logger: silentLogger(), signer }, { maxBatch: 7 });
    cleanup.push(() => writer.stop());
    const events = Array.from({ length: 40 }, (_, i) => decisionEvent(i));
    // Groups of 10 (spanning the writer's batches of 7), the last one also holding a malformed event.
    for (let g = 0; g < 4; g++) {
      const batch: unknown[] = events.slice(g * 10, g * 10 + 10);
      if (g === 3) batch.push({ decision_id: 'not-a-uuid' });
      await bus.bus.js.publish(subject, JSON.stringify({ batch }), { msgID: `group-${g}` });
    }
    await until('all decisions stored', async () => writer.stats.committed === 40 && writer.stats.rejected === 1);
    const { seqs, ids } = await seqsAndIds(t.db);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(ids).toEqual(events.map((e) => e.decision_id)); // in publish order
    const c = await consumer();
    await until('every group acked', async () => {
      const info = await c.info();
      return info.num_ack_pending + info.num_pending === 0;
    }, 5_000);
  });

  it('retries a failed commit (rolled back) and then stores everything exactly once', async () => {
    const { t, bus, subject, consumer } = await setup();
    let failures = 2;
    const writer = await startAuditWriter(
      { db: t.db, consumer: await consumer(), logger: silentLogger(), signer },
      {
        maxBatch: 50,
        retryDelayMs: 20,
        beforeCommit: () => {
          if (failures-- > 0) throw new Error('database went away');
        },
      },
    );
    cleanup.push(() => writer.stop());
    const events = Array.from({ length: 120 }, (_, i) => decisionEvent(i));
    await publishAll(bus, events, subject);
    await until('all stored', async () => writer.stats.committed === 120);
    expect(writer.stats.failedAttempts).toBe(2);
    const { seqs, ids } = await seqsAndIds(t.db);
    expect(seqs).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.decision_id)));
    expect((await verifyStoredLog(t.db, { publicKey: signer.publicKey })).ok).toBe(true);
  });

  it('a writer killed mid-batch loses and duplicates nothing after restart', async () => {
    const { t, bus, stream, subject, durable, consumer } = await setup();
    const events = Array.from({ length: 3000 }, (_, i) => decisionEvent(i));
    await publishAll(bus, events, subject);

    const child = spawnWriter({ AUDIT_DB_URL: t.url, STREAM: stream, DURABLE: durable, SUBJECT: subject, CRASH_MODE: 'slow' });
    cleanup.push(async () => void child.kill('SIGKILL'));
    // Let it commit a few batches, then kill it while it is inside a transaction (each holds 40 ms before COMMIT).
    await until('child committed batches', async () => child.commits >= 3, 30_000);
    await new Promise((r) => setTimeout(r, 20));
    child.process.kill('SIGKILL');
    await new Promise((r) => child.process.once('exit', r));
    const before = await count(t.db);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(3000);

    const writer = await startAuditWriter({ db: t.db, consumer: await consumer(), logger: silentLogger(), signer }, { maxBatch: 500, checkpointIntervalMs: 100 });
    cleanup.push(() => writer.stop());
    await until('all 3000 stored', async () => (await count(t.db)) >= 3000, 30_000);
    await new Promise((r) => setTimeout(r, 300)); // anything extra would show up now
    const { seqs, ids } = await seqsAndIds(t.db);
    expect(seqs).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(new Set(ids).size).toBe(3000);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.decision_id)));
    expect(await verifyStoredLog(t.db, { publicKey: signer.publicKey })).toMatchObject({ ok: true, verified: 3000 });
  });

  it('a writer killed between commit and ack: the redelivered batch is recognised and skipped', async () => {
    const { t, bus, stream, subject, durable, consumer } = await setup();
    const events = Array.from({ length: 1500 }, (_, i) => decisionEvent(i));
    await publishAll(bus, events, subject);
    const child = spawnWriter({ AUDIT_DB_URL: t.url, STREAM: stream, DURABLE: durable, SUBJECT: subject, CRASH_MODE: 'after-commit-before-ack' });
    cleanup.push(async () => void child.process.kill('SIGKILL'));
    await new Promise((r) => child.process.once('exit', r));
    expect(child.commits).toBe(3);
    const committedByChild = await count(t.db);

    const writer = await startAuditWriter({ db: t.db, consumer: await consumer(), logger: silentLogger(), signer }, { maxBatch: 500 });
    cleanup.push(() => writer.stop());
    await until('all 1500 stored', async () => (await count(t.db)) >= 1500, 30_000);
    await until('redelivered batch skipped', async () => writer.stats.duplicates > 0, 10_000);
    expect(writer.stats.committed).toBe(1500 - committedByChild);
    const { seqs, ids } = await seqsAndIds(t.db);
    expect(seqs).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
    expect(new Set(ids).size).toBe(1500);
  });
});

function spawnWriter(env: Record<string, string>): { process: ChildProcess; commits: number; kill: (s: NodeJS.Signals) => void } {
  const script = fileURLToPath(new URL('./testing/writer-process.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env, NATS_URL: TEST_NATS_URL, KEY_PEM: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const handle = { process: proc, commits: 0, kill: (s: NodeJS.Signals) => void proc.kill(s) };
  let buffer = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) if (line.startsWith('committed ')) handle.commits++;
  });
  return handle;
}
