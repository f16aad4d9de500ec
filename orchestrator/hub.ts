/**
 * TMF641 hub notifications. A fan-out consumer on the outbound notifications stream writes each
 * event into a per-subscription outbox (once per subscription and event id); a delivery loop
 * POSTs outbox heads to the callbacks:
 *  - in order per order id (per problem id for service-problem events): an event waits while an
 *    earlier one with the same key is pending;
 *  - signed: `X-Junction-Signature: v1=<hex HMAC-SHA256(secret, "<X-Junction-Timestamp>.<body>")>`,
 *    with `X-Junction-Event-Id` for the receiver's deduplication (gateway/hardening/webhooks.ts);
 *  - only to addresses the webhook rules allow, checked on the address connected to;
 *  - at least once, retried with exponential backoff; after `maxAttempts` failures the
 *    subscription is parked and its backlog kept (nothing is dropped).
 */
import { sql, type Kysely } from 'kysely';
import type { Bus } from '../platform/bus/bus.js';
import { ensureConsumer } from '../platform/bus/bus.js';
import type { RunningConsumer } from '../platform/bus/consume.js';
import { startBatchConsumer } from '../platform/bus/batch-consume.js';
import { ungroup } from '../platform/bus/group-publish.js';
import type { ConsumerSpec } from '../platform/bus/subjects.js';
import type { Database } from '../platform/db/schema.js';
import type { Logger } from '../platform/logger.js';
import { deliverWebhook, type WebhookRules } from '../gateway/hardening/webhooks.js';
import type { Resolver } from '../gateway/hardening/webhooks.js';
import type { TmfEvent } from './events.js';

export function hubConsumerSpec(bus: Pick<Bus, 'namespace' | 'topology' | 'subjects'>): ConsumerSpec {
  return {
    stream: bus.topology.streams.notifications.name,
    name: `${bus.namespace}_hub_fanout`,
    description: 'Hub: fans TMF641 events out to subscription outboxes',
    filterSubject: bus.subjects.notifications.outbound,
    ackWaitMs: 30_000,
    maxDeliver: 20,
  };
}

/** A subscription's TMF `query`: `eventType=A,B` (anything else: every event). */
export function matchesQuery(query: string | null, eventType: string): boolean {
  const m = /(?:^|&)eventType=([^&]+)/.exec(query ?? '');
  return !m || m[1]!.split(',').map((s) => decodeURIComponent(s.trim())).includes(eventType);
}

/**
 * An outbound event: order events carry their orderId (the tenant is the order's); assurance's
 * service-problem events carry their tenant and problemId instead.
 */
interface OutboundPayload {
  eventType: string;
  event: TmfEvent;
  orderId?: string;
  tenant?: string;
  problemId?: string;
}

/** Events with one ordering key (an order, or a service problem) are delivered in order. */
function orderingKey(p: OutboundPayload): string | undefined {
  return p.orderId ?? (p.problemId ? `problem:${p.problemId}` : undefined);
}

/**
 * Order tenants never change, so a bounded memo spares the fan-out a lookup per event (an order
 * raises several events in a row).
 */
export function orderTenantCache(db: Kysely<Database>, capacity = 10_000) {
  const known = new Map<string, string>();
  return async function tenantsOf(orderIds: string[]): Promise<Map<string, string>> {
    const missing = [...new Set(orderIds.filter((id) => !known.has(id)))];
    if (missing.length) {
      const rows = await db.selectFrom('service_orders').select(['id', 'tenant']).where('id', 'in', missing).execute();
      for (const r of rows) {
        if (known.size >= capacity) known.delete(known.keys().next().value!); // oldest first
        known.set(r.id, r.tenant);
      }
    }
    return new Map(orderIds.flatMap((id) => (known.has(id) ? [[id, known.get(id)!] as const] : [])));
  };
}

/**
 * Writes a batch of events into the outboxes of their tenants' matching subscriptions, in batch
 * order (so per-key order is the stream's order), in one statement. Subscriptions are read at
 * fan-out time: an event reaches every subscription that exists when it is fanned out.
 * Returns the number of outbox rows (new or already there).
 */
export async function fanOut(
  db: Kysely<Database>,
  payloads: OutboundPayload[],
  tenantsOf: (orderIds: string[]) => Promise<Map<string, string>> = orderTenantCache(db),
): Promise<number> {
  const orderTenants = await tenantsOf(payloads.flatMap((p) => (p.orderId ? [p.orderId] : [])));
  const routed = payloads.flatMap((p) => {
    const tenant = p.orderId ? orderTenants.get(p.orderId) : p.tenant;
    const key = orderingKey(p);
    return tenant && key ? [{ p, tenant, key }] : [];
  });
  if (routed.length === 0) return 0;
  const subs = await db
    .selectFrom('hub_subscriptions')
    .select(['id', 'tenant', 'query'])
    .where('tenant', 'in', [...new Set(routed.map((r) => r.tenant))])
    .orderBy('created_at')
    .execute();
  const rows = routed.flatMap(({ p, tenant, key }) =>
    subs
      .filter((s) => s.tenant === tenant && matchesQuery(s.query, p.eventType))
      .map((s) => ({
        subscription_id: s.id,
        order_id: key, // the ordering key: order id, or problem:<id> for service-problem events
        event_id: p.event.eventId,
        event_type: p.eventType,
        body: JSON.stringify(p.event),
      })),
  );
  if (rows.length === 0) return 0;
  await db.insertInto('hub_outbox').values(rows).onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing()).execute();
  return rows.length;
}

