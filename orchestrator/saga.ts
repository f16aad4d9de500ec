/**
 * The order saga: acknowledged → inProgress → entitlement → feasibility + reservation →
 * decomposition → provisioning in DAG order → verification → completed (or rejected / failed with
 * compensation). Every step's outcome is in Postgres before the next starts, so a redelivered
 * message (after a crash) resumes where the last run stopped; adapter calls carry idempotency keys
 * derived from order, item and action, so nothing is configured twice.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AdapterResult } from '../adapters/contract.js';
import type { AdapterRegistry } from '../adapters/runtime/registry.js';
import type { CatalogReader } from '../catalog/store.js';
import { mergeCharacteristics, resolveCharacteristics, topologicalOrder, type ServiceSpecification } from '../catalog/spec.js';
import { resolveTemplate, TemplateError } from '../catalog/template.js';
import type { Bus } from '../platform/bus/bus.js';
import type { Database } from '../platform/db/schema.js';
import { statementBatch } from '../platform/db/statement-batch.js';
import type { Logger } from '../platform/logger.js';
import type { PolicyEngine } from '../policies/engine/index.js';
import { settleCancellation, type CancelServiceOrderBody } from './cancellation.js';
import { applyModifyReservations, itemReserver, releaseReservations, reserveModify, serviceReservations, type ReservationOutcome, type Reserved } from './inventory.js';
import {
  customerOf,
  serviceHref,
  serviceIdFor,
  siteOf,
  TERMINAL_ORDER_STATES,
  WAITING_ORDER_STATES,
  type ErrorMessage,
  type Milestone,
  type OrderItem,
  type ServiceOrderBody,
} from './order-model.js';
import { orderRound, REENTRANT_MILESTONES, type OrderEvents } from './events.js';
import { keepingJeopardyAlert, orderBodyValue } from './jeopardy.js';
import { ruleOf, type OrderMetrics } from './metrics.js';

export type Adapters = Pick<AdapterRegistry, 'apply' | 'rollback' | 'verify'>;

export interface SagaDeps {
  db: Kysely<Database>;
  engine: Pick<PolicyEngine, 'decide'>;
  adapters: Adapters;
  catalog: CatalogReader;
  events: OrderEvents;
  logger: Logger;
  now?: () => Date;
  /** How long reservations live if the order dies before activation. */
  reservationTtlMs?: number;
  /** Deadline for one adapter call (all its retries). */
  adapterTimeoutMs?: number;
  metrics?: OrderMetrics;
  /** Called after capacity was given back (a failed, cancelled or deleted order, a smaller modify): held orders may now fit. */
  onCapacityFreed?: () => void;
}

class CancelledFirst extends Error {}

/** An action the adapter applied, with its answer (not yet recorded). */
type Applied = { a: PlannedAction; result: AdapterResult };

/** Action outcomes as order_actions rows (without order, status and time). */
function markRows(marked: Array<{ a: PlannedAction; result: unknown }>) {
  return marked.map(({ a, result }) => ({ item: a.itemId, action_id: a.actionId, seq: a.seq, action: a.action, result }));
}

/** The statement recording actions' outcomes: their rows upserted with status and result. */
function actionMarks(orderId: string, status: string, marked: Array<{ a: PlannedAction; result: unknown }>, at: Date) {
  const rows = markRows(marked);
  return sql`
    insert into order_actions (order_id, order_item_id, action_id, seq, status, action, result, updated_at)
    select ${orderId}, r.item, r.action_id, r.seq, ${status}, r.action, r.result, ${at}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(item text, action_id text, seq int, action jsonb, result jsonb)
    on conflict (order_id, order_item_id, action_id) do update set status = excluded.status, result = excluded.result, updated_at = excluded.updated_at`;
}

type CustomerRow = Selectable<Database['customers']>;

/** An add order's completion, as the batched statement takes it. */
interface CompletingOrder {
  orderId: string;
  tenant: string;
  customerId: string;
  state: string;
  body: ServiceOrderBody;
  at: Date;
  services: Array<{ id: string; item: string; specification: string; version: number; site: string; characteristics: Record<string, unknown> }>;
  marks: ReturnType<typeof markRows>;
}

/** How often a running provisioning asks whether its order was cancelled meanwhile. */
const CANCELLATION_POLL_MS = 250;

/** An adapter call that took at least this long has its success recorded at once (not with the item's others). */
const PROGRESS_RECORD_MS = 100;

/** The service a modify changes was terminated (a delete won) before the modify could complete. */
class ServiceGone extends Error {}

/** A failure the saga may retry later (the message is redelivered). */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

interface PlannedAction {
  itemId: string;
  actionId: string;
  seq: number;
  dependsOn: string[];
  action: { id: string; domain: string; operation: 'create' | 'modify' | 'delete'; target: { id: string; type: string }; parameters: Record<string, unknown> };
  resources: string[];
}

interface ItemPlan {
  item: OrderItem;
  spec: ServiceSpecification;
  site: string;
  characteristics: Record<string, number | string>;
  serviceId: string;
  /** modify items: the active service's characteristics before the change. */
  previous?: Record<string, number | string>;
}

/** `optional`: an optional action's failure, which a catalog allowing partial completion tolerates. */
type Failure = { code: string; reason: string; itemId?: string; optional?: boolean; actionId?: string };

/** What reserveAll took: each item's reservations by catalog key, and the state of every resource reserved (when known). */
interface ReservedItems {
  byItem: Map<string, Record<string, Reserved>>;
  resourceStates: Map<string, string>;
}

/** Data the order lacks; it waits `pending` until the BSS supplies it (PATCH). */
type Missing = { fieldPath: string; reason: string; itemId: string };

type ActionOperation = PlannedAction['action']['operation'];

/** How an item kind (add / modify) takes capacity, decomposes and lands in the inventory. */
interface ItemFlow {
  kind: 'add' | 'modify';
  reserve(p: ItemPlan): Promise<ReservationOutcome>;
  actions(p: ItemPlan, reservations: Record<string, Reserved>): PlannedAction[];
  /**
   * Lands the items in the inventory and stores the order (already `completed` / `partial` in
   * `body`) atomically, unless a cancellation was marked on the order first; records the applied
   * actions not recorded yet either way (a cancellation compensates them). Returns whether it
   * landed and the capacity units given back.
   */
  complete(body: ServiceOrderBody, plans: ItemPlan[], customerId: string, at: Date, applied: Applied[]): Promise<{ done: boolean; freed: number }>;
  /** After the commit: tell billing. */
  bill(p: ItemPlan, customerId: string, at: Date, correlationId?: string): Promise<void>;
}

export interface SagaRun {
  /** Runs (or resumes) the order's saga; resolves to its final state, or undefined when no such order is stored. */
  (orderId: string, context: { correlationId?: string; finalAttempt: boolean }): Promise<string | undefined>;
}

