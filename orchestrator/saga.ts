/**
 * The order saga: acknowledged → inProgress → entitlement → feasibility + reservation →
 * decomposition → provisioning in DAG order → verification → completed (or rejected / failed with
 * compensation). Every step's outcome is in Postgres before the next starts, so a redelivered
 * message (after a crash) resumes where the last run stopped; adapter calls carry idempotency keys
 * derived from order, item and action, so nothing is configured twice.
 */
import type { Kysely } from 'kysely';
import type { AdapterResult } from '../adapters/contract.js';
import type { AdapterRegistry } from '../adapters/runtime/registry.js';
import type { CatalogReader } from '../catalog/store.js';
import { resolveCharacteristics, topologicalOrder, type ServiceSpecification } from '../catalog/spec.js';
import { resolveTemplate, TemplateError } from '../catalog/template.js';
import type { Database } from '../platform/db/schema.js';
import type { Logger } from '../platform/logger.js';
import type { PolicyEngine } from '../policies/engine/index.js';
import { settleCancellation, type CancelServiceOrderBody } from './cancellation.js';
import { commitReservations, releaseReservations, reserveItem, type Reserved } from './inventory.js';
import {
  customerOf,
  serviceHref,
  serviceIdFor,
  siteOf,
  TERMINAL_ORDER_STATES,
  type ErrorMessage,
  type OrderItem,
  type ServiceOrderBody,
} from './order-model.js';
import type { OrderEvents } from './events.js';
import { orderBodyValue } from './jeopardy.js';
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
}

class CancelledFirst extends Error {}

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
}

type Failure = { code: string; reason: string; itemId?: string };

export interface SagaRun {
  /** Runs (or resumes) the order's saga; resolves to its final state, or undefined when no such order is stored. */
  (orderId: string, context: { correlationId?: string; finalAttempt: boolean }): Promise<string | undefined>;
}