export interface HubDeliveryOptions {
  intervalMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Which callback addresses may be called (checked on the address connected to). */
  rules?: WebhookRules;
  /** Host resolution for deliveries (tests). */
  resolve?: Resolver;
}

/** One pass: deliver every due outbox head; returns how many were delivered. */
export async function deliverDue(db: Kysely<Database>, logger: Logger, o: Required<Omit<HubDeliveryOptions, 'resolve'>> & Pick<HubDeliveryOptions, 'resolve'>): Promise<number> {
  const heads = await sql<{ seq: string; subscription_id: string; event_id: string; body: unknown; attempts: number; callback: string; secret: string }>`
    select o.seq, o.subscription_id, o.event_id, o.body, o.attempts, s.callback, s.secret
    from hub_outbox o join hub_subscriptions s on s.id = o.subscription_id
    where o.status = 'pending' and s.state = 'active' and o.next_attempt_at <= now()
      and not exists (
        select 1 from hub_outbox p
        where p.subscription_id = o.subscription_id and p.order_id = o.order_id and p.status = 'pending' and p.seq < o.seq)
    order by o.seq limit 100`.execute(db);
  let delivered = 0;
  await Promise.all(
    heads.rows.map(async (h) => {
      const body = JSON.stringify(h.body);
      const outcome = await deliverWebhook(h.callback, body, {
        secret: h.secret,
        eventId: h.event_id,
        timeoutMs: o.timeoutMs,
        rules: o.rules,
        ...(o.resolve ? { resolve: o.resolve } : {}),
      });
      const error = outcome.delivered ? undefined : outcome.reason;
      if (!error) {
        await db.updateTable('hub_outbox').set({ status: 'delivered', attempts: h.attempts + 1, last_error: null }).where('seq', '=', h.seq).execute();
        delivered++;
        return;
      }
      const attempts = h.attempts + 1;
      const delay = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempts - 1));
      await db
        .updateTable('hub_outbox')
        .set({ attempts, last_error: error, next_attempt_at: new Date(Date.now() + delay) })
        .where('seq', '=', h.seq)
        .execute();
      if (attempts >= o.maxAttempts) {
        const reason = `${attempts} failed deliveries of ${h.event_id}: ${error}`;
        await db.updateTable('hub_subscriptions').set({ state: 'parked', parked_reason: reason }).where('id', '=', h.subscription_id).execute();
        logger.warn({ subscription: h.subscription_id, reason }, 'hub subscription parked with its backlog');
      }
    }),
  );
  return delivered;
}

/** How long the fan-out waits for more events once one arrived (well below the delivery interval). */
const FANOUT_LINGER_MS = 20;

export interface RunningHub {
  stop(): Promise<void>;
}

export async function startHub(deps: { db: Kysely<Database>; bus: Bus; logger: Logger }, options: HubDeliveryOptions = {}): Promise<RunningHub> {
  const o: Parameters<typeof deliverDue>[2] = {
    intervalMs: options.intervalMs ?? 250,
    maxAttempts: options.maxAttempts ?? 8,
    baseDelayMs: options.baseDelayMs ?? 1_000,
    maxDelayMs: options.maxDelayMs ?? 5 * 60_000,
    timeoutMs: options.timeoutMs ?? 5_000,
    rules: options.rules ?? {},
    ...(options.resolve ? { resolve: options.resolve } : {}),
  };
  const log = deps.logger.child({ component: 'hub' });
  const spec = hubConsumerSpec(deps.bus);
  await ensureConsumer(deps.bus.jsm, spec);
  const tenantsOf = orderTenantCache(deps.db);
  // Batches: under load one fan-out statement serves many events (a busy orchestrator raises
  // several per order). A short linger lets a batch fill: deliveries run every intervalMs anyway.
  const consumer: RunningConsumer = await startBatchConsumer(
    deps.bus,
    spec,
    async (messages) => {
      // Order events name their order; assurance's (service problems, SLA credits) name their tenant.
      const payloads = messages
        .flatMap((m) => ungroup(m.data) as OutboundPayload[])
        .filter((p) => typeof p?.event?.eventId === 'string' && (typeof p.orderId === 'string' || typeof p.tenant === 'string'));
      if (payloads.length) await fanOut(deps.db, payloads, tenantsOf);
    },
    log,
    { maxBatch: 200, lingerMs: FANOUT_LINGER_MS },
  );
  let stopping = false;
  let pass: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (stopping || pass) return; // one pass at a time; a slow one just delays the next
    pass = deliverDue(deps.db, log, o)
      .catch((err) => log.warn({ err }, 'hub delivery pass failed'))
      .finally(() => (pass = undefined));
  }, o.intervalMs);
  return {
    async stop() {
      stopping = true;
      clearInterval(timer);
      await consumer.stop();
      await pass;
    },
  };
}
