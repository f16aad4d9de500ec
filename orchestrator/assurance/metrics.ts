/**
 * Assurance KPIs on the process's Prometheus registry (served at /metrics): how fast a fault reaches
 * the customers' BSS, how many problems are open, what mediation did with the events, what
 * remediation achieved and which credits were issued.
 */
import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../../platform/db/schema.js';

export interface AssuranceMetrics {
  /** Alarm event time → the tenant's notification published, by notification priority. */
  alarmToNotification: Histogram<'priority'>;
  /** Network events by kind and outcome: processed, duplicate, quarantined. */
  events: Counter<'kind' | 'outcome'>;
  /** Remediation decisions by action kind and outcome: none, denied, failed, applied. */
  remediations: Counter<'kind' | 'outcome'>;
  credits: Counter<'currency'>;
  creditAmount: Counter<'currency'>;
}

/** The open-problems gauge reads Postgres at scrape time, so it is right for every process sharing the database. */
export function createAssuranceMetrics(registry: Registry, db: Kysely<Database>): AssuranceMetrics {
  new Gauge({
    name: 'junction_assurance_problems_open',
    help: 'Service problems not yet resolved, by status (inProgress, pending: cleared but the alarm is flapping)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ status: string; n: string }>`
        select status, count(*) as n from assurance_problems where status <> 'resolved' group by status`.execute(db);
      this.reset();
      for (const status of ['inProgress', 'pending']) this.set({ status }, Number(rows.find((r) => r.status === status)?.n ?? 0));
    },
  });
  return {
    alarmToNotification: new Histogram({
      name: 'junction_assurance_alarm_to_notification_seconds',
      help: "From an alarm's event time to the impact notification published for a tenant, by priority",
      labelNames: ['priority'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
      registers: [registry],
    }),
    events: new Counter({
      name: 'junction_assurance_events_total',
      help: 'Network events by kind (alarm, kpi, usage, unknown) and outcome (processed, duplicate, quarantined)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    remediations: new Counter({
      name: 'junction_assurance_remediations_total',
      help: 'SLA remediation decisions by action kind and outcome (none, denied, failed, applied)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    credits: new Counter({
      name: 'junction_assurance_sla_credits_total',
      help: 'SLA credits issued (stored and sent to the BSS), by currency',
      labelNames: ['currency'],
      registers: [registry],
    }),
    creditAmount: new Counter({
      name: 'junction_assurance_sla_credit_amount_total',
      help: 'Sum of the SLA credits issued, by currency',
      labelNames: ['currency'],
      registers: [registry],
    }),
  };
}

/** The kind of a quarantined payload, when it says one. */
export function kindOf(raw: unknown): string {
  const r = raw as { kind?: unknown; detail?: { kind?: unknown } } | null;
  const kind = typeof r?.detail?.kind === 'string' ? r.detail.kind : typeof r?.kind === 'string' ? r.kind : undefined;
  return kind === 'alarm' || kind === 'kpi' || kind === 'usage' ? kind : 'unknown';
}
