/**
 * TMF638 Service Inventory (role bss, tenant-scoped) and TMF639 Resource Inventory (roles bss,
 * operator, network; network resources are not tenant-owned). Services carry their supporting
 * resources and customer; resources carry capacity, usage and reservations as characteristics.
 */
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { resourceHref, RESOURCE_INVENTORY_BASE, serviceHref, SERVICE_INVENTORY_BASE } from '../../orchestrator/order-model.js';
import type { Database } from '../../platform/db/schema.js';
import { requireRoles, type AccessControl } from '../access.js';
import type { GatewayEnv } from '../context.js';
import { tmfError } from './errors.js';
import { listResponse, parsePaging, project } from './list.js';

type ServiceRow = Database['services'] extends infer T ? { [K in keyof T]: unknown } : never;

async function supporting(db: Kysely<Database>, serviceIds: string[]) {
  if (serviceIds.length === 0) return new Map<string, string[]>();
  const rows = await db
    .selectFrom('reservations')
    .select(['service_id', 'resource_id'])
    .where('service_id', 'in', serviceIds)
    .where('status', '=', 'committed')
    .orderBy('resource_id')
    .execute();
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.service_id!, [...(out.get(r.service_id!) ?? []), r.resource_id]);
  return out;
}

/** `origin` makes resource hrefs absolute (TMF638 declares them `format: uri`). */
export function serviceRepresentation(s: Record<string, unknown> & Partial<ServiceRow>, resources: string[], origin = '') {
  const id = String(s.id);
  const characteristics = (s.characteristics ?? {}) as Record<string, unknown>;
  return {
    id,
    href: serviceHref(id),
    name: `${String(s.specification)} for ${String(s.customer_id)}`,
    state: String(s.state),
    isServiceEnabled: s.state === 'active',
    hasStarted: s.start_date != null,
    startDate: s.start_date ? new Date(s.start_date as Date).toISOString() : undefined,
    endDate: s.end_date ? new Date(s.end_date as Date).toISOString() : undefined,
    serviceSpecification: {
      id: String(s.specification),
      name: String(s.specification),
      version: String(s.specification_version),
      '@type': 'ServiceSpecificationRef',
    },
    serviceCharacteristic: Object.entries(characteristics).map(([name, value]) => ({
      name,
      value,
      valueType: typeof value === 'number' ? 'number' : 'string',
      '@type': 'Characteristic',
    })),
    supportingResource: resources.map((r) => ({ id: r, href: `${origin}${resourceHref(r)}`, '@referredType': 'Resource', '@type': 'ResourceRef' })),
    relatedParty: [{ id: String(s.customer_id), role: 'customer', '@type': 'RelatedParty', '@referredType': 'Customer' }],
    place: s.site ? [{ id: String(s.site), role: 'site', '@type': 'RelatedPlaceRefOrValue' }] : [],
    serviceOrderItem: [
      { serviceOrderId: String(s.order_id), itemId: String(s.order_item_id), role: 'origin', '@type': 'RelatedServiceOrderItem', '@referredType': 'ServiceOrderItem' },
    ],
    '@type': 'Service',
  };
}

