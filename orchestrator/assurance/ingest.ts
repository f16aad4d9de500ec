/**
 * The network-events intake: every message of `<ns>.network.event` is mediated; a malformed one is
 * put in the quarantine stream with its reason and acknowledged (it never blocks the ones behind
 * it); a valid one has its effect applied exactly once per source id (`processOnce` keyed by the
 * event's natural id, so a duplicate from the adapter, a re-POST or a redelivery does nothing).
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AlarmEvent, KpiEvent, NetworkEvent, UsageEvent } from '../../adapters/contract.js';
import type { BusMessage, MessageHandler } from '../../platform/bus/consume.js';
import { processOnce, type Outcome } from '../../platform/bus/idempotent.js';
import type { Database } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/logger.js';
import { correlateAlarm, type CorrelationResult, type ProblemChange } from './correlation.js';
import type { DampingConfig } from './damping.js';
import { mediate, quarantineId, type QuarantinedEvent } from './mediation.js';
import type { Publish } from './notify.js';
import type { AssuranceSubjects } from './subjects.js';

export interface IntakeDeps {
  db: Kysely<Database>;
  publish: Publish;
  subjects: AssuranceSubjects;
  /** Name in the dedupe ledger (the durable consumer's name). */
  consumer: string;
  logger: Logger;
  /** Problem changes to tell the BSS, inside the event's transaction. */
  onProblemChange(change: ProblemChange, trx: Transaction<Database>): Promise<void>;
  /** KPI samples stored, in arrival order (SLA evaluation hooks in here). */
  onKpis?(kpis: KpiEvent[], trx: Transaction<Database>): Promise<void>;
  onUsage?(usage: UsageEvent, trx: Transaction<Database>): Promise<void>;
  damping?: DampingConfig;
  now?: () => Date;
}

export type IntakeResult =
  | { status: 'quarantined'; reason: string; quarantineId: string }
  | { status: Outcome; event: NetworkEvent; correlation?: CorrelationResult };

