/**
 * TMF641 Service Ordering v4 for role `bss`, scoped to the caller's tenant: create (idempotent on
 * externalId and Idempotency-Key), list, retrieve, and PATCH (JSON merge patch, only while the
 * order waits: acknowledged, pending, held). A created order is stored `acknowledged` and handed to
 * the orchestrator over the bus; the saga takes it from there. Missing information (no site, a
 * required characteristic without default) is not a 400: the order goes `pending` with a
 * ServiceOrderInformationRequiredEvent and the BSS completes it with PATCH.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { CatalogReader } from '../../catalog/store.js';
import { mergeCharacteristics, resolveCharacteristics } from '../../catalog/spec.js';
import type { OrderEvents } from '../../orchestrator/events.js';
import { orderBodyValue } from '../../orchestrator/jeopardy.js';
import { orderHref, SERVICE_ORDERING_BASE, WAITING_ORDER_STATES, type ServiceOrderBody } from '../../orchestrator/order-model.js';
import type { Bus } from '../../platform/bus/bus.js';
import type { Database } from '../../platform/db/schema.js';
import { statementBatch } from '../../platform/db/statement-batch.js';
import { requireRoles, tenantScope, type AccessControl } from '../access.js';
import type { GatewayEnv } from '../context.js';
import { tmfError, parseTmfBody, validationError } from './errors.js';
import { listResponse, parsePaging, project } from './list.js';

const characteristic = z.object({ name: z.string().min(1), value: z.unknown(), valueType: z.string().optional() }).passthrough();
const place = z.object({ id: z.string().min(1), role: z.string().min(1), name: z.string().optional() }).passthrough();
const relatedParty = z
  .object({ id: z.string().min(1), role: z.string().optional(), name: z.string().optional(), '@referredType': z.string().optional() })
  .passthrough();

const orderItem = z
  .object({
    id: z.string().min(1).max(64),
    action: z.enum(['add', 'modify', 'delete', 'noChange']),
    quantity: z.number().int().positive().optional(),
    service: z
      .object({
        id: z.string().optional(),
        name: z.string().optional(),
        serviceSpecification: z.object({ id: z.string().min(1), name: z.string().optional(), version: z.string().optional() }).passthrough().optional(),
        serviceCharacteristic: z.array(characteristic).optional(),
        place: z.array(place).optional(),
      })
      .passthrough(),
  })
  .passthrough();

export const serviceOrderCreateSchema = z
  .object({
    externalId: z.string().min(1).max(200).optional(),
    description: z.string().optional(),
    category: z.string().optional(),
    priority: z.string().optional(),
    requestedStartDate: z.iso.datetime({ offset: true }).optional(),
    requestedCompletionDate: z.iso.datetime({ offset: true }).optional(),
    notificationContact: z.string().optional(),
    relatedParty: z.array(relatedParty).min(1, 'at least the customer is required'),
    note: z.array(z.object({ text: z.string() }).passthrough()).optional(),
    serviceOrderItem: z.array(orderItem).min(1, 'at least one item is required'),
    '@type': z.string().optional(),
  })
  .passthrough()
  .superRefine((o, ctx) => {
    const ids = new Set<string>();
    o.serviceOrderItem.forEach((item, i) => {
      if (ids.has(item.id)) ctx.addIssue({ code: 'custom', path: ['serviceOrderItem', i, 'id'], message: `duplicate item id ${item.id}` });
      ids.add(item.id);
      if (item.action === 'add' && !item.service.serviceSpecification) {
        ctx.addIssue({ code: 'custom', path: ['serviceOrderItem', i, 'service', 'serviceSpecification'], message: 'an add item needs the service specification' });
      }
      if ((item.action === 'delete' || item.action === 'modify') && !item.service.id) {
        ctx.addIssue({ code: 'custom', path: ['serviceOrderItem', i, 'service', 'id'], message: `a ${item.action} item names the service it acts on` });
      }
    });
  });
export type ServiceOrderCreate = z.infer<typeof serviceOrderCreateSchema>;

/** What a PATCH may change (TMF641 ServiceOrder_Update); everything else is Junction's. */
const PATCHABLE = new Set([
  'description', 'externalId', 'notificationContact', 'priority', 'requestedStartDate', 'requestedCompletionDate',
  'expectedCompletionDate', 'externalReference', 'note', 'orderRelationship', 'relatedParty', 'serviceOrderItem',
]);
/** Fields of a stored order that a create request carries (the PATCHed order is re-validated as one). */
const REQUEST_FIELDS = [...PATCHABLE, 'category'];

