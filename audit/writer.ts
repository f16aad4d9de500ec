import { AckPolicy, DeliverPolicy, type Consumer, type ConsumerConfig, type ConsumerMessages, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { Checkpoint, CheckpointSigner } from './checkpoint.js';
import { compileRedaction, decodeDecisionMessages } from './decision.js';
import type { RedactionRule } from './redaction.js';
import { appendDecisions, writeCheckpoint, type AppendState, type AuditDb, type PendingDecision } from './store.js';

/**
 * The audit writer: consumes the decisions stream and group-commits batches
 * into the log. A message is acked only after the transaction holding its
 * record committed, so a crash anywhere loses nothing (unacked messages are
 * redelivered) and duplicates nothing (redelivered ids are already stored and
 * skipped by appendDecisions).
 */

export interface AuditWriterDeps {
  db: AuditDb;
  /** Durable pull consumer on the decisions stream (see auditConsumerConfig). */
  consumer: Consumer;
  logger: Logger;
  signer: CheckpointSigner;
  /** Paths masked or erased before storage (see redaction.ts). */
  redaction?: readonly (RedactionRule | string)[];
}

export interface CommitReport {
  inserted: number;
  duplicates: number;
  firstSeq: number | null;
  lastSeq: number;
  decisionIds: string[];
  checkpoint: Checkpoint | null;
  committedAt: number; // performance.now()
}

export interface AuditWriterOptions {
  /** Most records per transaction. */
  maxBatch?: number;
  /** After the first message of a small batch, wait this long for more before committing (default 20 ms: fewer, larger transactions under load). */
  lingerMs?: number;
  /** A signed checkpoint is written at most this often while the log grows. */
  checkpointIntervalMs?: number;
  /** Delay between attempts when a commit fails (e.g. Postgres down). */
  retryDelayMs?: number;
  onCommit?: (report: CommitReport) => void;
  /** Test hooks around the commit. */
  beforeCommit?: () => Promise<void> | void;
  afterCommitBeforeAck?: (report: CommitReport) => Promise<void> | void;
}

export interface AuditWriterStats {
  committed: number;
  duplicates: number;
  rejected: number;
  batches: number;
  failedAttempts: number;
  headSeq: number;
}

export interface AuditWriter {
  readonly stats: Readonly<AuditWriterStats>;
  /** Stops consuming, finishes the batch in progress, naks what was received but not stored. */
  stop(): Promise<void>;
}

/** Server-side config for the writer's durable consumer. */
export function auditConsumerConfig(opts: { durableName: string; filterSubject: string; ackWaitMs?: number; maxAckPending?: number }): Partial<ConsumerConfig> {
  return {
    durable_name: opts.durableName,
    description: 'Audit writer: policy decisions into the verifiable log',
    filter_subject: opts.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: (opts.ackWaitMs ?? 30_000) * 1_000_000,
    // A decision is never given up on: no max_deliver.
    max_deliver: -1,
    // Enough in flight for large group commits.
    max_ack_pending: opts.maxAckPending ?? 20_000,
  };
}

/** Creates (or updates) the writer's durable consumer and returns it. */
export async function ensureAuditConsumer(
  jsm: JetStreamManager,
  js: { consumers: { get(stream: string, name: string): Promise<Consumer> } },
  opts: { stream: string; durableName: string; filterSubject: string; ackWaitMs?: number; maxAckPending?: number },
): Promise<Consumer> {
  const config = auditConsumerConfig(opts);
  const existing = await jsm.consumers.info(opts.stream, opts.durableName).catch(() => null);
  if (existing) {
    const { durable_name: _d, deliver_policy: _p, ...updatable } = config;
    await jsm.consumers.update(opts.stream, opts.durableName, updatable);
  } else {
    await jsm.consumers.add(opts.stream, config);
  }
  return js.consumers.get(opts.stream, opts.durableName);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Queued {
  msg: JsMsg;
  decision: PendingDecision;
  /** Decisions of this message not yet committed. */
  left: { n: number };
}

export async function startAuditWriter(deps: AuditWriterDeps, options: AuditWriterOptions = {}): Promise<AuditWriter> {
  const maxBatch = options.maxBatch ?? 2_000;
  const lingerMs = options.lingerMs ?? 20;
  const checkpointIntervalMs = options.checkpointIntervalMs ?? 1_000;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const log = deps.logger.child({ component: 'audit-writer' });
  const redaction = compileRedaction(deps.redaction ?? []);
  const stats: AuditWriterStats = { committed: 0, duplicates: 0, rejected: 0, batches: 0, failedAttempts: 0, headSeq: 0 };

  let state: AppendState | null = null;
  let lastCheckpointAt = performance.now();
  let running = true;
  // Decoded on arrival, so decoding overlaps the commit of the previous batch. A message may carry
  // several decisions (a group); it is acked once all of them are committed (`left` counts down).
  const queue: Queued[] = [];
  // Wake-up callbacks between the pump (stream → queue) and the commit loop.
  const wake: { loop: (() => void) | null; pump: (() => void) | null } = { loop: null, pump: null };
  const notifyLoop = () => {
    const f = wake.loop;
    wake.loop = null;
    f?.();
  };
  const notifyPump = () => {
    const f = wake.pump;
    wake.pump = null;
    f?.();
  };

  const decode = (msg: JsMsg): PendingDecision[] => {
    const { decisions, invalid } = decodeDecisionMessages(msg.string(), redaction);
    for (const err of invalid) {
      stats.rejected++;
      log.error({ seq: msg.seq, subject: msg.subject, decisionId: err.decisionId, reason: err.message }, 'rejected decision event');
    }
    // A malformed event can never be stored; terminate it rather than redeliver it forever (the
    // valid events of a group are stored, and the message acked with them).
    if (decisions.length === 0) msg.term(); // no reason argument: nats-server 2.9 ignores `+TERM <reason>`
    return decisions;
  };

  const messages: ConsumerMessages = await deps.consumer.consume({ max_messages: Math.max(maxBatch * 2, 256) });

  const pump = (async () => {
    try {
      for await (const m of messages) {
        const decisions = decode(m);
        if (decisions.length === 0) continue;
        const left = { n: decisions.length };
        for (const decision of decisions) queue.push({ msg: m, decision, left });
        notifyLoop();
        // Back-pressure: stop pulling while two batches are waiting.
        while (running && queue.length >= maxBatch * 2) await new Promise<void>((r) => (wake.pump = r));
        if (!running) break;
      }
    } catch (err) {
      log.error({ err }, 'decision stream consumption failed');
    }
  })();

  const waitForWork = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake.loop = () => {
        clearTimeout(t);
        resolve();
      };
    });

  const commit = async (valid: Queued[]) => {
    for (;;) {
      try {
        const result = await appendDecisions(
          deps.db,
          valid.map((v) => v.decision),
          {
            state,
            signer: deps.signer,
            checkpointDue: () => performance.now() - lastCheckpointAt >= checkpointIntervalMs,
            beforeCommit: options.beforeCommit,
          },
        );
        state = result.state;
        if (result.checkpoint) lastCheckpointAt = performance.now();
        const report: CommitReport = {
          inserted: result.inserted.length,
          duplicates: result.duplicates.length,
          firstSeq: result.inserted[0]?.seq ?? null,
          lastSeq: result.state.headSeq,
          decisionIds: valid.map((v) => v.decision.decision_id),
          checkpoint: result.checkpoint,
          committedAt: performance.now(),
        };
        stats.committed += report.inserted;
        stats.duplicates += report.duplicates;
        stats.batches++;
        stats.headSeq = report.lastSeq;
        await options.afterCommitBeforeAck?.(report);
        for (const v of valid) if (--v.left.n === 0) v.msg.ack();
        if (report.duplicates > 0) log.info({ duplicates: report.duplicates }, 'redelivered decisions already in the log were skipped');
        options.onCommit?.(report);
        return;
      } catch (err) {
        stats.failedAttempts++;
        state = null; // the transaction rolled back; reload the head next time
        log.error({ err, batch: valid.length }, 'audit batch commit failed; retrying');
        if (!running) {
          for (const v of valid) v.msg.nak();
          return;
        }
        for (const v of valid) v.msg.working();
        await sleep(retryDelayMs);
      }
    }
  };

  const loop = (async () => {
    while (running) {
      if (queue.length === 0) await waitForWork(checkpointIntervalMs);
      if (!running) break;
      if (queue.length > 0 && queue.length < maxBatch && lingerMs > 0) await sleep(lingerMs);
      const batch = queue.splice(0, maxBatch);
      notifyPump();
      if (batch.length > 0) await commit(batch);
      else if (performance.now() - lastCheckpointAt >= checkpointIntervalMs && !(state && state.headSeq <= state.lastCheckpointSize)) {
        // Idle but records since the last checkpoint (or head unknown): sign one now.
        try {
          const r = await writeCheckpoint(deps.db, deps.signer, state);
          state = r.state;
          lastCheckpointAt = performance.now();
        } catch (err) {
          state = null;
          log.error({ err }, 'audit checkpoint failed');
        }
      }
    }
  })();

  return {
    stats,
    async stop() {
      if (!running) return;
      running = false;
      notifyLoop();
      notifyPump();
      await loop;
      // Cover the tail with a signed checkpoint so proofs for the last records need no further writes.
      if (!state || state.headSeq > state.lastCheckpointSize) {
        await writeCheckpoint(deps.db, deps.signer, state).catch((err) => log.warn({ err }, 'final audit checkpoint failed'));
      }
      await messages.close().catch(() => undefined);
      await pump;
      // A group partly committed comes back whole; its committed decisions are skipped as duplicates.
      for (const msg of new Set(queue.splice(0).map((q) => q.msg))) msg.nak();
    },
  };
}
