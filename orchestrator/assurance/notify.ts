/**
 * Impact notification: a problem change becomes TMF656 events for the affected tenants, as the
 * notification policy (`data.junction.notification`) decides — once per group of customers that
 * share tenant, customer type, SLA tier and area, every decision audited by the engine.
 *
 * `individual`: one event per customer; `batched`: one event per group (area). A delay from the
 * policy puts the event in the outbox (`flushOutbox` sends it when due); otherwise it is published
 * at once, to the tenant's subject and to the hub's `notifications.outbound`. Message ids are
 * natural (problem, change, recipient), so a redelivered alarm re-publishes into the stream's
 * duplicate window instead of notifying twice.
 */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/logger.js';
import type { Decision, DecisionContext } from '../../policies/engine/index.js';
import type { ProblemChange } from './correlation.js';
import type { ImpactedService } from './impact.js';
import type { AssuranceMetrics } from './metrics.js';
import { serviceProblem, type ServiceProblemEvent } from './service-problem.js';
import type { AssuranceSubjects } from './subjects.js';

export const NOTIFICATION_POLICY = 'junction/notification/decision';

export const notificationDecisionSchema = z.object({
  notify: z.boolean(),
  mode: z.enum(['individual', 'batched']),
  priority: z.enum(['critical', 'high', 'normal', 'low']),
  delayMs: z.number().nonnegative(),
  reasons: z.array(z.string()).default([]),
});
export type NotificationDecision = z.infer<typeof notificationDecisionSchema>;

export type Decide = (path: string, input: unknown, context?: DecisionContext) => Promise<Decision>;
export type Publish = (subject: string, payload: unknown, options: { messageId: string; correlationId?: string }) => Promise<unknown>;

export interface NotifierDeps {
  decide: Decide;
  publish: Publish;
  subjects: AssuranceSubjects;
  /** The hub's subject (platform `notifications.outbound`). */
  hubSubject: string;
  logger: Logger;
  now?: () => Date;
  metrics?: Pick<AssuranceMetrics, 'alarmToNotification'>;
}

export interface NotificationGroup {
  tenant: string;
  customerType: string;
  slaTier: string;
  area: string;
  services: ImpactedService[];
}

export interface NotifySummary {
  groups: number;
  published: number;
  delayed: number;
  suppressed: number;
}

export function groupForNotification(services: readonly ImpactedService[]): NotificationGroup[] {
  const groups = new Map<string, NotificationGroup>();
  for (const s of services) {
    const key = [s.tenant, s.customerType, s.slaTier, s.area].join('\u0000');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { tenant: s.tenant, customerType: s.customerType, slaTier: s.slaTier, area: s.area, services: [] }));
    g.services.push(s);
  }
  return [...groups.values()];
}

const PRIORITY_RANK: Record<NotificationDecision['priority'], number> = { critical: 0, high: 1, normal: 2, low: 3 };

function byCustomer(services: readonly ImpactedService[]): Map<string, ImpactedService[]> {
  const out = new Map<string, ImpactedService[]>();
  for (const s of services) out.set(s.customerId, [...(out.get(s.customerId) ?? []), s]);
  return out;
}

interface Outgoing {
  messageId: string;
  tenant: string;
  event: ServiceProblemEvent;
  delayMs: number;
}