/** RFC 7386 merge patch of the request fields: null removes a field, anything else replaces it. */
function mergePatch(stored: ServiceOrderBody, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const k of REQUEST_FIELDS) if (stored[k] !== undefined) merged[k] = stored[k];
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

export interface ServiceOrderingDeps {
  db: Kysely<Database>;
  bus: Pick<Bus, 'subjects'>;
  catalog: CatalogReader;
  events: OrderEvents;
}

function tenantOf(c: Context<GatewayEnv>): string | undefined {
  return c.get('principal')?.tenant;
}

/** Builds the stored representation of a new order. */
function newOrderBody(id: string, req: ServiceOrderCreate, now: Date): ServiceOrderBody {
  const { '@type': _t, ...rest } = req;
  return {
    ...rest,
    id,
    href: orderHref(id),
    state: 'acknowledged',
    orderDate: now.toISOString(),
    relatedParty: req.relatedParty.map((p) => ({
      ...p,
      role: p.role ?? 'customer',
      '@type': 'RelatedParty',
      '@referredType': p['@referredType'] ?? 'Customer',
    })),
    serviceOrderItem: req.serviceOrderItem.map((item) => ({
      ...item,
      state: 'acknowledged',
      service: {
        ...item.service,
        ...(item.service.serviceSpecification
          ? { serviceSpecification: { ...item.service.serviceSpecification, '@type': 'ServiceSpecificationRef' } }
          : {}),
        serviceCharacteristic: item.service.serviceCharacteristic?.map((ch) => ({ ...ch, '@type': 'Characteristic' })),
        place: item.service.place?.map((pl) => ({ ...pl, '@type': 'RelatedPlaceRefOrValue' })),
        '@type': 'ServiceRefOrValue',
      },
      '@type': 'ServiceOrderItem',
    })),
    '@type': 'ServiceOrder',
  } as ServiceOrderBody;
}

/**
 * Checks the items against the catalog: known specification, valid characteristics; for a modify,
 * the changed characteristics against the version the (tenant's) service was built with. An
 * unknown service is left to the saga (rejected there, like a delete of one). Pins each add
 * item's specification version. Returns a 400 message naming the field.
 */
async function checkAgainstCatalog(deps: Pick<ServiceOrderingDeps, 'db' | 'catalog'>, tenant: string, req: ServiceOrderCreate): Promise<{ field: string; message: string } | undefined> {
  for (const [i, item] of req.serviceOrderItem.entries()) {
    const at = `serviceOrderItem[${i}].service`;
    if (item.action === 'modify') {
      const service = await deps.db.selectFrom('services').select(['specification', 'specification_version', 'characteristics']).where('tenant', '=', tenant).where('id', '=', item.service.id!).executeTakeFirst();
      const spec = service && (await deps.catalog.get(service.specification, service.specification_version));
      if (!service || !spec) continue;
      const ch = resolveCharacteristics(spec, mergeCharacteristics(service.characteristics as Record<string, unknown>, item.service.serviceCharacteristic ?? []));
      if ('error' in ch) return { field: `${at}.serviceCharacteristic`, message: ch.error };
      continue;
    }
    if (item.action !== 'add') continue;
    const specRef = item.service.serviceSpecification!;
    const spec = await deps.catalog.get(specRef.id, specRef.version ? Number(specRef.version) : undefined);
    if (!spec) return { field: `${at}.serviceSpecification.id`, message: `unknown service specification ${specRef.id}${specRef.version ? ` version ${specRef.version}` : ''}` };
    // The order keeps the version it was checked against (the saga decomposes with that one).
    specRef.version ??= String(spec.version);
    const ch = resolveCharacteristics(spec, item.service.serviceCharacteristic ?? []);
    // A missing value is information the BSS can still give (pending + PATCH); a wrong one is not.
    if ('error' in ch && !ch.missing) return { field: `${at}.serviceCharacteristic`, message: ch.error };
  }
  return undefined;
}

interface NewOrderRow {
  id: string;
  tenant: string;
  external_id: string | null;
  idempotency_key: string | null;
  customer_id: string;
  body: ServiceOrderBody;
}

/**
 * Stores new orders, acknowledged, one statement for all given; answers per order whether it was
 * stored (false: its externalId or Idempotency-Key was taken first, by an earlier order or by
 * another one of the same statement).
 */
