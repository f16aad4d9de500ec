/**
 * TMF638 Service Inventory (role bss, tenant-scoped) and TMF639 Resource Inventory (reads: roles
 * bss, operator, network; network resources are not tenant-owned). Services carry their supporting
 * resources and customer; resources carry capacity, usage and reservations as characteristics.
 *
 * Resource writes (role operator): `POST /resource` adds a resource, `PATCH /resource/{id}`
 * changes one (JSON merge patch). Operators take a resource into maintenance
 * (administrativeState locked), retire it (operationalState disable), bring it back (unlocked +
 * enable), change its capacity or attributes. Reservations stay intact: the change is made under
 * the resource's row lock, which reservations take too, and capacity never drops below what is
 * reserved or in use, a resource holding reservations is not retired, and what gives reservations
 * their meaning (category, place, domain, unit) changes only while nothing is held: 409 otherwise.
 */
import type { Context, Hono } from 'hono';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { resourceHref, RESOURCE_INVENTORY_BASE, serviceHref, SERVICE_INVENTORY_BASE } from '../../orchestrator/order-model.js';
import type { Database } from '../../platform/db/schema.js';
import { requireRoles, tenantScope, type AccessControl } from '../access.js';
import type { GatewayEnv } from '../context.js';
import { fieldPath, tmfError } from './errors.js';
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

/** Internal state (available | maintenance | retired) as TMF639's administrative and operational states. */
function tmfStates(state: string): { administrativeState: 'locked' | 'unlocked'; operationalState: 'enable' | 'disable' } {
  if (state === 'available') return { administrativeState: 'unlocked', operationalState: 'enable' };
  return { administrativeState: 'locked', operationalState: state === 'retired' ? 'disable' : 'enable' };
}

/** Back again: disabled or shut down is retired, locked is maintenance, unlocked and enabled is in service. */
function internalState(administrativeState: string, operationalState: string): 'available' | 'maintenance' | 'retired' {
  if (operationalState === 'disable' || administrativeState === 'shutdown') return 'retired';
  return administrativeState === 'locked' ? 'maintenance' : 'available';
}

/** TMF639 fields this inventory does not keep, or derives itself: a write naming one is refused, not half-applied. */
const UNSUPPORTED_FIELDS: Record<string, string> = {
  usageState: 'is derived from what is reserved and in use',
  resourceStatus: 'is derived from administrativeState and operationalState',
  id: 'is the resource name; it cannot be given or changed',
  href: 'is assigned by the inventory',
  description: 'is not kept by this inventory',
  note: 'is not kept by this inventory',
  attachment: 'is not kept by this inventory',
  relatedParty: 'is not kept by this inventory (network resources belong to no party)',
  resourceRelationship: 'is not kept by this inventory',
  resourceSpecification: 'is not kept by this inventory',
  resourceVersion: 'is not kept by this inventory',
  startOperatingDate: 'is not kept by this inventory',
  endOperatingDate: 'is not kept by this inventory',
};

/** Characteristics kept in columns; the rest of `resourceCharacteristic` are free attributes. */
const COLUMN_CHARACTERISTICS = new Set(['domain', 'unit', 'capacity']);
/** Characteristics the inventory computes. */
const DERIVED_CHARACTERISTICS = new Set(['used', 'available', 'reservations']);

const tmfMeta = { '@type': z.string().optional(), '@baseType': z.string().optional(), '@schemaLocation': z.string().optional() };
const characteristicSchema = z.strictObject({
  id: z.string().optional(),
  name: z.string().min(1).max(100),
  valueType: z.string().optional(),
  value: z.unknown(),
  characteristicRelationship: z.array(z.unknown()).optional(),
  ...tmfMeta,
});
const placeSchema = z.strictObject({
  id: z.string().min(1).max(200),
  href: z.string().optional(),
  name: z.string().optional(),
  role: z.string().optional(),
  '@referredType': z.string().optional(),
  ...tmfMeta,
});
const writable = {
  category: z.string().min(1).max(100),
  administrativeState: z.enum(['locked', 'unlocked', 'shutdown']),
  operationalState: z.enum(['enable', 'disable']),
  resourceCharacteristic: z.array(characteristicSchema).max(200),
};
/** Resource_Create: `name` becomes the resource's id. */
const resourceCreateSchema = z.strictObject({
  name: z.string().min(1).max(200),
  ...writable,
  administrativeState: writable.administrativeState.optional(),
  operationalState: writable.operationalState.optional(),
  place: placeSchema.optional(),
  ...tmfMeta,
});
/** Resource_Update as a merge patch: absent = unchanged; `place: null` = shared by every site. */
const resourcePatchSchema = z.strictObject({
  name: z.string().min(1).optional(),
  category: writable.category.optional(),
  administrativeState: writable.administrativeState.optional(),
  operationalState: writable.operationalState.optional(),
  resourceCharacteristic: writable.resourceCharacteristic.optional(),
  place: placeSchema.nullable().optional(),
  ...tmfMeta,
});

interface CharacteristicChanges {
  columns: { domain?: string; unit?: string; capacity?: number };
  /** Attribute values to set; `null` removes the attribute (merge patch). */
  attributes: Record<string, unknown>;
}