export function createSaga(deps: SagaDeps): SagaRun {
  const now = deps.now ?? (() => new Date());
  const ttl = deps.reservationTtlMs ?? 10 * 60_000;
  const adapterTimeoutMs = deps.adapterTimeoutMs ?? 20_000;
  const { db } = deps;

  async function load(orderId: string) {
    const row = await db.selectFrom('service_orders').selectAll().where('id', '=', orderId).executeTakeFirst();
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
    await releaseReservations(db, orderId);
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

  async function cancellationOf(orderId: string): Promise<string | undefined> {
    const row = await db.selectFrom('service_orders').select('cancellation_id').where('id', '=', orderId).executeTakeFirst();
    return row?.cancellation_id ?? undefined;
  }

  /** The cancellation path: undo what was done, release capacity, end the order `cancelled` and the request `done`. */
  async function cancel(orderId: string, body: ServiceOrderBody, cancellationId: string, correlationId?: string) {
    await compensate(orderId);
    await releaseReservations(db, orderId);
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
      const actions: PlannedAction[] = applied.map((a, seq) => {
        const original = a.action as PlannedAction['action'];
        return { itemId: item.id, actionId: a.action_id, seq, dependsOn: [], resources: [], action: { ...original, id: `${orderId}/${item.id}/${a.action_id}`, operation: 'delete' } };
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

  function observe(body: ServiceOrderBody, outcome: string) {
    deps.metrics?.activation.observe({ outcome }, (now().getTime() - Date.parse(body.orderDate)) / 1000);
  }

  async function plan(body: ServiceOrderBody): Promise<ItemPlan[] | Failure[]> {
    const plans: ItemPlan[] = [];
    const failures: Failure[] = [];
    for (const item of body.serviceOrderItem) {
      if (item.action !== 'add') {
        // Not built yet: say so instead of treating the item as an add.
        const reason = item.action === 'delete'
          ? 'an order must not mix delete items with other actions'
          : `order item action ${item.action} is not supported yet; only add and delete`;
        failures.push({ code: 'unsupported', reason, itemId: item.id });
        continue;
      }
      const name = item.service.serviceSpecification?.id ?? '';
      const version = item.service.serviceSpecification?.version;
      const spec = await deps.catalog.get(name, version ? Number(version) : undefined);
      if (!spec) {
        failures.push({ code: 'catalog', reason: `service specification ${name} is not in the catalog`, itemId: item.id });
        continue;
      }
      const site = siteOf(item);
      if (!site) {
        failures.push({ code: 'catalog', reason: 'the item names no site (service.place)', itemId: item.id });
        continue;
      }
      const ch = resolveCharacteristics(spec, item.service.serviceCharacteristic ?? []);
      if ('error' in ch) {
        failures.push({ code: 'catalog', reason: ch.error, itemId: item.id });
        continue;
      }
      plans.push({ item, spec, site, characteristics: ch.values, serviceId: serviceIdFor(body.id, item.id) });
    }
    return failures.length ? failures : plans;
  }

  async function entitlement(tenant: string, body: ServiceOrderBody, plans: ItemPlan[], correlationId?: string): Promise<Failure[]> {
    const customerId = customerOf(body);
    const customer = customerId
      ? await db.selectFrom('customers').selectAll().where('tenant', '=', tenant).where('id', '=', customerId).executeTakeFirst()
      : undefined;
    if (!customer) return [{ code: 'entitlement', reason: `customer ${customerId ?? '(none)'} is not known` }];
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
    return failures;
  }

  function decompose(p: ItemPlan, reservations: Record<string, Reserved>, orderId: string): PlannedAction[] {
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
        operation: 'create',
        target: { id: `${p.serviceId}-${a.id}`, type: a.targetType },
        parameters: resolveTemplate(a.parameters, context) as Record<string, unknown>,
      },
      // Resources this action touches: the reservations its parameters refer to.
      resources: Object.values(reservations)
        .filter((r) => JSON.stringify(a.parameters).includes(`reservation.${r.key}.`))
        .flatMap((r) => r.resourceIds),
    }));
  }

  async function provisionItem(tenant: string, orderId: string, customerId: string, p: ItemPlan, actions: PlannedAction[], correlationId?: string): Promise<Failure | undefined> {
    const stored = await db
      .selectFrom('order_actions')
      .select(['action_id', 'status'])
      .where('order_id', '=', orderId)
      .where('order_item_id', '=', p.item.id)
      .execute();
    const status = new Map(stored.map((s) => [s.action_id, s.status]));
    const customer = await db.selectFrom('customers').select(['sla_tier']).where('tenant', '=', tenant).where('id', '=', customerId).executeTakeFirst();
    const slaTier = customer?.sla_tier ?? 'standard';
    const qosClass = p.spec.sla.qosClassByTier[slaTier];
    const contracted = Number(p.characteristics.bandwidthMbps ?? 0);
    const outcome = new Map<string, Promise<Failure | 'ok'>>();

    const run = async (a: PlannedAction): Promise<Failure | 'ok'> => {
      const before = await Promise.all(a.dependsOn.map((d) => outcome.get(d)!));
      const blocked = before.find((b) => b !== 'ok');
      if (blocked) return blocked;
      if (status.get(a.actionId) === 'applied') return 'ok';
      if (await cancellationOf(orderId)) return { code: 'cancelled', reason: 'the order was cancelled', itemId: a.itemId };
      const resources = a.resources.length
        ? await db.selectFrom('resources').select(['id', 'state']).where('id', 'in', a.resources).execute()
        : [];
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
      const result = await deps.adapters.apply(a.action, {
        idempotencyKey: `${orderId}/${a.itemId}/${a.actionId}`,
        deadline: Date.now() + adapterTimeoutMs,
      });
      return record(orderId, a, result);
    };
    for (const a of actions) outcome.set(a.actionId, run(a));
    const results = await Promise.all(outcome.values());
    const failure = results.find((r): r is Failure => r !== 'ok');
    if (failure) return failure;

    // Post-provisioning verification: the network holds what was configured.
    for (const a of actions) {
      const v = await deps.adapters.verify({ domain: a.action.domain, target: a.action.target, expected: a.action.parameters }, { deadline: Date.now() + adapterTimeoutMs });
      if (v.status === 'transient') throw new RetryLater(`verify ${a.actionId}: ${v.reason}`);
      if (v.status !== 'in-sync') return { code: 'verification', reason: `${a.actionId} did not verify: ${v.reason}`, itemId: a.itemId };
    }
    return undefined;
  }

  async function mark(orderId: string, a: PlannedAction, status: string, result: unknown) {
    await db
      .updateTable('order_actions')
      .set({ status, result: JSON.stringify(result), updated_at: now() })
      .where('order_id', '=', orderId)
      .where('order_item_id', '=', a.itemId)
      .where('action_id', '=', a.actionId)
      .execute();
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

  async function complete(tenant: string, body: ServiceOrderBody, plans: ItemPlan[], customerId: string, correlationId?: string) {
    const from = body.state;
    const at = now();
    await db.transaction().execute(async (trx) => {
      for (const p of plans) {
        await trx
          .insertInto('services')
          .values({
            id: p.serviceId,
            tenant,
            customer_id: customerId,
            order_id: body.id,
            order_item_id: p.item.id,
            specification: p.spec.name,
            specification_version: p.spec.version,
            site: p.site,
            state: 'active',
            characteristics: JSON.stringify(p.characteristics),
            start_date: at,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
        await commitReservations(trx, body.id, p.item.id, p.serviceId);
        p.item.state = 'completed';
        p.item.service = { ...p.item.service, id: p.serviceId, href: serviceHref(p.serviceId), state: 'active' };
      }
      body.state = 'completed';
      body.completionDate = at.toISOString();
      // Not if a cancellation got in first (its mark and this update serialise on the row).
      const done = await trx
        .updateTable('service_orders')
        .set({ state: 'completed', body: orderBodyValue(body), completion_date: at, updated_at: at })
        .where('id', '=', body.id)
        .where('cancellation_id', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!done) throw new CancelledFirst();
    });
    observe(body, 'completed');
    await deps.events.stateChanged(body, from, correlationId);
    for (const p of plans) await deps.events.billingStart({ serviceId: p.serviceId, orderId: body.id, customerId, specification: p.spec.name, characteristics: p.characteristics, startDate: at.toISOString() }, correlationId);
  }

  return async function runSaga(orderId, { correlationId, finalAttempt }) {
    const row = await load(orderId);
    if (!row) return undefined;
    const body = row.body;
    if (TERMINAL_ORDER_STATES.has(body.state)) {
      // Re-announce: the previous run may have died between commit and publish (ids dedupe).
      await deps.events.stateChanged(body, body.state, correlationId);
      return body.state;
    }
    const log = deps.logger.child({ orderId });
    if (body.state === 'acknowledged') {
      body.state = 'inProgress';
      body.startDate = now().toISOString();
      for (const item of body.serviceOrderItem) item.state = 'inProgress';
      await save(orderId, body);
      await deps.events.stateChanged(body, 'acknowledged', correlationId);
    }

    const checkpoint = async () => {
      const id = await cancellationOf(orderId);
      return id ? cancel(orderId, body, id, correlationId) : undefined;
    };
    const early = await checkpoint();
    if (early) return early;

    if (body.serviceOrderItem.length > 0 && body.serviceOrderItem.every((i) => i.action === 'delete')) {
      return disconnect(row.tenant, body, correlationId);
    }
    const plans = await plan(body);
    if (plans.length > 0 && 'code' in plans[0]!) return finish(orderId, body, 'rejected', plans as Failure[], correlationId);
    const items = plans as ItemPlan[];
    const customerId = customerOf(body) ?? '';

    const denied = await entitlement(row.tenant, body, items, correlationId);
    if (denied.length > 0) return finish(orderId, body, 'rejected', denied, correlationId);
    const afterEntitlement = await checkpoint();
    if (afterEntitlement) return afterEntitlement;

    // Feasibility and reservation: all items or none.
    const reserved = new Map<string, Record<string, Reserved>>();
    for (const p of items) {
      const r = await reserveItem(db, {
        orderId,
        itemId: p.item.id,
        site: p.site,
        specs: p.spec.reservations,
        context: { characteristic: p.characteristics },
        ttlMs: ttl,
      });
      if (!r.ok) return finish(orderId, body, 'rejected', [{ code: 'infeasible', reason: r.reason, itemId: p.item.id }], correlationId);
      reserved.set(p.item.id, r.reservations);
    }

    let failure: Failure | undefined;
    try {
      const planned = items.map((p) => ({ p, actions: decompose(p, reserved.get(p.item.id)!, orderId) }));
      for (const { actions } of planned) {
        await db
          .insertInto('order_actions')
          .values(actions.map((a) => ({ order_id: orderId, order_item_id: a.itemId, action_id: a.actionId, seq: a.seq, status: 'pending', action: JSON.stringify(a.action) })))
          .onConflict((oc) => oc.columns(['order_id', 'order_item_id', 'action_id']).doNothing())
          .execute();
      }
      const failures = await Promise.all(planned.map(({ p, actions }) => provisionItem(row.tenant, orderId, customerId, p, actions, correlationId)));
      failure = failures.find((f) => f !== undefined);
    } catch (err) {
      if (err instanceof TemplateError) failure = { code: 'catalog', reason: err.message };
      else if (err instanceof RetryLater && finalAttempt) failure = { code: 'unavailable', reason: err.message };
      else throw err;
    }
    const cancellationId = await cancellationOf(orderId);
    if (cancellationId) return cancel(orderId, body, cancellationId, correlationId);
    if (failure) {
      log.info({ reason: failure.reason }, 'order failed; compensating');
      await compensate(orderId);
      return finish(orderId, body, 'failed', [failure], correlationId);
    }
    try {
      await complete(row.tenant, body, items, customerId, correlationId);
    } catch (err) {
      if (!(err instanceof CancelledFirst)) throw err;
      const fresh = (await load(orderId))!; // the in-memory body was half-completed
      return cancel(orderId, fresh.body, (await cancellationOf(orderId))!, correlationId);
    }
    return 'completed';
  };
}