export function inventoryRoutes(deps: { db: Kysely<Database> }) {
  return (app: Hono<GatewayEnv>, access: AccessControl) => {
    const bss = requireRoles(access, 'bss');
    const readers = requireRoles(access, 'bss', 'operator', 'network');

    app.get(`${SERVICE_INVENTORY_BASE}/service`, bss, async (c) => {
      const tenant = c.get('principal')?.tenant;
      if (!tenant) return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      const paging = parsePaging(c);
      if ('error' in paging) return tmfError(c, 400, 'invalidQuery', paging.error);
      let q = deps.db.selectFrom('services').where('tenant', '=', tenant);
      const state = c.req.query('state');
      const customer = c.req.query('relatedParty.id');
      const spec = c.req.query('serviceSpecification.id');
      if (state) q = q.where('state', 'in', state.split(','));
      if (customer) q = q.where('customer_id', '=', customer);
      if (spec) q = q.where('specification', '=', spec);
      const { total } = await q.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
      const rows = await q.selectAll().orderBy('updated_at', 'desc').orderBy('id').offset(paging.offset).limit(paging.limit).execute();
      const res = await supporting(deps.db, rows.map((r) => r.id));
      const fields = c.req.query('fields');
      return listResponse(c, rows.map((r) => project(serviceRepresentation(r, res.get(r.id) ?? [], new URL(c.req.url).origin), fields)), Number(total));
    });

    app.get(`${SERVICE_INVENTORY_BASE}/service/:id`, bss, async (c) => {
      const tenant = c.get('principal')?.tenant;
      if (!tenant) return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      const row = await deps.db.selectFrom('services').selectAll().where('tenant', '=', tenant).where('id', '=', c.req.param('id')).executeTakeFirst();
      if (!row) return tmfError(c, 404, 'notFound', `no service ${c.req.param('id')}`);
      const res = await supporting(deps.db, [row.id]);
      return c.json(project(serviceRepresentation(row, res.get(row.id) ?? [], new URL(c.req.url).origin), c.req.query('fields')), 200);
    });

    const resourceRepresentation = async (ids: string[]) => {
      if (ids.length === 0) return [];
      const rows = await deps.db.selectFrom('resources').selectAll().where('id', 'in', ids).orderBy('id').execute();
      const held = await deps.db
        .selectFrom('reservations')
        .select(['resource_id', 'order_id', 'service_id', 'amount', 'status', 'expires_at'])
        .where('resource_id', 'in', ids)
        .where('status', 'in', ['reserved', 'committed'])
        .execute();
      return rows.map((r) => {
        const capacity = Number(r.capacity);
        const used = Number(r.allocated);
        const reservations = held
          .filter((h) => h.resource_id === r.id)
          .map((h) => ({ orderId: h.order_id, serviceId: h.service_id, amount: Number(h.amount), status: h.status, expiresAt: h.expires_at?.toISOString() ?? null }));
        return {
          id: r.id,
          href: resourceHref(r.id),
          name: r.id,
          category: r.type,
          administrativeState: r.state === 'available' ? 'unlocked' : 'locked',
          operationalState: r.state === 'retired' ? 'disable' : 'enable',
          usageState: used === 0 ? 'idle' : used >= capacity ? 'busy' : 'active',
          resourceStatus: r.state === 'maintenance' ? 'suspended' : r.state === 'retired' ? 'unavailable' : 'available',
          // TMF639 v4.0 has a single place per resource.
          ...(r.site ? { place: { id: r.site, href: `/tmf-api/geographicSiteManagement/v4/geographicSite/${encodeURIComponent(r.site)}`, name: r.site, role: 'site', '@referredType': 'GeographicSite' } } : {}),
          resourceCharacteristic: [
            { name: 'domain', value: r.domain, valueType: 'string' },
            { name: 'unit', value: r.unit, valueType: 'string' },
            { name: 'capacity', value: capacity, valueType: 'number' },
            { name: 'used', value: used, valueType: 'number' },
            { name: 'available', value: capacity - used, valueType: 'number' },
            { name: 'reservations', value: reservations, valueType: 'array' },
            ...Object.entries((r.attributes ?? {}) as Record<string, unknown>).map(([name, value]) => ({ name, value, valueType: typeof value })),
          ].map((ch) => ({ ...ch, '@type': 'Characteristic' })),
          '@type': 'Resource',
        };
      });
    };

    app.get(`${RESOURCE_INVENTORY_BASE}/resource`, readers, async (c) => {
      const paging = parsePaging(c);
      if ('error' in paging) return tmfError(c, 400, 'invalidQuery', paging.error);
      let q = deps.db.selectFrom('resources');
      const category = c.req.query('category');
      const site = c.req.query('place.id');
      if (category) q = q.where('type', 'in', category.split(','));
      if (site) q = q.where('site', '=', site);
      const { total } = await q.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
      const ids = await q.select('id').orderBy('id').offset(paging.offset).limit(paging.limit).execute();
      const fields = c.req.query('fields');
      const reps = await resourceRepresentation(ids.map((r) => r.id));
      return listResponse(c, reps.map((r) => project(r, fields)), Number(total));
    });

    app.get(`${RESOURCE_INVENTORY_BASE}/resource/:id`, readers, async (c) => {
      const [rep] = await resourceRepresentation([c.req.param('id')]);
      if (!rep) return tmfError(c, 404, 'notFound', `no resource ${c.req.param('id')}`);
      return c.json(project(rep, c.req.query('fields')), 200);
    });
  };
}