/** Splits characteristics into column values and attributes; an error names the offending field. */
function characteristicChanges(list: ReadonlyArray<{ name: string; value?: unknown }>): CharacteristicChanges | { field: string; message: string } {
  // No prototype: a characteristic may be called `__proto__` and must stay a plain key.
  const out: CharacteristicChanges = { columns: {}, attributes: Object.create(null) as Record<string, unknown> };
  const seen = new Set<string>();
  for (const [i, ch] of list.entries()) {
    const field = `resourceCharacteristic[${i}]`;
    if (seen.has(ch.name)) return { field: `${field}.name`, message: `characteristic ${ch.name} is given twice` };
    seen.add(ch.name);
    if (DERIVED_CHARACTERISTICS.has(ch.name)) return { field: `${field}.name`, message: `characteristic ${ch.name} is computed by the inventory and cannot be set` };
    if (ch.value === undefined) return { field: `${field}.value`, message: 'required' };
    if (ch.name === 'capacity') {
      if (typeof ch.value !== 'number' || !Number.isSafeInteger(ch.value) || ch.value < 0) return { field: `${field}.value`, message: 'capacity: expected a non-negative integer' };
      out.columns.capacity = ch.value;
    } else if (ch.name === 'domain' || ch.name === 'unit') {
      if (typeof ch.value !== 'string' || ch.value === '') return { field: `${field}.value`, message: `${ch.name}: expected a non-empty string` };
      out.columns[ch.name] = ch.value;
    } else {
      out.attributes[ch.name] = ch.value;
    }
  }
  return out;
}

/** The body as JSON with unsupported TMF fields refused by name, then validated by `schema`. */
async function readResourceBody<T>(c: Context, schema: z.ZodType<T>): Promise<{ ok: true; data: T } | { ok: false; response: Response }> {
  let raw: unknown;
  const text = await c.req.text();
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, response: tmfError(c, 400, 'invalidBody', 'the body is not valid JSON') };
  }
  // Postgres text and jsonb cannot hold NUL: refuse it here rather than fail in the database.
  if (text.includes('\\u0000')) return { ok: false, response: tmfError(c, 400, 'invalidBody', 'the body contains a NUL character (\\u0000)') };
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    for (const key of Object.keys(raw)) {
      const why = UNSUPPORTED_FIELDS[key];
      if (why) return { ok: false, response: tmfError(c, 400, 'invalidField', `invalid field ${key}`, `${key}: ${why}`) };
    }
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0]!;
  // An unknown key is named by its own path, not by the object that holds it.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  const field = fieldPath(path);
  const message = issue.code === 'unrecognized_keys' ? 'not a TMF639 field here' : issue.message;
  return { ok: false, response: tmfError(c, 400, 'invalidField', `invalid field ${field}`, `${field}: ${message}`) };
}

class Conflict extends Error {}

/** TMF639 representations of resources (with their reservations), ordered by id. */
export async function resourcesAsTmf(db: Kysely<Database> | Transaction<Database>, requested: string[]) {
  // No resource id holds NUL (Postgres text cannot); asking for one finds nothing instead of failing.
  const ids = requested.filter((id) => !id.includes('\0'));
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('resources').selectAll().where('id', 'in', ids).orderBy('id').execute();
  const held = await db
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
      ...tmfStates(r.state),
      usageState: used === 0 ? 'idle' : used >= capacity ? 'busy' : 'active',
      // ResourceStatusType has no "retired": a retired resource's status is not known to be usable.
      resourceStatus: r.state === 'maintenance' ? 'suspended' : r.state === 'retired' ? 'unknown' : 'available',
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
}

