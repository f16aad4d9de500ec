/**
 * SLA monitoring: on every stored KPI sample, the services it concerns are evaluated over their
 * event-time window (sla-window.ts). A breach moves threatened → breached; on each step the
 * remediation policy may act (remediation.ts). When the bad stretch ends, the KPIs have verified
 * the outcome: a breach that was avoided is `remediated`/`avoided`; one that was not gets an SLA
 * credit computed by `data.junction.sla_credit`, stored per service and period and sent to the
 * tenant's BSS.
 */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { KpiEvent } from '../../adapters/contract.js';
import type { Database } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/logger.js';
import { sqlImpactGraph, type ImpactedService } from './impact.js';
import type { AssuranceMetrics } from './metrics.js';
import type { Decide, Publish } from './notify.js';
import { remediate, type RemediationAdapters, type RemediationOutcome } from './remediation.js';
import { DEFAULT_WINDOW, latestBadRun, rulesOf, statusOf, type BadRun, type SlaRule, type WindowPolicy } from './sla-window.js';
import type { AssuranceSubjects } from './subjects.js';

export const SLA_CREDIT_POLICY = 'junction/sla_credit/decision';

const creditDecisionSchema = z.object({ credit: z.boolean(), percent: z.number(), amount: z.number(), currency: z.string(), reasons: z.array(z.string()).default([]) });

export interface SlaCreditEvent {
  eventId: string;
  eventType: 'SlaCreditEvent';
  eventTime: string;
  tenant: string;
  customerId: string;
  serviceId: string;
  period: string;
  breachId: string;
  metric: string;
  durationMs: number;
  amount: number;
  currency: string;
  percent: number;
  decisionId: string;
}

interface BreachDetail {
  target: number;
  worst: number;
  durationMs: number;
  attempts: number;
  remediations: RemediationOutcome[];
  breached: boolean;
}

export interface SlaMonitorDeps {
  decide: Decide;
  publish: Publish;
  subjects: AssuranceSubjects;
  /** The hub's subject (platform `notifications.outbound`): credits also reach the tenant's webhooks. */
  hubSubject?: string;
  adapters?: RemediationAdapters;
  logger: Logger;
  window?: WindowPolicy;
  now?: () => Date;
  metrics?: Pick<AssuranceMetrics, 'remediations' | 'credits' | 'creditAmount'>;
}

/** Billing period of an event time: the calendar month (UTC). */
export const periodOf = (at: number) => new Date(at).toISOString().slice(0, 7);