export function createNotifier(deps: NotifierDeps) {
  const now = deps.now ?? (() => new Date());

  async function decideGroup(change: ProblemChange, group: NotificationGroup): Promise<{ decision: NotificationDecision; decisionId: string }> {
    const input = {
      event: change.kind,
      problem: {
        id: change.problem.id,
        severity: change.problem.severity,
        probableCause: change.problem.probableCause,
        rootResource: change.problem.rootResource,
      },
      group: {
        tenant: group.tenant,
        customerType: group.customerType,
        slaTier: group.slaTier,
        area: group.area,
        customers: new Set(group.services.map((s) => s.customerId)).size,
        services: group.services.length,
      },
    };
    const d = await deps.decide(NOTIFICATION_POLICY, input, { component: 'assurance', networkEventId: change.alarmKey });
    const parsed = notificationDecisionSchema.safeParse(d.result);
    if (!parsed.success) {
      // An undefined or malformed policy result must not silence an outage: notify, loudly logged.
      deps.logger.error({ decisionId: d.decision_id, result: d.result }, 'notification policy gave no usable decision; notifying individually at once');
      return { decision: { notify: true, mode: 'individual', priority: 'high', delayMs: 0, reasons: ['policy result unusable'] }, decisionId: d.decision_id };
    }
    return { decision: parsed.data, decisionId: d.decision_id };
  }

  /** The notifications a change produces, without sending them. */
  async function plan(change: ProblemChange): Promise<{ outgoing: Outgoing[]; groups: number; suppressed: number }> {
    const groups = groupForNotification(change.services);
    const decided = await Promise.all(groups.map(async (g) => ({ group: g, ...(await decideGroup(change, g)) })));
    const at = now().toISOString();
    const eventType = change.kind === 'raised' ? 'ServiceProblemCreateEvent' : 'ServiceProblemStateChangeEvent';
    // A customer told individually gets ONE notice even when its services sit in several areas.
    const recipients = new Map<string, { tenant: string; services: ImpactedService[]; decision: NotificationDecision; decisionId: string }>();
    let suppressed = 0;
    for (const { group, decision, decisionId } of decided) {
      if (!decision.notify) {
        suppressed += group.services.length;
        continue;
      }
      const targets =
        decision.mode === 'individual'
          ? [...byCustomer(group.services)].map(([customerId, services]) => ({ key: `${group.tenant}:customer:${customerId}`, services }))
          : [{ key: `${group.tenant}:area:${group.customerType}:${group.slaTier}:${group.area}`, services: group.services }];
      for (const t of targets) {
        const held = recipients.get(t.key);
        if (!held) {
          recipients.set(t.key, { tenant: group.tenant, services: [...t.services], decision, decisionId });
          continue;
        }
        held.services.push(...t.services);
        if (PRIORITY_RANK[decision.priority] < PRIORITY_RANK[held.decision.priority]) Object.assign(held, { decision, decisionId });
        held.decision = { ...held.decision, delayMs: Math.min(held.decision.delayMs, decision.delayMs) };
      }
    }
    const outgoing: Outgoing[] = [...recipients].map(([key, r]) => {
      const eventId = `problem:${change.problem.id}:${change.kind}:${key}`;
      return {
        messageId: eventId,
        tenant: r.tenant,
        delayMs: r.decision.delayMs,
        event: {
          eventId,
          eventTime: at,
          eventType,
          tenant: r.tenant,
          notification: { mode: r.decision.mode, priority: r.decision.priority, decisionId: r.decisionId },
          alarmEventTime: change.alarmEventTime,
          event: { serviceProblem: serviceProblem(change.problem, r.services, r.decision.priority, at) },
        },
      };
    });
    return { outgoing, groups: groups.length, suppressed };
  }

  const toTenant = async (o: Pick<Outgoing, 'messageId' | 'tenant' | 'event'>) => {
    await deps.publish(deps.subjects.tenantProblems(o.tenant), o.event, { messageId: o.messageId, correlationId: o.event.alarmEventTime });
    // Wall clock, not `now`: this is the latency the tenant sees (event time is the network's clock).
    const seconds = (Date.now() - Date.parse(o.event.alarmEventTime)) / 1000;
    if (Number.isFinite(seconds)) deps.metrics?.alarmToNotification.observe({ priority: o.event.notification.priority }, Math.max(0, seconds));
  };
  const toHub = (o: Pick<Outgoing, 'messageId' | 'tenant' | 'event'>) =>
    // The hub's outbound shape ({eventType, event: the full TMF event with its eventId}); tenant-scoped
    // (no orderId): the hub fans it out to the tenant's subscriptions, the problem id orders delivery.
    deps.publish(deps.hubSubject, { eventType: o.event.eventType, event: o.event, tenant: o.tenant, problemId: o.event.event.serviceProblem.id }, { messageId: `hub:${o.messageId}` });

  async function send(o: Pick<Outgoing, 'messageId' | 'tenant' | 'event'>): Promise<void> {
    await Promise.all([toTenant(o), toHub(o)]);
  }

  return {
    plan,
    send,
    /**
     * Decides and sends (or queues, in `trx`'s outbox) the notifications of one change. Publishing
     * is pipelined: thousands of individual notices go out together, not one round trip each.
     */
    async notify(change: ProblemChange, trx: Kysely<Database> | Transaction<Database>): Promise<NotifySummary> {
      const { outgoing, groups, suppressed } = await plan(change);
      const immediate = outgoing.filter((o) => o.delayMs === 0);
      const delayed = outgoing.filter((o) => o.delayMs > 0);
      if (delayed.length) {
        const base = now().getTime();
        await trx
          .insertInto('assurance_outbox')
          .values(delayed.map((o) => ({ id: o.messageId, subject: deps.subjects.tenantProblems(o.tenant), payload: JSON.stringify(o.event), due_at: new Date(base + o.delayMs) })))
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
      // Tenants' subjects first (the latency that matters), then the hub's copies.
      for (let i = 0; i < immediate.length; i += 4_000) await Promise.all(immediate.slice(i, i + 4_000).map(toTenant));
      for (let i = 0; i < immediate.length; i += 4_000) await Promise.all(immediate.slice(i, i + 4_000).map(toHub));
      return { groups, published: immediate.length, delayed: delayed.length, suppressed };
    },
    /** Sends the outbox's due notifications; returns how many. */
    async flushOutbox(db: Kysely<Database>, at: Date = now()): Promise<number> {
      const due = await db.selectFrom('assurance_outbox').selectAll().where('sent_at', 'is', null).where('due_at', '<=', at).orderBy('due_at').limit(1_000).execute();
      for (const row of due) {
        const event = row.payload as ServiceProblemEvent;
        await send({ messageId: row.id, tenant: event.tenant, event });
        await db.updateTable('assurance_outbox').set({ sent_at: at }).where('id', '=', row.id).execute();
      }
      return due.length;
    },
  };
}
export type Notifier = ReturnType<typeof createNotifier>;