/** Problem ids derive from the raising alarm, so a redelivered raise re-creates the same id (and the same notification ids). */
export function problemIdFor(alarm: AlarmEvent): string {
  const h = createHash('sha256').update(`${alarm.source}\u0000${alarm.id}\u0000${alarm.eventTime}`).digest('hex');
  return `sp-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export async function quarantine(
  deps: Pick<IntakeDeps, 'publish' | 'subjects' | 'now'>,
  raw: unknown,
  reason: string,
  via: QuarantinedEvent['via'],
  messageId?: string,
): Promise<string> {
  const id = quarantineId(raw);
  const record: QuarantinedEvent = { reason, via, receivedAt: (deps.now?.() ?? new Date()).toISOString(), raw, ...(messageId ? { messageId } : {}) };
  await deps.publish(deps.subjects.quarantine, record, { messageId: id });
  return id;
}

export function createIntake(deps: IntakeDeps) {
  /** One statement for a whole batch's samples: under load, KPIs are most of the traffic. */
  async function storeKpis(trx: Transaction<Database>, kpis: KpiEvent[]): Promise<void> {
    if (kpis.length === 0) return;
    await sql`
      insert into assurance_kpi_samples (subject_id, metric, event_time, value, sample_id)
      select * from unnest(${kpis.map((k) => k.resource.id)}::text[], ${kpis.map((k) => k.metric)}::text[],
                           ${kpis.map((k) => k.eventTime)}::timestamptz[], ${kpis.map((k) => k.value)}::float8[], ${kpis.map((k) => k.id)}::text[])
      on conflict do nothing`.execute(trx);
    await deps.onKpis?.(kpis, trx);
  }

  /** Applies one event; KPIs are collected in `kpis` and stored together by the caller. */
  async function apply(trx: Transaction<Database>, event: NetworkEvent, kpis: KpiEvent[]): Promise<CorrelationResult | undefined> {
    switch (event.kind) {
      case 'alarm': {
        const started = performance.now();
        const correlation = await correlateAlarm(trx, event, { damping: deps.damping, newId: () => problemIdFor(event) });
        const correlatedMs = performance.now() - started;
        for (const change of correlation.changes) await deps.onProblemChange(change, trx);
        if (correlation.changes.length) {
          deps.logger.info({ alarm: `${event.source}:${event.id}`, outcome: correlation.outcome, correlateMs: Math.round(correlatedMs), notifyMs: Math.round(performance.now() - started - correlatedMs) }, 'alarm changed a service problem');
        }
        return correlation;
      }
      case 'kpi':
        kpis.push(event);
        return undefined;
      case 'usage':
        await deps.onUsage?.(event, trx);
        return undefined;
    }
  }

  /**
   * Many events in ONE transaction: one ledger insert claims every new natural id, the effects run
   * in arrival order, one commit. Under a storm this is what keeps up; when the batch fails (one
   * poisonous event), every event is retried on its own so the others are not held back by it.
   */
  async function ingestBatch(items: ReadonlyArray<{ raw: unknown; subject: string; messageId?: string }>): Promise<IntakeResult[]> {
    const results: Array<IntakeResult | undefined> = new Array(items.length);
    const valid: Array<{ index: number; event: NetworkEvent; key: string; subject: string }> = [];
    await Promise.all(
      items.map(async (item, index) => {
        const m = mediate(item.raw);
        if (m.ok) {
          valid.push({ index, event: m.event, key: m.dedupeKey, subject: item.subject });
          return;
        }
        const id = await quarantine(deps, item.raw, m.reason, 'bus', item.messageId);
        deps.logger.warn({ reason: m.reason, quarantineId: id, messageId: item.messageId }, 'network event quarantined');
        results[index] = { status: 'quarantined', reason: m.reason, quarantineId: id };
      }),
    );
    valid.sort((a, b) => a.index - b.index);
    if (valid.length) {
      try {
        await deps.db.transaction().execute(async (trx) => {
          const claimed = new Set(
            (
              await sql<{ message_id: string }>`
                insert into processed_messages (consumer, message_id, subject)
                select ${deps.consumer}, k, s from unnest(${valid.map((v) => v.key)}::text[], ${valid.map((v) => v.subject)}::text[]) as u(k, s)
                on conflict (consumer, message_id) do nothing
                returning message_id`.execute(trx)
            ).rows.map((r) => r.message_id),
          );
          const kpis: KpiEvent[] = [];
          for (const v of valid) {
            if (!claimed.delete(v.key)) {
              results[v.index] = { status: 'duplicate', event: v.event };
              continue;
            }
            const correlation = await apply(trx, v.event, kpis);
            results[v.index] = { status: 'processed', event: v.event, ...(correlation ? { correlation } : {}) };
          }
          await storeKpis(trx, kpis);
        });
      } catch (err) {
        deps.logger.warn({ err, events: valid.length }, 'batch failed; processing its events one by one');
        for (const v of valid) results[v.index] = await ingest(items[v.index]!.raw, 'bus', v.subject, items[v.index]!.messageId);
      }
    }
    return results as IntakeResult[];
  }

  async function ingest(raw: unknown, via: QuarantinedEvent['via'], subject: string, messageId?: string): Promise<IntakeResult> {
    const mediated = mediate(raw);
    if (!mediated.ok) {
      const id = await quarantine(deps, raw, mediated.reason, via, messageId);
      deps.logger.warn({ reason: mediated.reason, quarantineId: id, messageId }, 'network event quarantined');
      return { status: 'quarantined', reason: mediated.reason, quarantineId: id };
    }
    const event = mediated.event;
    let correlation: CorrelationResult | undefined;
    const outcome = await processOnce(deps.db, deps.consumer, { messageId: mediated.dedupeKey, subject }, async (trx) => {
      const kpis: KpiEvent[] = [];
      correlation = await apply(trx, event, kpis);
      await storeKpis(trx, kpis);
    });
    return { status: outcome, event, ...(correlation ? { correlation } : {}) };
  }

  const handler: MessageHandler = async (message: BusMessage) => {
    const result = await ingest(message.data, 'bus', message.subject, message.messageId);
    if (result.status === 'duplicate') message.log.debug({ eventId: result.event.id }, 'duplicate network event skipped');
  };

  return { ingest, ingestBatch, handler };
}
export type Intake = ReturnType<typeof createIntake>;