export function inventoryRoutes(deps: { db: Kysely<Database> }) {
  return (app: Hono<GatewayEnv>, access: AccessControl) => {
    const bss = requireRoles(access, 'bss');
    const readers = requireRoles(access, 'bss', 'operator', 'network');

    app.get(`${SERVICE_INVENTORY_BASE}/service`, bss, async (c) => {
      const scope = tenantScope(c);
      if (scope.kind === 'none') return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      const paging = parsePaging(c);
      if ('error' in paging) return tmfError(c, 400, 'invalidQuery', paging.error);
      let q = deps.db.selectFrom('services');
      if (scope.kind === 'tenant') q = q.where('tenant', '=', scope.tenant);
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
      const scope = tenantScope(c);
      if (scope.kind === 'none') return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      let q = deps.db.selectFrom('services').selectAll().where('id', '=', c.req.param('id'));
      if (scope.kind === 'tenant') q = q.where('tenant', '=', scope.tenant);
      const row = await q.executeTakeFirst();
      if (!row) return tmfError(c, 404, 'notFound', `no service ${c.req.param('id')}`);
      const res = await supporting(deps.db, [row.id]);
      return c.json(project(serviceRepresentation(row, res.get(row.id) ?? [], new URL(c.req.url).origin), c.req.query('fields')), 200);
    });

    const resourceRepresentation = (ids: string[]) => resourcesAsTmf(deps.db, ids);

    app.get(`${RESOURCE_INVENTORY_BASE}/resource`, readers, async (c) => {
      const paging = parsePaging(c);
      if ('error' in paging) return tmfError(c, 400, 'invalidQuery', paging.error);
      let q = deps.db.selectFrom('resources');
      const category = c.req.query('category');
      const site = c.req.query('place.id');
      if (`${category ?? ''}${site ?? ''}`.includes('\0')) return tmfError(c, 400, 'invalidQuery', 'category, place.id: must not contain NUL');
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

    const operator = requireRoles(access, 'operator');
    const badField = (c: Context, field: string, message: string) => tmfError(c, 400, 'invalidField', `invalid field ${field}`, `${field}: ${message}`);

    app.post(`${RESOURCE_INVENTORY_BASE}/resource`, operator, async (c) => {
      const body = await readResourceBody(c, resourceCreateSchema);
      if (!body.ok) return body.response;
      const b = body.data;
      const ch = characteristicChanges(b.resourceCharacteristic);
      if ('field' in ch) return badField(c, ch.field, ch.message);
      const { domain, unit, capacity } = ch.columns;
      if (domain === undefined || unit === undefined || capacity === undefined) {
        return badField(c, 'resourceCharacteristic', 'a new resource needs the characteristics domain, unit and capacity');
      }
      const attributes = Object.fromEntries(Object.entries(ch.attributes).filter(([, v]) => v !== null));
      const inserted = await deps.db
        .insertInto('resources')
        .values({
          id: b.name,
          type: b.category,
          site: b.place?.id ?? null,
          domain,
          unit,
          capacity,
          state: internalState(b.administrativeState ?? 'unlocked', b.operationalState ?? 'enable'),
          attributes: JSON.stringify(attributes),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return tmfError(c, 409, 'alreadyExists', `resource ${b.name} exists`, `a resource named ${b.name} exists; PATCH it instead`);
      const [rep] = await resourceRepresentation([b.name]);
      c.get('log').info({ resourceId: b.name, capacity, state: rep!.administrativeState }, 'resource created');
      c.header('Location', rep!.href);
      return c.json(rep, 201);
    });

    app.patch(`${RESOURCE_INVENTORY_BASE}/resource/:id`, operator, async (c) => {
      const id = c.req.param('id');
      if (id.includes('\0')) return tmfError(c, 404, 'notFound', 'no such resource');
      const body = await readResourceBody(c, resourcePatchSchema);
      if (!body.ok) return body.response;
      const b = body.data;
      if (b.name !== undefined && b.name !== id) return badField(c, 'name', 'is the resource id and cannot change');
      const ch = characteristicChanges(b.resourceCharacteristic ?? []);
      if ('field' in ch) return badField(c, ch.field, ch.message);
      try {
        const rep = await deps.db.transaction().execute(async (trx) => {
          // The row lock reservations take too (orchestrator/inventory.ts): none can slip in between check and update.
          const row = await trx.selectFrom('resources').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
          if (!row) return undefined;
          const held = Number(row.allocated);
          const current = tmfStates(row.state);
          const state = internalState(b.administrativeState ?? current.administrativeState, b.operationalState ?? current.operationalState);
          const capacity = ch.columns.capacity ?? Number(row.capacity);
          if (capacity < held) throw new Conflict(`capacity ${capacity} is below the ${held} ${row.unit} reserved or in use on ${id}`);
          if (state === 'retired' && row.state !== 'retired' && held > 0) throw new Conflict(`${id} holds ${held} ${row.unit} reserved or in use; it cannot be retired until they are released`);
          const next = {
            type: b.category ?? row.type,
            site: b.place === undefined ? row.site : (b.place?.id ?? null),
            domain: ch.columns.domain ?? row.domain,
            unit: ch.columns.unit ?? row.unit,
          };
          const changed = (['type', 'site', 'domain', 'unit'] as const).filter((k) => next[k] !== row[k]);
          if (changed.length > 0 && held > 0) {
            const names = changed.map((k) => (k === 'type' ? 'category' : k === 'site' ? 'place' : k));
            throw new Conflict(`${names.join(', ')} of ${id} cannot change while ${held} ${row.unit} are reserved or in use`);
          }
          const attributes: Record<string, unknown> = Object.assign(Object.create(null), row.attributes ?? {});
          for (const [k, v] of Object.entries(ch.attributes)) {
            if (v === null) delete attributes[k];
            else attributes[k] = v;
          }
          await trx
            .updateTable('resources')
            .set({ ...next, capacity, state, attributes: JSON.stringify(attributes), updated_at: new Date() })
            .where('id', '=', id)
            .execute();
          return (await resourcesAsTmf(trx, [id]))[0];
        });
        if (!rep) return tmfError(c, 404, 'notFound', `no resource ${id}`);
        c.get('log').info({ resourceId: id, state: rep.administrativeState, operationalState: rep.operationalState }, 'resource changed');
        return c.json(rep, 200);
      } catch (err) {
        if (err instanceof Conflict) return tmfError(c, 409, 'conflict', err.message);
        throw err;
      }
    });
  };
}