export function createSlaMonitor(deps: SlaMonitorDeps) {
  const window = deps.window ?? DEFAULT_WINDOW;
  const metrics = new Set(['latency', 'availability']);

  /**
   * The window as it was when the sample being evaluated arrived: `unseen` are the samples stored
   * with the same batch that arrived after it, so a batch is evaluated exactly as one-by-one arrival.
   */
  async function samples(trx: Transaction<Database> | Kysely<Database>, subjectId: string, metric: string, from: Date, unseen: ReadonlySet<string>) {
    const rows = await trx
      .selectFrom('assurance_kpi_samples')
      .select(['event_time', 'value', 'sample_id'])
      .where('subject_id', '=', subjectId)
      .where('metric', '=', metric)
      .where('event_time', '>=', from)
      .execute();
    return rows.filter((r) => !unseen.has(r.sample_id)).map((r) => ({ at: new Date(r.event_time).getTime(), value: Number(r.value) }));
  }

  async function credit(trx: Transaction<Database>, service: ImpactedService, rule: SlaRule, breachId: string, run: BadRun): Promise<void> {
    const period = periodOf(run.start);
    const d = await deps.decide(
      SLA_CREDIT_POLICY,
      {
        service: { id: service.serviceId, specification: service.specification, slaTier: service.slaTier, monthlyCharge: service.characteristics.monthlyCharge },
        breach: { metric: rule.metric, target: rule.target, observed: run.worst, durationMs: run.durationMs },
        period: { id: period },
      },
      { component: 'assurance', customerId: service.customerId, networkEventId: breachId },
    );
    const parsed = creditDecisionSchema.safeParse(d.result);
    if (!parsed.success || !parsed.data.credit) return;
    const inserted = await trx
      .insertInto('assurance_credits')
      .values({ service_id: service.serviceId, period, breach_id: breachId, tenant: service.tenant, customer_id: service.customerId, amount: parsed.data.amount, currency: parsed.data.currency, decision_id: d.decision_id })
      .onConflict((oc) => oc.columns(['service_id', 'period', 'breach_id']).doNothing())
      .returning('breach_id')
      .executeTakeFirst();
    if (!inserted) return;
    const event: SlaCreditEvent = {
      eventId: `sla-credit:${breachId}`,
      eventType: 'SlaCreditEvent',
      eventTime: (deps.now?.() ?? new Date()).toISOString(),
      tenant: service.tenant,
      customerId: service.customerId,
      serviceId: service.serviceId,
      period,
      breachId,
      metric: rule.metric,
      durationMs: run.durationMs,
      amount: parsed.data.amount,
      currency: parsed.data.currency,
      percent: parsed.data.percent,
      decisionId: d.decision_id,
    };
    await deps.publish(deps.subjects.tenantCredits(service.tenant), event, { messageId: event.eventId });
    // The hub fans it out to the tenant's subscriptions; the breach id orders its events.
    if (deps.hubSubject) await deps.publish(deps.hubSubject, { eventType: event.eventType, event, tenant: service.tenant, problemId: breachId }, { messageId: `hub:${event.eventId}` });
    deps.metrics?.credits.inc({ currency: event.currency });
    deps.metrics?.creditAmount.inc({ currency: event.currency }, event.amount);
  }

  async function evaluate(trx: Transaction<Database>, kpi: KpiEvent, service: ImpactedService, rule: SlaRule, unseen: ReadonlySet<string>): Promise<void> {
    const from = new Date(Date.parse(kpi.eventTime) - window.lookbackMs);
    const run = latestBadRun(await samples(trx, kpi.resource.id, rule.metric, from, unseen), rule);
    if (!run) return;
    const breachId = `${service.serviceId}:${rule.metric}:${new Date(run.start).toISOString()}`;
    const status = statusOf(run, window);
    const row = await trx.selectFrom('assurance_breaches').selectAll().where('id', '=', breachId).forUpdate().executeTakeFirst();
    const detail: BreachDetail = (row?.detail as BreachDetail | undefined) ?? { target: rule.target, worst: run.worst, durationMs: 0, attempts: 0, remediations: [], breached: false };
    detail.worst = run.worst;
    detail.durationMs = run.durationMs;
    if (status === 'breached') detail.breached = true;
    let current = row?.status;

    if (!run.ongoing) {
      // The stretch is over: the KPIs verified the outcome.
      if (!row && status === 'ok') return;
      const final = detail.breached ? 'credited' : detail.remediations.some((r) => r.outcome === 'applied') ? 'remediated' : 'avoided';
      if (current === final) return;
      await upsert(trx, breachId, service, rule, run, final, detail);
      await deps.publish(deps.subjects.sla, { breachId, serviceId: service.serviceId, metric: rule.metric, status: final, durationMs: run.durationMs }, { messageId: `sla:${breachId}:${final}` });
      if (final === 'credited') await credit(trx, service, rule, breachId, run);
      return;
    }
    if (status === 'ok') return;
    if (current !== status) {
      await deps.publish(deps.subjects.sla, { breachId, serviceId: service.serviceId, metric: rule.metric, status, durationMs: run.durationMs }, { messageId: `sla:${breachId}:${status}` });
      // Each escalation (threatened, then breached) gives the remediation policy one more say.
      if (deps.adapters) {
        const outcome = await remediate(
          { db: trx, decide: deps.decide, adapters: deps.adapters, now: deps.now },
          { id: breachId, serviceId: service.serviceId, metric: rule.metric, status, observed: run.worst, target: rule.target, durationMs: run.durationMs },
          service,
          detail.attempts,
        );
        detail.remediations.push(outcome);
        if (outcome.outcome !== 'none') detail.attempts += 1;
        deps.metrics?.remediations.inc({ kind: outcome.outcome === 'none' ? 'none' : outcome.kind, outcome: outcome.outcome });
        deps.logger.info({ breachId, status, outcome: outcome.outcome }, 'SLA remediation decided');
      }
      current = status;
    }
    await upsert(trx, breachId, service, rule, run, current, detail);
  }

  async function upsert(trx: Transaction<Database>, id: string, service: ImpactedService, rule: SlaRule, run: BadRun, status: string, detail: BreachDetail) {
    await trx
      .insertInto('assurance_breaches')
      .values({ id, service_id: service.serviceId, metric: rule.metric, window_start: new Date(run.start), window_end: new Date(run.end), status, detail: JSON.stringify(detail) })
      .onConflict((oc) => oc.column('id').doUpdateSet({ window_end: new Date(run.end), status, detail: JSON.stringify(detail), updated_at: new Date() }))
      .execute();
  }

  return {
    /**
     * The intake's KPI hook, for the samples of one batch (already stored): one lookup finds the
     * services they measure; each sample is then evaluated, in arrival order and seeing only the
     * samples that arrived before it, for the services whose SLA has a rule on its metric (most
     * samples concern none and cost nothing more).
     */
    async onKpis(kpis: KpiEvent[], trx: Transaction<Database>): Promise<void> {
      const relevant = kpis.filter((k) => metrics.has(k.metric));
      if (relevant.length === 0) return;
      const measured = await sqlImpactGraph(trx).servicesMeasuredByAny([...new Set(relevant.map((k) => k.resource.id))]);
      // Per subject and metric, the batch's samples not evaluated yet (hidden from the earlier ones).
      const unseen = new Map<string, Set<string>>();
      const keyOf = (k: KpiEvent) => `${k.resource.id}\u0000${k.metric}`;
      for (const k of relevant) unseen.set(keyOf(k), (unseen.get(keyOf(k)) ?? new Set()).add(k.id));
      for (const kpi of relevant) {
        const hidden = unseen.get(keyOf(kpi))!;
        hidden.delete(kpi.id);
        for (const service of measured.get(kpi.resource.id) ?? []) {
          for (const rule of rulesOf(service.characteristics)) {
            if (rule.metric === kpi.metric) await evaluate(trx, kpi, service, rule, hidden);
          }
        }
      }
    },
  };
}
export type SlaMonitor = ReturnType<typeof createSlaMonitor>;
