/**
 * Assurance, assembled: declares its stream and durable consumer, runs the network-events intake
 * (mediation → dedupe → correlation → notification), and the periodic sweeps (flapping problems
 * that settled, delayed notifications that fell due, SLA windows). `platform/runtime.ts` starts it
 * in a process with the orchestrator role; tests start it directly.
 */
import type { Kysely } from 'kysely';
import { ensureConsumer, ensureStream, type Bus } from '../../platform/bus/bus.js';
import type { RunningConsumer } from '../../platform/bus/consume.js';
import { startBatchConsumer } from '../../platform/bus/batch-consume.js';
import type { Database } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/logger.js';
import { promoteOrphans, settlePending } from './correlation.js';
import type { DampingConfig } from './damping.js';
import { createIntake, type Intake } from './ingest.js';
import { kindOf, type AssuranceMetrics } from './metrics.js';
import { createNotifier, type Decide, type Notifier } from './notify.js';
import type { RemediationAdapters } from './remediation.js';
import { createSlaMonitor, type SlaMonitor } from './sla.js';
import type { WindowPolicy } from './sla-window.js';
import { assuranceSubjects, assuranceTopology, type AssuranceSubjects } from './subjects.js';

export interface AssuranceDeps {
  db: Kysely<Database>;
  bus: Bus;
  /** The policy engine's decide (orchestrator/policy-engine.ts). */
  decide: Decide;
  logger: Logger;
  damping?: DampingConfig;
  /** Period of the sweeps; 0 disables them (tests call `sweep()`). */
  sweepMs?: number;
  now?: () => Date;
  /** How long child alarms wait for their parent before they become a problem of their own (default 30 s). */
  orphanGraceMs?: number;
  /** Most events committed in one transaction. */
  batch?: number;
  /** Where remediation actions go (the adapter registry); without it SLA breaches are tracked and credited, not remediated. */
  adapters?: RemediationAdapters;
  /** SLA window lengths (default: threatened after 5, breached after 10 minutes of event time). */
  slaWindow?: WindowPolicy;
  /** Prometheus KPIs (metrics.ts); absent in tests that do not look at them. */
  metrics?: AssuranceMetrics;
}

export interface Assurance {
  subjects: AssuranceSubjects;
  intake: Intake;
  notifier: Notifier;
  sla: SlaMonitor;
  /** Runs the periodic work once: settle flapping problems, promote orphans whose parent never came, flush due notifications. */
  sweep(): Promise<{ settled: number; orphanProblems: number; flushed: number }>;
  stop(): Promise<void>;
}

export async function startAssurance(deps: AssuranceDeps): Promise<Assurance> {
  const log = deps.logger.child({ component: 'assurance' });
  const ns = deps.bus.namespace;
  const topology = assuranceTopology(ns);
  const subjects = assuranceSubjects(ns);
  await ensureStream(deps.bus.jsm, topology.stream);
  await ensureConsumer(deps.bus.jsm, topology.networkEvents);
  const now = deps.now ?? (() => new Date());
  const publish = (subject: string, payload: unknown, o: { messageId: string; correlationId?: string }) => deps.bus.publish(subject, payload, o);
  const hubSubject = deps.bus.subjects.notifications.outbound;
  const notifier = createNotifier({ decide: deps.decide, publish, subjects, hubSubject, logger: log, now, metrics: deps.metrics });
  const sla = createSlaMonitor({ decide: deps.decide, publish, subjects, hubSubject, adapters: deps.adapters, logger: log, window: deps.slaWindow, now, metrics: deps.metrics });
  const intake = createIntake({
    db: deps.db,
    publish,
    subjects,
    consumer: topology.networkEvents.name,
    logger: log,
    damping: deps.damping,
    now,
    onProblemChange: async (change, trx) => {
      const summary = await notifier.notify(change, trx);
      log.info({ problemId: change.problem.id, change: change.kind, services: change.services.length, ...summary }, 'service problem notified');
    },
    onKpis: (kpis, trx) => sla.onKpis(kpis, trx),
    onUsage: async (usage) => {
      await publish(subjects.usage, usage, { messageId: `usage:${usage.source}:${usage.id}` });
    },
  });
  const consumer: RunningConsumer = await startBatchConsumer(
    deps.bus,
    topology.networkEvents,
    async (messages) => {
      const results = await intake.ingestBatch(messages.map((m) => ({ raw: m.data, subject: m.subject, messageId: m.messageId })));
      // Counted once the batch is committed (a failed batch is redelivered and counted then).
      results.forEach((r, i) => deps.metrics?.events.inc({ kind: r.status === 'quarantined' ? kindOf(messages[i]!.data) : r.event.kind, outcome: r.status }));
    },
    log,
    { maxBatch: deps.batch ?? 256 },
  );

  async function sweep() {
    const changes = await settlePending(deps.db, now(), deps.damping);
    for (const change of changes) await notifier.notify(change, deps.db);
    const orphans = await promoteOrphans(deps.db, now(), deps.orphanGraceMs);
    for (const change of orphans) await notifier.notify(change, deps.db);
    const flushed = await notifier.flushOutbox(deps.db, now());
    return { settled: changes.length, orphanProblems: orphans.length, flushed };
  }
  let timer: NodeJS.Timeout | undefined;
  if ((deps.sweepMs ?? 5_000) > 0) {
    timer = setInterval(() => void sweep().catch((err) => log.warn({ err }, 'assurance sweep failed')), deps.sweepMs ?? 5_000);
    timer.unref();
  }
  return {
    subjects,
    intake,
    notifier,
    sla,
    sweep,
    async stop() {
      if (timer) clearInterval(timer);
      await consumer.stop();
    },
  };
}
