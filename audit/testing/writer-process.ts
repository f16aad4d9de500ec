/**
 * A writer in its own process, for crash tests: the test kills it with SIGKILL
 * at a moment of its choosing (or it kills itself between commit and ack).
 * Prints one line per commit: `committed <firstSeq> <lastSeq> <inserted>`.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createLogger } from '../../platform/logger.js';
import { createCheckpointSigner, privateKeyFromPem } from '../checkpoint.js';
import { ensureAuditConsumer, startAuditWriter } from '../writer.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const nc = await connect({ servers: env('NATS_URL') });
const js = jetstream(nc);
const jsm = await jetstreamManager(nc);
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: env('AUDIT_DB_URL'), max: 2 }) }) });
const consumer = await ensureAuditConsumer(jsm, js, {
  stream: env('STREAM'),
  durableName: env('DURABLE'),
  filterSubject: env('SUBJECT'),
  ackWaitMs: Number(process.env.ACK_WAIT_MS ?? 2000),
});
const mode = process.env.CRASH_MODE ?? 'slow';
let commits = 0;
await startAuditWriter(
  { db, consumer, logger: createLogger({ level: 'silent' }), signer: createCheckpointSigner(privateKeyFromPem(env('KEY_PEM'))) },
  {
    maxBatch: 200,
    checkpointIntervalMs: 200,
    beforeCommit: mode === 'slow' ? () => new Promise((r) => setTimeout(r, 40)) : undefined,
    afterCommitBeforeAck: (report) => {
      process.stdout.write(`committed ${report.firstSeq} ${report.lastSeq} ${report.inserted}\n`);
      commits++;
      if (mode === 'after-commit-before-ack' && commits === 3) process.kill(process.pid, 'SIGKILL');
    },
  },
);
process.stdout.write('ready\n');