export function createSaga(deps: SagaDeps): SagaRun {
  const now = deps.now ?? (() => new Date());
  const ttl = deps.reservationTtlMs ?? 10 * 60_000;
  const adapterTimeoutMs = deps.adapterTimeoutMs ?? 20_000;
  const { db } = deps;
  const reserveItemBatched = itemReserver(db);

  /** The order with its customer (as stored now), in one read. */
  async function load(orderId: string) {
    const row = await db
      .selectFrom('service_orders as o')
      .leftJoin('customers as c', (j) => j.onRef('c.tenant', '=', 'o.tenant').onRef('c.id', '=', 'o.customer_id'))
      .selectAll('o')
      .select(sql<CustomerRow | null>`to_jsonb(c)`.as('customer'))
      .where('o.id', '=', orderId)
      .executeTakeFirst();
    return row ? { ...row, body: row.body as ServiceOrderBody } : undefined;
  }

  async function save(orderId: string, body: ServiceOrderBody, extra: { completion?: boolean } = {}) {
    await db
      .updateTable('service_orders')
      .set({
        state: body.state,
        body: orderBodyValue(body),
        updated_at: now(),
        ...(extra.completion ? { completion_date: now() } : {}),
      })
      .where('id', '=', orderId)
      .execute();
  }

  function errorMessage(orderId: string, status: string, failures: Failure[]): ErrorMessage[] {
    return failures.map((f) => ({
      code: f.code,
      reason: f.reason,
      message: f.reason,
      status,
      timestamp: now().toISOString(),
      ...(f.itemId ? { serviceOrderItem: [{ id: f.itemId, itemId: f.itemId, serviceOrderId: orderId, '@type': 'ServiceOrderItemRef' }] } : {}),
      '@type': 'ServiceOrderErrorMessage' as const,
    }));
  }

  async function finish(orderId: string, body: ServiceOrderBody, state: 'rejected' | 'failed', failures: Failure[], correlationId?: string) {
    if ((await releaseReservations(db, orderId)) > 0) deps.onCapacityFreed?.();
    const from = body.state;
    body.state = state;
    body.completionDate = now().toISOString();
    body.errorMessage = errorMessage(orderId, state, failures);
    for (const item of body.serviceOrderItem) item.state = state;
    await save(orderId, body, { completion: true });
    observe(body, state);
    for (const f of failures.slice(0, 1)) deps.metrics?.fallout.inc({ code: f.code });
    await deps.events.stateChanged(body, from, correlationId);
    return state;
  }

  /**
   * A cancellation check for the provisioning of many actions: Postgres is asked at most every
   * CANCELLATION_POLL_MS (the saga checked just before provisioning), so a fast network is not
   * slowed by a query per action, and a slow one still stops soon after a cancellation lands.
   * The saga checks again once provisioning ends, before it completes the order.
   */
  function cancellationPoll(orderId: string): () => Promise<string | undefined> {
    let checkedAt = Date.now();
    let found: Promise<string | undefined> | undefined;
    return async () => {
      if (found && (await found)) return found;
      if (Date.now() - checkedAt < CANCELLATION_POLL_MS) return undefined;
      checkedAt = Date.now();
      found = cancellationOf(orderId);
      return found;
    };
  }

  async function cancellationOf(orderId: string): Promise<string | undefined> {
    const row = await db.selectFrom('service_orders').select('cancellation_id').where('id', '=', orderId).executeTakeFirst();
    return row?.cancellation_id ?? undefined;
  }

  /** The cancellation path: undo what was done, release capacity, end the order `cancelled` and the request `done`. */
  async function cancel(orderId: string, body: ServiceOrderBody, cancellationId: string, correlationId?: string) {
    await compensate(orderId);
    if ((await releaseReservations(db, orderId)) > 0) deps.onCapacityFreed?.();
    const request = await db.selectFrom('cancel_service_orders').select('body').where('id', '=', cancellationId).executeTakeFirst();
    const reason = (request?.body as CancelServiceOrderBody | undefined)?.cancellationReason;
    const from = body.state;
    const at = now().toISOString();
    body.state = 'cancelled';
    body.cancellationDate = at;
    if (reason) body.cancellationReason = reason;
    for (const item of body.serviceOrderItem) item.state = 'cancelled';
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('service_orders')
        .set({ state: 'cancelled', body: orderBodyValue(body), completion_date: now(), updated_at: now() })
        .where('id', '=', orderId)
        .execute();
      await settleCancellation(trx, cancellationId, 'done', { effectiveCancellationDate: at });
    });
    observe(body, 'cancelled');
    deps.metrics?.fallout.inc({ code: 'cancelled' });
    await deps.events.stateChanged(body, from, correlationId);
    return 'cancelled';
  }

  /**
   * `delete` items: de-provision the service's actions (last first, each allowed by the
   * provisioning policy), release its inventory, terminate it, publish billing.stop. A failure
   * part-way leaves the order `failed` and counts it for manual handling (nothing to compensate:
   * re-creating half a service is not what the customer asked).
   */
  async function disconnect(tenant: string, body: ServiceOrderBody, correlationId?: string) {
    const orderId = body.id;
    const customerId = customerOf(body) ?? '';
    const targets: Array<{ item: OrderItem; service: NonNullable<Awaited<ReturnType<typeof loadService>>> }> = [];
    for (const item of body.serviceOrderItem) {
      const service = item.service.id ? await loadService(tenant, item.service.id) : undefined;
      if (!service || service.state !== 'active') {
        return finish(orderId, body, 'rejected', [{ code: 'not-found', reason: `service ${item.service.id ?? '(no id)'} is not an active service`, itemId: item.id }], correlationId);
      }
      if (service.customer_id !== customerId) {
        return finish(orderId, body, 'rejected', [{ code: 'entitlement', reason: `service ${service.id} does not belong to customer ${customerId}`, itemId: item.id }], correlationId);
      }
      const changing = await db.selectFrom('reservations').select('order_id').where('service_id', '=', service.id).where('status', '=', 'reserved').where('order_id', '!=', orderId).executeTakeFirst();
      if (changing) {
        return finish(orderId, body, 'rejected', [{ code: 'conflict', reason: `service ${service.id} is being changed by order ${changing.order_id}`, itemId: item.id }], correlationId);
      }
      targets.push({ item, service });
    }
    for (const { item, service } of targets) {
      const applied = await db
        .selectFrom('order_actions')
        .select(['action_id', 'seq', 'action'])
        .where('order_id', '=', service.order_id)
        .where('order_item_id', '=', service.order_item_id)
        .where('status', '=', 'applied')
        .orderBy('seq', 'desc')
        .execute();
      // What is configured now (a modify may have changed it since the service was created).
      const current = await currentParameters(service);
      const actions: PlannedAction[] = applied.map((a, seq) => {
        const original = a.action as PlannedAction['action'];
        const parameters = current.get(a.action_id) ?? original.parameters;
        return { itemId: item.id, actionId: a.action_id, seq, dependsOn: [], resources: [], action: { ...original, parameters, id: `${orderId}/${item.id}/${a.action_id}`, operation: 'delete' } };
      });
      if (actions.length) {
        await db
          .insertInto('order_actions')
          .values(actions.map((a) => ({ order_id: orderId, order_item_id: item.id, action_id: a.actionId, seq: a.seq, status: 'pending', action: JSON.stringify(a.action) })))
          .onConflict((oc) => oc.columns(['order_id', 'order_item_id', 'action_id']).doNothing())
          .execute();
      }
      const done = new Set(
        (await db.selectFrom('order_actions').select('action_id').where('order_id', '=', orderId).where('order_item_id', '=', item.id).where('status', '=', 'applied').execute()).map((r) => r.action_id),
      );
      const spec = await deps.catalog.get(service.specification, service.specification_version);
      const customer = await db.selectFrom('customers').select('sla_tier').where('tenant', '=', tenant).where('id', '=', customerId).executeTakeFirst();
      const slaTier = customer?.sla_tier ?? 'standard';
      const characteristics = service.characteristics as Record<string, unknown>;
      for (const a of actions) {
        if (done.has(a.actionId)) continue;
        const input = {
          action: a.action,
          order: { id: orderId, itemId: item.id, contractedBandwidthMbps: Number(characteristics.bandwidthMbps ?? 0), slaTier, qosClass: spec?.sla.qosClassByTier[slaTier] ?? null },
          resources: [],
          window: { hour_utc: now().getUTCHours() },
        };
        const d = await deps.engine.decide('junction/provisioning/decision', input, { component: 'orchestrator', orderId, customerId, requestId: correlationId });
        const verdict = d.result as { allow?: boolean; reasons?: string[] } | undefined;
        let failure: Failure | 'ok';
        if (verdict?.allow !== true) {
          await mark(orderId, a, 'denied', { decisionId: d.decision_id, reasons: verdict?.reasons ?? [] });
          for (const r of verdict?.reasons ?? []) deps.metrics?.policyDenials.inc({ policy: 'junction/provisioning', rule: ruleOf(r) });
          failure = { code: 'provisioning-denied', reason: `${a.actionId}: ${(verdict?.reasons ?? ['no decision']).join('; ')}`, itemId: item.id };
        } else {
          const result = await deps.adapters.apply(a.action, { idempotencyKey: `${orderId}/${item.id}/${a.actionId}`, deadline: Date.now() + adapterTimeoutMs });
          failure = await record(orderId, a, result);
        }
        if (failure !== 'ok') {
          deps.metrics?.manual.inc({ reason: 'disconnect-failed' });
          return finish(orderId, body, 'failed', [failure], correlationId);
        }
      }
    }
    const from = body.state;
    const at = now();
    await db.transaction().execute(async (trx) => {
      for (const { item, service } of targets) {
        await releaseReservations(trx, service.order_id, service.order_item_id);
        await trx.updateTable('services').set({ state: 'terminated', end_date: at, updated_at: at }).where('id', '=', service.id).execute();
        item.state = 'completed';
        item.service = { ...item.service, href: serviceHref(service.id), state: 'terminated' };
      }
      body.state = 'completed';
      body.completionDate = at.toISOString();
      await trx.updateTable('service_orders').set({ state: 'completed', body: orderBodyValue(body), completion_date: at, updated_at: at }).where('id', '=', orderId).execute();
    });
    observe(body, 'completed');
    deps.onCapacityFreed?.();
    await deps.events.stateChanged(body, from, correlationId);
    for (const { service } of targets) {
      await deps.events.billingStop(
        { serviceId: service.id, orderId, customerId, specification: service.specification, characteristics: service.characteristics as Record<string, unknown>, endDate: at.toISOString() },
        correlationId,
      );
    }
    return 'completed';
  }

  async function loadService(tenant: string, id: string) {
    return db.selectFrom('services').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
  }

  type ServiceRow = NonNullable<Awaited<ReturnType<typeof loadService>>>;

  /** The parameters of each of a service's actions as its current characteristics and reservations give them. */
  async function currentParameters(service: ServiceRow): Promise<Map<string, Record<string, unknown>>> {
    const spec = await deps.catalog.get(service.specification, service.specification_version);
    if (!spec) return new Map();
    const p: ItemPlan = {
      item: { id: service.order_item_id, action: 'add', state: 'completed', service: {}, '@type': 'ServiceOrderItem' },
      spec,
      site: service.site ?? '',
      characteristics: service.characteristics as Record<string, number | string>,
      serviceId: service.id,
    };
    try {
      const actions = decompose(p, (await serviceReservations(db, service.id)).byKey, service.order_id);
      return new Map(actions.map((a) => [a.actionId, a.action.parameters]));
    } catch (err) {
      if (err instanceof TemplateError) return new Map();
      throw err;
    }
  }

  function observe(body: ServiceOrderBody, outcome: string) {
    deps.metrics?.activation.observe({ outcome }, (now().getTime() - Date.parse(body.orderDate)) / 1000);
  }

  async function plan(tenant: string, body: ServiceOrderBody): Promise<ItemPlan[] | Failure[] | Missing> {
    const plans: ItemPlan[] = [];
    const failures: Failure[] = [];
    const kind = body.serviceOrderItem[0]?.action;
    for (const [index, item] of body.serviceOrderItem.entries()) {
      if (item.action !== kind || (item.action !== 'add' && item.action !== 'modify')) {
        const reason = item.action === 'add' || item.action === 'modify' || item.action === 'delete'
          ? `an order must not mix ${item.action} items with ${kind} items`
          : `order item action ${item.action} is not supported; only add, modify and delete`;
        failures.push({ code: 'unsupported', reason, itemId: item.id });
        continue;
      }
      if (item.action === 'modify') {
        const planned = await planModify(tenant, body, item);
        if ('code' in planned) failures.push(planned);
        else plans.push(planned);
        continue;
      }
      const name = item.service.serviceSpecification?.id ?? '';
      const version = item.service.serviceSpecification?.version;
      const spec = await deps.catalog.get(name, version ? Number(version) : undefined);
      if (!spec) {
        failures.push({ code: 'catalog', reason: `service specification ${name} is not in the catalog`, itemId: item.id });
        continue;
      }
      const at = `serviceOrderItem[${index}].service`;
      const site = siteOf(item);
      if (!site) return { fieldPath: `${at}.place`, reason: 'the item names no site (service.place)', itemId: item.id };
      const ch = resolveCharacteristics(spec, item.service.serviceCharacteristic ?? []);
      if ('error' in ch && ch.missing) return { fieldPath: `${at}.serviceCharacteristic`, reason: ch.error, itemId: item.id };
      if ('error' in ch) {
        failures.push({ code: 'catalog', reason: ch.error, itemId: item.id });
        continue;
      }
      plans.push({ item, spec, site, characteristics: ch.values, serviceId: serviceIdFor(body.id, item.id) });
    }
    return failures.length ? failures : plans;
  }

  /** A modify item: the active service it changes, with its characteristics after the change (the catalog version it was built with). */
  async function planModify(tenant: string, body: ServiceOrderBody, item: OrderItem): Promise<ItemPlan | Failure> {
    const service = item.service.id ? await loadService(tenant, item.service.id) : undefined;
    if (!service || service.state !== 'active') return { code: 'not-found', reason: `service ${item.service.id ?? '(no id)'} is not an active service`, itemId: item.id };
    if (service.customer_id !== customerOf(body)) return { code: 'entitlement', reason: `service ${service.id} does not belong to customer ${customerOf(body) ?? '(none)'}`, itemId: item.id };
    const spec = await deps.catalog.get(service.specification, service.specification_version);
    if (!spec) return { code: 'catalog', reason: `service specification ${service.specification} v${service.specification_version} is not in the catalog`, itemId: item.id };
    const previous = service.characteristics as Record<string, number | string>;
    const ch = resolveCharacteristics(spec, mergeCharacteristics(previous, item.service.serviceCharacteristic ?? []));
    if ('error' in ch) return { code: 'catalog', reason: ch.error, itemId: item.id };
    return { item, spec, site: service.site ?? '', characteristics: ch.values, serviceId: service.id, previous };
  }

  /** The entitlement decision per item; the customer's SLA tier comes along for provisioning. */
  async function entitlement(tenant: string, body: ServiceOrderBody, plans: ItemPlan[], loaded: CustomerRow | null, correlationId?: string): Promise<{ failures: Failure[]; slaTier: string }> {
    const customerId = customerOf(body);
    // The customer read with the order, unless a PATCH pointed the order at another one since.
    const customer =
      loaded && loaded.id === customerId
        ? loaded
        : customerId
          ? await db.selectFrom('customers').selectAll().where('tenant', '=', tenant).where('id', '=', customerId).executeTakeFirst()
          : undefined;
    if (!customer) return { failures: [{ code: 'entitlement', reason: `customer ${customerId ?? '(none)'} is not known` }], slaTier: 'standard' };
    const failures: Failure[] = [];
    await Promise.all(
      plans.map(async (p) => {
        const input = {
          customer: { id: customer.id, type: customer.type, status: customer.status, slaTier: customer.sla_tier, sites: customer.sites },
          item: { id: p.item.id, action: p.item.action, specification: p.spec.name, site: p.site, characteristics: p.characteristics },
          order: { id: body.id, externalId: body.externalId ?? null },
        };
        const d = await deps.engine.decide('junction/entitlement/decision', input, { component: 'orchestrator', orderId: body.id, customerId: customer.id, requestId: correlationId });
        const result = d.result as { allow?: boolean; reasons?: string[] } | undefined;
        if (result?.allow !== true) {
          const reasons = result?.reasons?.length ? result.reasons : ['entitlement policy gave no decision'];
          for (const r of [...reasons].sort()) {
            failures.push({ code: 'entitlement', reason: r, itemId: p.item.id });
            deps.metrics?.policyDenials.inc({ policy: 'junction/entitlement', rule: ruleOf(r) });
          }
        }
      }),
    );
    return { failures, slaTier: customer.sla_tier ?? 'standard' };
  }

  function decompose(p: ItemPlan, reservations: Record<string, Reserved>, orderId: string, operation: ActionOperation = 'create'): PlannedAction[] {
    const context = {
      characteristic: p.characteristics,
      reservation: reservations,
      service: { id: p.serviceId },
      order: { id: orderId },
      item: { id: p.item.id },
      site: { id: p.site },
    };
    return topologicalOrder(p.spec.actions, p.spec.name).map((a, seq) => ({
      itemId: p.item.id,
      actionId: a.id,
      seq,
      dependsOn: a.dependsOn,
      action: {
        id: `${orderId}/${p.item.id}/${a.id}`,
        domain: a.domain,
        operation,
        target: { id: `${p.serviceId}-${a.id}`, type: a.targetType },
        parameters: resolveTemplate(a.parameters, context) as Record<string, unknown>,
      },
      // Resources this action touches: the reservations its parameters refer to.
      resources: Object.values(reservations)
        .filter((r) => JSON.stringify(a.parameters).includes(`reservation.${r.key}.`))
        .flatMap((r) => r.resourceIds),
    }));
  }

  /**
   * A modify item's actions: those whose parameters the change alters (the rest of the service
   * is left alone), as `modify` with the parameters before the change as rollback hints.
   */
  function modifyActions(p: ItemPlan, reservations: Record<string, Reserved>, orderId: string): PlannedAction[] {
    const before = new Map(decompose({ ...p, characteristics: p.previous ?? {} }, reservations, orderId, 'modify').map((a) => [a.actionId, a.action.parameters]));
    const changed = decompose(p, reservations, orderId, 'modify').filter((a) => JSON.stringify(before.get(a.actionId)) !== JSON.stringify(a.action.parameters));
    const ids = new Set(changed.map((a) => a.actionId));
    return changed.map((a) => ({
      ...a,
      dependsOn: a.dependsOn.filter((d) => ids.has(d)),
      action: { ...a.action, rollback: { parameters: before.get(a.actionId) ?? {} } },
    }));
  }

  /** Provisions an item's actions in DAG order; an optional action's failure is `skipped` when the catalog allows partial completion. */
  async function provisionItem(
    orderId: string,
    customerId: string,
    slaTier: string,
    p: ItemPlan,
    actions: PlannedAction[],
    status: Map<string, string>,
    knownStates: Map<string, string>,
    firstRun: boolean,
    correlationId?: string,
  ): Promise<{ failure?: Failure; skipped: Failure[]; applied: Applied[] }> {
    const qosClass = p.spec.sla.qosClassByTier[slaTier];
    // The state of every resource the item's actions touch (maintenance, say), for the policy: as
    // the reservation read it on the locked rows, else read once now.
    const touched = [...new Set(actions.flatMap((a) => a.resources))];
    const resourceRows = touched.every((id) => knownStates.has(id))
      ? touched.map((id) => ({ id, state: knownStates.get(id)! }))
      : await db.selectFrom('resources').select(['id', 'state']).where('id', 'in', touched).execute();
    // Fast successes are recorded together once the item's provisioning ends (one statement, not
    // one per action); a slow one (a real network) at once, so operators watch progress as it
    // happens. Should the process die before a success is recorded, the resumed run applies it
    // again with the same idempotency key and the adapter answers from its idempotency record.
    const applied: Applied[] = [];
    const cancelled = cancellationPoll(orderId);
    const contracted = Number(p.characteristics.bandwidthMbps ?? 0);
    const outcome = new Map<string, Promise<Failure | 'ok'>>();
    const optional = new Set(p.spec.partialCompletion ? p.spec.actions.filter((a) => a.optional).map((a) => a.id) : []);

    const attempt = async (a: PlannedAction): Promise<Failure | 'ok'> => {
      const before = await Promise.all(a.dependsOn.map((d) => outcome.get(d)!));
      const blocked = before.find((b) => b !== 'ok');
      if (blocked) return blocked;
      if (status.get(a.actionId) === 'applied') return 'ok';
      if (await cancelled()) return { code: 'cancelled', reason: 'the order was cancelled', itemId: a.itemId };
      const resources = resourceRows.filter((r) => a.resources.includes(r.id));
      const input = {
        action: a.action,
        order: { id: orderId, itemId: a.itemId, contractedBandwidthMbps: contracted, slaTier, qosClass: qosClass ?? null },
        resources,
        window: { hour_utc: now().getUTCHours() },
      };
      const d = await deps.engine.decide('junction/provisioning/decision', input, { component: 'orchestrator', orderId, customerId, requestId: correlationId });
      const verdict = d.result as { allow?: boolean; reasons?: string[] } | undefined;
      if (verdict?.allow !== true) {
        await mark(orderId, a, 'denied', { decisionId: d.decision_id, reasons: verdict?.reasons ?? [] });
        for (const r of verdict?.reasons ?? []) deps.metrics?.policyDenials.inc({ policy: 'junction/provisioning', rule: ruleOf(r) });
        return { code: 'provisioning-denied', reason: `${a.actionId}: ${(verdict?.reasons ?? ['no decision']).join('; ')}`, itemId: a.itemId };
      }
      const calledAt = Date.now();
      const result = await deps.adapters.apply(a.action, {
        idempotencyKey: `${orderId}/${a.itemId}/${a.actionId}`,
        deadline: calledAt + adapterTimeoutMs,
        firstUse: firstRun,
      });
      if (result.status === 'success' && Date.now() - calledAt < PROGRESS_RECORD_MS) {
        applied.push({ a, result });
        return 'ok';
      }
      return record(orderId, a, result);
    };
    const run = async (a: PlannedAction): Promise<Failure | 'ok'> => {
      const r = await attempt(a);
      return r !== 'ok' && optional.has(a.actionId) ? { ...r, optional: true, actionId: a.actionId } : r;
    };
    for (const a of actions) outcome.set(a.actionId, run(a));
    const results = await Promise.allSettled(outcome.values());
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) {
      await markApplied(orderId, applied);
      throw rejected.reason;
    }
    const settled = results.map((r) => (r as PromiseFulfilledResult<Failure | 'ok'>).value);
    const failure = settled.find((r): r is Failure => r !== 'ok' && !r.optional);
    const skipped = settled.filter((r): r is Failure => r !== 'ok' && r.optional === true);
    return failure ? { failure, skipped, applied } : { skipped, applied };
  }

  /** Post-provisioning verification: the network holds what was configured (skipped optional actions aside). */
  async function verifyItem(actions: PlannedAction[], skipped: Failure[]): Promise<Failure | undefined> {
    const missing = new Set(skipped.map((f) => f.actionId));
    for (const a of actions) {
      if (missing.has(a.actionId)) continue;
      const v = await deps.adapters.verify({ domain: a.action.domain, target: a.action.target, expected: a.action.parameters }, { deadline: Date.now() + adapterTimeoutMs });
      if (v.status === 'transient') throw new RetryLater(`verify ${a.actionId}: ${v.reason}`);
      if (v.status !== 'in-sync') return { code: 'verification', reason: `${a.actionId} did not verify: ${v.reason}`, itemId: a.itemId };
    }
    return undefined;
  }

  /** Records an action's outcome (its row is created if the run did not store the plan first). */
  async function mark(orderId: string, a: PlannedAction, status: string, result: unknown) {
    await markActions(orderId, status, [{ a, result }]);
  }

  /** Marks actions applied with the adapters' answers, in one statement. */
  async function markApplied(orderId: string, applied: Applied[]) {
    await markActions(orderId, 'applied', applied);
  }

  /** Sets the actions' status and result in one statement, creating the rows a first run did not store beforehand. */
  async function markActions(orderId: string, status: string, marked: Array<{ a: PlannedAction; result: unknown }>) {
    if (marked.length === 0) return;
    await actionMarks(orderId, status, marked, now()).execute(db);
  }

  async function record(orderId: string, a: PlannedAction, result: AdapterResult): Promise<Failure | 'ok'> {
    if (result.status === 'success') {
      await mark(orderId, a, 'applied', result);
      return 'ok';
    }
    if (result.status === 'transient') throw new RetryLater(`${a.actionId}: ${result.reason}`);
    await mark(orderId, a, 'failed', result);
    return { code: result.code ?? 'permanent', reason: `${a.actionId}: ${result.reason}`, itemId: a.itemId };
  }

  /** Rolls back every applied action of the order, last applied first. */
  async function compensate(orderId: string): Promise<void> {
    const applied = await db
      .selectFrom('order_actions')
      .selectAll()
      .where('order_id', '=', orderId)
      .where('status', '=', 'applied')
      .orderBy('order_item_id', 'desc')
      .orderBy('seq', 'desc')
      .execute();
    for (const row of applied) {
      const action = row.action as PlannedAction['action'];
      const result = await deps.adapters.rollback(action, {
        idempotencyKey: `${orderId}/${row.order_item_id}/${row.action_id}/rollback`,
        deadline: Date.now() + adapterTimeoutMs,
      });
      if (result.status === 'transient') throw new RetryLater(`rollback ${row.action_id}: ${result.reason}`);
      await db
        .updateTable('order_actions')
        .set({ status: result.status === 'success' ? 'rolledBack' : 'rollbackFailed', result: JSON.stringify(result), updated_at: now() })
        .where('order_id', '=', orderId)
        .where('order_item_id', '=', row.order_item_id)
        .where('action_id', '=', row.action_id)
        .execute();
      if (result.status === 'permanent') deps.metrics?.manual.inc({ reason: 'rollback-failed' });
      if (result.status === 'permanent') deps.logger.error({ orderId, action: row.action_id, reason: result.reason }, 'rollback failed; needs manual handling');
    }
  }

  /**
   * Completes add orders, one statement for all given: each order row's update (refused once a
   * cancellation is marked; rows locked in id order, as the start does) gates its new services and
   * binding its reservations to them. The applied actions are recorded either way (a refused
   * completion compensates them). Answers per order whether it completed.
   */
  const completeAddOrders = statementBatch(async (orders: CompletingOrder[]): Promise<boolean[]> => {
    const input = orders.map((o) => ({
      order_id: o.orderId,
      tenant: o.tenant,
      customer_id: o.customerId,
      state: o.state,
      body: o.body,
      at: o.at.toISOString(),
      services: o.services,
      marks: o.marks,
    }));
    const { rows } = await sql<{ id: string }>`
      with input as (
        select * from jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
          as i(order_id text, tenant text, customer_id text, state text, body jsonb, at timestamptz, services jsonb, marks jsonb)),
      locked as (
        select id from service_orders
        where id in (select order_id from input) and cancellation_id is null
        order by id for update),
      done as (
        update service_orders o set state = i.state, completion_date = i.at, updated_at = i.at,
          body = ${keepingJeopardyAlert(sql`i.body`, sql`o.body`)}
        from input i
        where o.id = i.order_id and o.id in (select id from locked) and o.cancellation_id is null
        returning o.id),
      wanted as (
        select i.order_id, i.tenant, i.customer_id, i.at, s.*
        from input i join done d on d.id = i.order_id
        cross join lateral jsonb_to_recordset(i.services) as s(id text, item text, specification text, version int, site text, characteristics jsonb)),
      created as (
        insert into services (id, tenant, customer_id, order_id, order_item_id, specification, specification_version, site, state, characteristics, start_date)
        select w.id, w.tenant, w.customer_id, w.order_id, w.item, w.specification, w.version, w.site, 'active', w.characteristics, w.at
        from wanted w
        on conflict (id) do nothing),
      bound as (
        update reservations r set status = 'committed', service_id = w.id, expires_at = null
        from wanted w
        where r.order_id = w.order_id and r.order_item_id = w.item and r.status = 'reserved'),
      marked as (
        insert into order_actions (order_id, order_item_id, action_id, seq, status, action, result, updated_at)
        select i.order_id, m.item, m.action_id, m.seq, 'applied', m.action, m.result, i.at
        from input i cross join lateral jsonb_to_recordset(i.marks) as m(item text, action_id text, seq int, action jsonb, result jsonb)
        on conflict (order_id, order_item_id, action_id) do update set status = excluded.status, result = excluded.result, updated_at = excluded.updated_at)
      select id from done`.execute(db);
    const completed = new Set(rows.map((r) => r.id));
    return orders.map((o) => completed.has(o.orderId));
  });

  /** The add flow: new capacity, `create` actions, a new active service, billing.start. */
  function addFlow(tenant: string, orderId: string): ItemFlow {
    return {
      kind: 'add',
      reserve: (p) => reserveItemBatched({ orderId, itemId: p.item.id, site: p.site, specs: p.spec.reservations, context: { characteristic: p.characteristics }, ttlMs: ttl }),
      actions: (p, reservations) => decompose(p, reservations, orderId),
      async complete(body, plans, customerId, at, applied) {
        const services = plans.map((p) => ({
          id: p.serviceId,
          item: p.item.id,
          specification: p.spec.name,
          version: p.spec.version,
          site: p.site,
          characteristics: p.characteristics,
        }));
        const done = await completeAddOrders({ orderId, tenant, customerId, state: body.state, body, at, services, marks: markRows(applied) });
        return { done, freed: 0 };
      },
      bill: (p, customerId, at, correlationId) =>
        deps.events.billingStart({ serviceId: p.serviceId, orderId, customerId, specification: p.spec.name, characteristics: p.characteristics, startDate: at.toISOString() }, correlationId),
    };
  }

  /** The modify flow: the capacity delta on the service's resources, `modify` actions for what changed, the service's characteristics updated, billing.change. */
  function modifyFlow(orderId: string): ItemFlow {
    const request = (p: ItemPlan) => ({ orderId, itemId: p.item.id, serviceId: p.serviceId, specs: p.spec.reservations, context: { characteristic: p.characteristics } });
    return {
      kind: 'modify',
      reserve: (p) => reserveModify(db, { ...request(p), ttlMs: ttl }),
      actions: (p, reservations) => modifyActions(p, reservations, orderId),
      async complete(body, plans, _customerId, at, applied) {
        // Recorded first, outside the transaction: a ServiceGone rolls it back, and compensation needs them.
        await markApplied(orderId, applied);
        let freed = 0;
        const done = await db.transaction().execute(async (trx) => {
          for (const p of plans) {
            const service = await trx.selectFrom('services').select('state').where('id', '=', p.serviceId).forUpdate().executeTakeFirst();
            if (service?.state !== 'active') throw new ServiceGone(`service ${p.serviceId} was terminated while the modify ran`);
            freed += await applyModifyReservations(trx, request(p));
            await trx.updateTable('services').set({ characteristics: JSON.stringify(p.characteristics), updated_at: at }).where('id', '=', p.serviceId).where('state', '=', 'active').execute();
          }
          return storeCompleted(trx, body, at);
        });
        return { done, freed };
      },
      bill: (p, customerId, at, correlationId) =>
        deps.events.billingChange(
          { serviceId: p.serviceId, orderId, customerId, specification: p.spec.name, characteristics: p.characteristics, previousCharacteristics: p.previous, changeDate: at.toISOString() },
          correlationId,
        ),
    };
  }

  /** Records a saga step on the order (once per name and round) and tells the BSS. The body is stored with the next write. */
  async function milestone(body: ServiceOrderBody, name: string, message: string, correlationId?: string, itemIds: string[] = []) {
    const list = (body.milestone ??= []);
    const id = REENTRANT_MILESTONES.has(name) ? `${name}-${orderRound(body) + 1}` : name;
    if (list.some((m) => m.id === id)) return;
    const m: Milestone = {
      id,
      name,
      message,
      milestoneDate: now().toISOString(),
      status: 'completed',
      ...(itemIds.length ? { serviceOrderItem: itemIds.map((i) => ({ id: i, itemId: i, serviceOrderId: body.id, '@type': 'ServiceOrderItemRef' })) } : {}),
      '@type': 'ServiceOrderMilestone',
    };
    list.push(m);
    await deps.events.milestone(body, id, correlationId);
  }

  /**
   * Parks the order: `held` (no capacity, the catalog says queue; retried when capacity frees) or
   * `pending` (data missing; resumed by PATCH). Nothing stays reserved meanwhile.
   */
  async function wait(body: ServiceOrderBody, state: 'held' | 'pending', failure: Failure, correlationId?: string, fieldPath?: string) {
    await releaseReservations(db, body.id);
    const from = body.state;
    await milestone(body, state === 'held' ? 'held' : 'informationRequired', failure.reason, correlationId, failure.itemId ? [failure.itemId] : []);
    body.state = state;
    body.errorMessage = errorMessage(body.id, state, [failure]);
    for (const item of body.serviceOrderItem) item.state = state;
    await save(body.id, body);
    await deps.events.stateChanged(body, from, correlationId);
    if (fieldPath) await deps.events.informationRequired(body, fieldPath, correlationId);
    return state;
  }

  type StartedRow = Selectable<Database['service_orders']> & { customer: CustomerRow | null; from_state: string };

  /**
   * Moves each order to inProgress if it is waiting (acknowledged, pending, held), and reads it
   * with its customer, in one statement for all the orders given (a PATCH or the jeopardy sweep
   * serialise with it on the row; rows are locked in id order, as every multi-order statement
   * does). An order given twice is started for its first caller only: the others find it running.
   */
  const startWaitingOrders = statementBatch(async (orderIds: string[]): Promise<Array<StartedRow | undefined>> => {
    const at = now();
    const { rows } = await sql<StartedRow>`
      with waiting as (
        select id, state from service_orders
        where id = any(${[...new Set(orderIds)]}::text[]) and state in ('acknowledged', 'pending', 'held')
        order by id for update),
      started as (
        update service_orders o set state = 'inProgress', updated_at = ${at},
          body = (o.body - 'errorMessage') || jsonb_build_object(
            'state', 'inProgress',
            'startDate', coalesce(o.body->'startDate', to_jsonb(${at.toISOString()}::text)),
            'serviceOrderItem', (select coalesce(jsonb_agg(i || '{"state": "inProgress"}' order by n), '[]'::jsonb)
                                 from jsonb_array_elements(o.body->'serviceOrderItem') with ordinality as x(i, n)))
        from waiting w where o.id = w.id
        returning o.*, w.state as from_state)
      select s.*, to_jsonb(c) as customer
      from started s left join customers c on c.tenant = s.tenant and c.id = s.customer_id`.execute(db);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return orderIds.map((id) => {
      const row = byId.get(id);
      byId.delete(id);
      return row;
    });
  });

  /** The order moved to inProgress and read with its customer; undefined when it was not waiting (a resumed run) or is not stored. */
  async function startWaiting(orderId: string) {
    const row = await startWaitingOrders(orderId);
    return row ? { ...row, body: row.body as ServiceOrderBody } : undefined;
  }

  /** The completed order's row, in the caller's transaction; false when a cancellation was marked first (its mark and this update serialise on the row). */
  async function storeCompleted(trx: Transaction<Database>, body: ServiceOrderBody, at: Date): Promise<boolean> {
    const done = await trx
      .updateTable('service_orders')
      .set({ state: body.state, body: orderBodyValue(body), completion_date: at, updated_at: at })
      .where('id', '=', body.id)
      .where('cancellation_id', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return done !== undefined;
  }

  async function complete(body: ServiceOrderBody, flow: ItemFlow, plans: ItemPlan[], customerId: string, skipped: Failure[], applied: Applied[], correlationId?: string) {
    const from = body.state;
    const at = now();
    const state = skipped.length ? 'partial' : 'completed';
    for (const p of plans) {
      p.item.state = skipped.some((f) => f.itemId === p.item.id) ? 'partial' : 'completed';
      p.item.service = { ...p.item.service, id: p.serviceId, href: serviceHref(p.serviceId), state: 'active' };
    }
    body.state = state;
    body.completionDate = at.toISOString();
    if (skipped.length) body.errorMessage = errorMessage(body.id, state, skipped);
    const { done, freed } = await flow.complete(body, plans, customerId, at, applied);
    if (!done) throw new CancelledFirst();
    observe(body, state);
    if (skipped.length) deps.metrics?.fallout.inc({ code: 'partial' });
    if (freed > 0) deps.onCapacityFreed?.();
    await deps.events.stateChanged(body, from, correlationId);
    for (const p of plans) await flow.bill(p, customerId, at, correlationId);
  }

  /** Feasibility and reservation, all items or none. */
  async function reserveAll(flow: ItemFlow, items: ItemPlan[]): Promise<ReservedItems | { failure: Failure; hold: boolean } | { cancellationId: string }> {
    const reserved: ReservedItems = { byItem: new Map(), resourceStates: new Map() };
    for (const p of items) {
      const r = await flow.reserve(p);
      if (!r.ok && r.cancellationId) return { cancellationId: r.cancellationId };
      if (!r.ok) return { failure: { code: 'infeasible', reason: r.reason, itemId: p.item.id }, hold: p.spec.onInfeasible === 'hold' };
      reserved.byItem.set(p.item.id, r.reservations);
      for (const [id, state] of Object.entries(r.resourceStates ?? {})) reserved.resourceStates.set(id, state);
    }
    return reserved;
  }

  /** Decomposition, provisioning and verification of every item; the first failure that is not tolerated, and the tolerated ones. */
  async function execute(
    orderId: string,
    customerId: string,
    slaTier: string,
    flow: ItemFlow,
    items: ItemPlan[],
    reserved: ReservedItems,
    body: ServiceOrderBody,
    context: { correlationId?: string; finalAttempt: boolean; firstRun: boolean },
  ) {
    const { correlationId, finalAttempt, firstRun } = context;
    let failure: Failure | undefined;
    const skipped: Failure[] = [];
    // Successes not yet recorded: with the completion on success, before compensating otherwise.
    const unmarked: Applied[] = [];
    try {
      const planned = items.map((p) => ({ p, actions: flow.actions(p, reserved.byItem.get(p.item.id)!) }));
      const rows = planned.flatMap(({ actions }) => actions.map((a) => ({ order_id: orderId, order_item_id: a.itemId, action_id: a.actionId, seq: a.seq, status: 'pending', action: JSON.stringify(a.action) })));
      // A resumed run stores the plan before anything is applied: the rows of the earlier run keep
      // their status (the no-op update makes them come back too), so one statement also says what
      // is done. A first run has nothing done yet; its rows are written with their outcomes.
      const stored = rows.length && !firstRun
        ? await db
            .insertInto('order_actions')
            .values(rows)
            .onConflict((oc) => oc.columns(['order_id', 'order_item_id', 'action_id']).doUpdateSet((eb) => ({ status: eb.ref('order_actions.status') })))
            .returning(['order_item_id', 'action_id', 'status'])
            .execute()
        : [];
      const statusOf = (itemId: string) => new Map(stored.filter((r) => r.order_item_id === itemId).map((r) => [r.action_id, r.status]));
      const outcomes = await Promise.allSettled(planned.map(({ p, actions }) => provisionItem(orderId, customerId, slaTier, p, actions, statusOf(p.item.id), reserved.resourceStates, firstRun, correlationId)));
      const provisioned = outcomes.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      for (const r of provisioned) unmarked.push(...r.applied);
      const thrown = outcomes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (thrown) throw thrown.reason;
      failure = provisioned.find((r) => r.failure)?.failure;
      skipped.push(...provisioned.flatMap((r) => r.skipped));
      if (!failure) {
        await milestone(body, 'provisioned', `${rows.length} resource actions applied${skipped.length ? `, ${skipped.length} optional ones not` : ''}`, correlationId);
        for (const { actions } of planned) failure ??= await verifyItem(actions, skipped);
        if (!failure) await milestone(body, 'verified', 'the network holds what was configured', correlationId);
      }
    } catch (err) {
      await markApplied(orderId, unmarked.splice(0));
      if (err instanceof TemplateError) failure = { code: 'catalog', reason: err.message };
      else if (err instanceof RetryLater && finalAttempt) failure = { code: 'unavailable', reason: err.message };
      else throw err;
    }
    if (failure) await markApplied(orderId, unmarked.splice(0));
    return { failure, skipped, applied: unmarked };
  }

  return async function runSaga(orderId, context) {
    const { correlationId } = context;
    // This run moved the order out of waiting: nothing of it was provisioned before (orders wait
    // only before provisioning), so the adapters need not look for earlier results of its keys.
    let firstRun = false;
    let row: Awaited<ReturnType<typeof load>>;
    for (let tries = 0; ; tries++) {
      const started = await startWaiting(orderId);
      if (started) {
        firstRun = true;
        row = started;
        await deps.events.stateChanged(started.body, started.from_state, correlationId);
        break;
      }
      row = await load(orderId);
      if (!row) return undefined;
      if (TERMINAL_ORDER_STATES.has(row.body.state)) {
        // Re-announce: the previous run may have died between commit and publish (ids dedupe).
        await deps.events.stateChanged(row.body, row.body.state, correlationId);
        return row.body.state;
      }
      if (!WAITING_ORDER_STATES.has(row.body.state)) break; // a resumed run
      // Back to waiting between the two reads (another run held it meanwhile): start it again.
      if (tries >= 5) throw new RetryLater(`order ${orderId} keeps changing under the saga`);
    }
    const body = row.body;
    const log = deps.logger.child({ orderId });

    const checkpoint = async () => {
      const id = await cancellationOf(orderId);
      return id ? cancel(orderId, body, id, correlationId) : undefined;
    };
    // The row as loaded says whether a cancellation came first (one that lands later is caught
    // after entitlement and after provisioning).
    const early = row.cancellation_id ? await cancel(orderId, body, row.cancellation_id, correlationId) : undefined;
    if (early) return early;

    if (body.serviceOrderItem.length > 0 && body.serviceOrderItem.every((i) => i.action === 'delete')) {
      return disconnect(row.tenant, body, correlationId);
    }
    const plans = await plan(row.tenant, body);
    if ('fieldPath' in plans) return wait(body, 'pending', { code: 'informationRequired', reason: plans.reason, itemId: plans.itemId }, correlationId, plans.fieldPath);
    if (plans.length > 0 && 'code' in plans[0]!) return finish(orderId, body, 'rejected', plans as Failure[], correlationId);
    const items = plans as ItemPlan[];
    const customerId = customerOf(body) ?? '';
    const flow = body.serviceOrderItem[0]?.action === 'modify' ? modifyFlow(orderId) : addFlow(row.tenant, orderId);

    const { failures: denied, slaTier } = await entitlement(row.tenant, body, items, row.customer, correlationId);
    if (denied.length > 0) return finish(orderId, body, 'rejected', denied, correlationId);
    await milestone(body, 'entitlementPassed', 'the entitlement policy allows the order', correlationId);
    // A cancellation that landed during entitlement: the add flow's reservation looks for it on the
    // locked order row (and reserves nothing then); a modify looks here.
    if (flow.kind === 'modify') {
      const afterEntitlement = await checkpoint();
      if (afterEntitlement) return afterEntitlement;
    }

    const reserved = await reserveAll(flow, items);
    if ('cancellationId' in reserved) return cancel(orderId, body, reserved.cancellationId, correlationId);
    if ('failure' in reserved) {
      if (reserved.hold) return wait(body, 'held', reserved.failure, correlationId);
      return finish(orderId, body, 'rejected', [reserved.failure], correlationId);
    }
    await milestone(body, 'resourcesReserved', 'feasibility checked and capacity reserved', correlationId);

    const { failure, skipped, applied } = await execute(orderId, customerId, slaTier, flow, items, reserved, body, { ...context, firstRun });
    // A cancellation that landed meanwhile: on the way to completion the final update refuses it
    // (CancelledFirst below); on the way to failure, look for it now.
    const cancellationId = failure ? await cancellationOf(orderId) : undefined;
    if (cancellationId) return cancel(orderId, body, cancellationId, correlationId);
    if (failure) {
      log.info({ reason: failure.reason }, 'order failed; compensating');
      await compensate(orderId);
      return finish(orderId, body, 'failed', [failure], correlationId);
    }
    try {
      await complete(body, flow, items, customerId, skipped, applied, correlationId);
    } catch (err) {
      if (err instanceof ServiceGone) {
        const fresh = (await load(orderId))!;
        await compensate(orderId);
        return finish(orderId, fresh.body, 'failed', [{ code: 'conflict', reason: err.message }], correlationId);
      }
      if (!(err instanceof CancelledFirst)) throw err;
      const fresh = (await load(orderId))!; // the in-memory body was half-completed
      return cancel(orderId, fresh.body, (await cancellationOf(orderId))!, correlationId);
    }
    return body.state;
  };
}

/**
 * Hands every `held` order to the saga again (capacity may have freed), and every waiting order a
 * cancellation was requested for (the saga ends it `cancelled` at its first checkpoint). The
 * message id changes whenever the saga re-holds the order (its updated_at), so repeated calls
 * between two attempts are dropped by the stream's duplicate window.
 */
export async function retryHeldOrders(db: Kysely<Database>, bus: Pick<Bus, 'publish' | 'subjects'>, limit = 200): Promise<string[]> {
  const rows = await db
    .selectFrom('service_orders')
    .select(['id', 'tenant', 'updated_at'])
    .where((eb) => eb.or([eb('state', '=', 'held'), eb.and([eb('state', '=', 'pending'), eb('cancellation_id', 'is not', null)])]))
    .orderBy('order_date')
    .limit(limit)
    .execute();
  for (const r of rows) {
    await bus.publish(bus.subjects.orders.received, { orderId: r.id, tenant: r.tenant }, { messageId: `order:${r.id}:held:${r.updated_at.getTime()}` });
  }
  return rows.map((r) => r.id);
}