function orderInserter(db: Kysely<Database>) {
  return statementBatch(async (orders: NewOrderRow[]): Promise<boolean[]> => {
    const { rows } = await sql<{ id: string }>`
      insert into service_orders (id, tenant, external_id, idempotency_key, customer_id, state, body)
      select r.id, r.tenant, r.external_id, r.idempotency_key, r.customer_id, 'acknowledged', r.body
      from jsonb_to_recordset(${JSON.stringify(orders)}::jsonb)
        as r(id text, tenant text, external_id text, idempotency_key text, customer_id text, body jsonb)
      on conflict do nothing
      returning id`.execute(db);
    const stored = new Set(rows.map((r) => r.id));
    return orders.map((o) => stored.has(o.id));
  });
}

export function serviceOrderingRoutes(deps: ServiceOrderingDeps) {
  const insertOrder = orderInserter(deps.db);
  return (app: Hono<GatewayEnv>, access: AccessControl) => {
    const bss = requireRoles(access, 'bss');
    const base = `${SERVICE_ORDERING_BASE}/serviceOrder`;

    const findExisting = async (tenant: string, externalId: string | undefined, key: string | undefined) => {
      if (key) {
        const byKey = await deps.db.selectFrom('service_orders').select(['id', 'body', 'state']).where('tenant', '=', tenant).where('idempotency_key', '=', key).executeTakeFirst();
        if (byKey) return byKey;
      }
      if (externalId) {
        return deps.db.selectFrom('service_orders').select(['id', 'body', 'state']).where('tenant', '=', tenant).where('external_id', '=', externalId).executeTakeFirst();
      }
      return undefined;
    };

    const handOver = async (c: Context<GatewayEnv>, orderId: string, tenant: string) => {
      await c.get('publish')(deps.bus.subjects.orders.received, { orderId, tenant }, { messageId: `order:${orderId}:received` });
    };

    app.post(base, bss, async (c) => {
      const tenant = tenantOf(c);
      if (!tenant) return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      const parsed = await parseTmfBody(c, serviceOrderCreateSchema);
      if (!parsed.ok) return parsed.response;
      const req = parsed.data;
      const key = c.req.header('Idempotency-Key')?.trim() || undefined;
      if (key && key.length > 200) return tmfError(c, 400, 'invalidField', 'invalid header Idempotency-Key', 'Idempotency-Key: at most 200 characters');

      const replay = async () => {
        const existing = await findExisting(tenant, req.externalId, key);
        if (!existing) return undefined;
        // The first request may have died between storing and handing over: hand over again (deduped by id).
        if (existing.state === 'acknowledged') await handOver(c, existing.id, tenant);
        c.header('Idempotent-Replayed', 'true');
        return c.json(existing.body as ServiceOrderBody, 200);
      };
      // A repeat (same externalId or Idempotency-Key) is found by the insert's unique indexes below,
      // so a new order costs no lookup first; a repeat whose body no longer passes the catalog
      // check still gets its original order back.
      const invalid = await checkAgainstCatalog(deps, tenant, req);
      if (invalid) {
        const replayed = await replay();
        if (replayed) return replayed;
        return tmfError(c, 400, 'invalidField', `invalid field ${invalid.field}`, `${invalid.field}: ${invalid.message}`);
      }

      const id = randomUUID();
      const body = newOrderBody(id, req, new Date());
      const customer = req.relatedParty.find((p) => p.role?.toLowerCase() === 'customer') ?? req.relatedParty[0]!;
      const inserted = await insertOrder({ id, tenant, external_id: req.externalId ?? null, idempotency_key: key ?? null, customer_id: customer.id, body });
      if (!inserted) {
        // A repeat, or a race with the same externalId / key: answer with the order that is stored.
        const winner = await replay();
        if (winner) return winner;
        return tmfError(c, 409, 'conflict', 'an order with this externalId or Idempotency-Key is being created');
      }
      // Create event first: the saga's state changes must not overtake it on the stream.
      await deps.events.created(body, c.get('requestId'));
      await handOver(c, id, tenant);
      c.header('Location', body.href);
      return c.json(body, 201);
    });

    app.get(base, bss, async (c) => {
      const scope = tenantScope(c);
      if (scope.kind === 'none') return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      const paging = parsePaging(c);
      if ('error' in paging) return tmfError(c, 400, 'invalidQuery', paging.error);
      let q = deps.db.selectFrom('service_orders');
      if (scope.kind === 'tenant') q = q.where('tenant', '=', scope.tenant);
      const state = c.req.query('state');
      const externalId = c.req.query('externalId');
      const customer = c.req.query('relatedParty.id');
      if (state) q = q.where('state', 'in', state.split(','));
      if (externalId) q = q.where('external_id', '=', externalId);
      if (customer) q = q.where('customer_id', '=', customer);
      const [{ total }] = [await q.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow()];
      const rows = await q.select(['body']).orderBy('order_date', 'desc').orderBy('id').offset(paging.offset).limit(paging.limit).execute();
      const fields = c.req.query('fields');
      return listResponse(c, rows.map((r) => project(r.body as ServiceOrderBody, fields)), Number(total));
    });

    app.patch(`${base}/:id`, bss, async (c) => {
      const tenant = tenantOf(c);
      if (!tenant) return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      if (/json-patch/i.test(c.req.header('content-type') ?? '')) {
        return tmfError(c, 415, 'unsupportedMediaType', 'only JSON merge patch (application/merge-patch+json) is supported');
      }
      const raw = await parseTmfBody(c, z.record(z.string(), z.unknown()));
      if (!raw.ok) return raw.response;
      for (const field of Object.keys(raw.data)) {
        if (!PATCHABLE.has(field)) {
          const why = field === 'state' ? 'the state is set by Junction; cancel with POST /cancelServiceOrder' : `${field} cannot be changed`;
          return tmfError(c, 400, 'invalidField', `invalid field ${field}`, `${field}: ${why}`);
        }
      }
      const id = c.req.param('id');
      const row = await deps.db.selectFrom('service_orders').select(['body', 'state']).where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
      if (!row) return tmfError(c, 404, 'notFound', `no service order ${id}`);
      const tooLate = () => tmfError(c, 409, 'invalidState', `service order ${id} is ${row.state}`, `service order ${id} is ${row.state}; it can be changed only while ${[...WAITING_ORDER_STATES].join(', ')}`);
      if (!WAITING_ORDER_STATES.has(row.state)) return tooLate();
      const stored = row.body as ServiceOrderBody;
      const parsed = serviceOrderCreateSchema.safeParse(mergePatch(stored, raw.data));
      if (!parsed.success) return validationError(c, parsed.error);
      const invalid = await checkAgainstCatalog(deps, tenant, parsed.data);
      if (invalid) return tmfError(c, 400, 'invalidField', `invalid field ${invalid.field}`, `${invalid.field}: ${invalid.message}`);

      const rebuilt = newOrderBody(id, parsed.data, new Date(stored.orderDate));
      const next: ServiceOrderBody = {
        ...stored,
        ...rebuilt,
        state: stored.state,
        serviceOrderItem: rebuilt.serviceOrderItem.map((item) => ({ ...item, state: stored.state })),
      };
      for (const [k, v] of Object.entries(raw.data)) if (v === null) delete next[k];
      const customer = parsed.data.relatedParty.find((p) => p.role?.toLowerCase() === 'customer') ?? parsed.data.relatedParty[0]!;
      let updated: { state: string } | undefined;
      try {
        // Only while the order still waits: the saga's start is conditional on the body it read, so one of the two wins.
        updated = await deps.db
          .updateTable('service_orders')
          .set({ body: orderBodyValue(next), external_id: parsed.data.externalId ?? null, customer_id: customer.id, updated_at: new Date() })
          .where('tenant', '=', tenant)
          .where('id', '=', id)
          .where('state', '=', stored.state)
          .where('cancellation_id', 'is', null)
          .returning('state')
          .executeTakeFirst();
      } catch (err) {
        if ((err as { code?: string }).code === '23505') return tmfError(c, 409, 'conflict', `another order of this tenant has externalId ${parsed.data.externalId}`);
        throw err;
      }
      if (!updated) {
        const now = await deps.db.selectFrom('service_orders').select('state').where('id', '=', id).executeTakeFirst();
        return tmfError(c, 409, 'invalidState', `service order ${id} is ${now?.state ?? 'gone'}`, `service order ${id} changed state (${now?.state ?? 'gone'}) or is being cancelled; it was not patched`);
      }
      // A waiting order (pending on information, held for capacity) is tried again with what was patched in;
      // an acknowledged one is still on its way to the saga, which reads the patched body.
      if (stored.state !== 'acknowledged') {
        await c.get('publish')(deps.bus.subjects.orders.received, { orderId: id, tenant }, { messageId: `order:${id}:patch:${randomUUID()}` });
      }
      return c.json(next, 200);
    });

    app.get(`${base}/:id`, bss, async (c) => {
      const scope = tenantScope(c);
      if (scope.kind === 'none') return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      let q = deps.db.selectFrom('service_orders').select(['body']).where('id', '=', c.req.param('id'));
      if (scope.kind === 'tenant') q = q.where('tenant', '=', scope.tenant);
      const row = await q.executeTakeFirst();
      if (!row) return tmfError(c, 404, 'notFound', `no service order ${c.req.param('id')}`);
      return c.json(project(row.body as ServiceOrderBody, c.req.query('fields')), 200);
    });
  };
}
