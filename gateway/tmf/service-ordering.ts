/**
 * TMF641 Service Ordering v4 for role `bss`, scoped to the caller's tenant: create (idempotent on
 * externalId and Idempotency-Key), list, retrieve. A created order is stored `acknowledged` and
 * handed to the orchestrator over the bus; the saga takes it from there.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { CatalogReader } from '../../catalog/store.js';
import { resolveCharacteristics } from '../../catalog/spec.js';
import type { OrderEvents } from '../../orchestrator/events.js';
import { orderHref, SERVICE_ORDERING_BASE, type ServiceOrderBody } from '../../orchestrator/order-model.js';
import type { Bus } from '../../platform/bus/bus.js';
import type { Database } from '../../platform/db/schema.js';
import { requireRoles, type AccessControl } from '../access.js';
import type { GatewayEnv } from '../context.js';
import { tmfError, parseTmfBody } from './errors.js';
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
      if (item.action === 'add' && !(item.service.place ?? []).length) {
        ctx.addIssue({ code: 'custom', path: ['serviceOrderItem', i, 'service', 'place'], message: 'an add item needs the site as a place' });
      }
      if ((item.action === 'delete' || item.action === 'modify') && !item.service.id) {
        ctx.addIssue({ code: 'custom', path: ['serviceOrderItem', i, 'service', 'id'], message: `a ${item.action} item names the service it acts on` });
      }
    });
  });
export type ServiceOrderCreate = z.infer<typeof serviceOrderCreateSchema>;

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

/** Checks the items against the catalog: known specification, valid characteristics. Returns a 400 message naming the field. */
async function checkAgainstCatalog(catalog: CatalogReader, req: ServiceOrderCreate): Promise<{ field: string; message: string } | undefined> {
  for (const [i, item] of req.serviceOrderItem.entries()) {
    if (item.action !== 'add') continue;
    const specRef = item.service.serviceSpecification!;
    const spec = await catalog.get(specRef.id, specRef.version ? Number(specRef.version) : undefined);
    const at = `serviceOrderItem[${i}].service`;
    if (!spec) return { field: `${at}.serviceSpecification.id`, message: `unknown service specification ${specRef.id}${specRef.version ? ` version ${specRef.version}` : ''}` };
    const ch = resolveCharacteristics(spec, item.service.serviceCharacteristic ?? []);
    if ('error' in ch) return { field: `${at}.serviceCharacteristic`, message: ch.error };
  }
  return undefined;
}

export function serviceOrderingRoutes(deps: ServiceOrderingDeps) {
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
      const replayed = await replay();
      if (replayed) return replayed;

      const invalid = await checkAgainstCatalog(deps.catalog, req);
      if (invalid) return tmfError(c, 400, 'invalidField', `invalid field ${invalid.field}`, `${invalid.field}: ${invalid.message}`);

      const id = randomUUID();
      const body = newOrderBody(id, req, new Date());
      const customer = req.relatedParty.find((p) => p.role?.toLowerCase() === 'customer') ?? req.relatedParty[0]!;
      const inserted = await deps.db
        .insertInto('service_orders')
        .values({
          id,
          tenant,
          external_id: req.externalId ?? null,
          idempotency_key: key ?? null,
          customer_id: customer.id,
          state: 'acknowledged',
          body: JSON.stringify(body),
        })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) {
        // Lost a race with the same externalId / key: answer with the winner.
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
      const tenant = tenantOf(c);
      if (!tenant) return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      const paging = parsePaging(c);
      if ('error' in paging) return tmfError(c, 400, 'invalidQuery', paging.error);
      let q = deps.db.selectFrom('service_orders').where('tenant', '=', tenant);
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

    app.get(`${base}/:id`, bss, async (c) => {
      const tenant = tenantOf(c);
      if (!tenant) return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      const row = await deps.db.selectFrom('service_orders').select(['body']).where('tenant', '=', tenant).where('id', '=', c.req.param('id')).executeTakeFirst();
      if (!row) return tmfError(c, 404, 'notFound', `no service order ${c.req.param('id')}`);
      return c.json(project(row.body as ServiceOrderBody, c.req.query('fields')), 200);
    });
  };
}
