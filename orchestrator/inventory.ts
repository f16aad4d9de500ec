/**
 * Resource inventory: feasibility and reservation in one Postgres transaction.
 *
 * Capacity moves only through `update resources set allocated = allocated + n where id = ? and
 * capacity - allocated >= n`: the row lock serialises competing orders and the condition is
 * re-checked on the locked row, so two orders can never both get the last unit (and the table's
 * CHECK constraint backs it up). Reservations expire unless committed to an active service.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ReservationSpec } from '../catalog/spec.js';
import { resolveTemplate } from '../catalog/template.js';
import type { Database } from '../platform/db/schema.js';

export interface Reserved {
  key: string;
  /** The first (for scope `one`, the only) resource. */
  resourceId: string;
  resourceIds: string[];
  attributes: Record<string, unknown>;
  amount: number;
}

export type ReservationOutcome = { ok: true; reservations: Record<string, Reserved> } | { ok: false; reason: string };

export interface ReserveRequest {
  orderId: string;
  itemId: string;
  site: string;
  specs: readonly ReservationSpec[];
  /** Template context (characteristics...) for the amounts. */
  context: unknown;
  ttlMs: number;
  now?: Date;
}

class Infeasible extends Error {}

const DEADLOCK = '40P01';
const isDeadlock = (err: unknown) => typeof err === 'object' && err !== null && (err as { code?: string }).code === DEADLOCK;

/** Reservations already held for an item (a redelivered saga finds its earlier ones). */
async function heldFor(db: Kysely<Database> | Transaction<Database>, orderId: string, itemId: string) {
  return db
    .selectFrom('reservations')
    .innerJoin('resources', 'resources.id', 'reservations.resource_id')
    .select(['reservations.key', 'reservations.resource_id', 'reservations.amount', 'resources.attributes'])
    .where('reservations.order_id', '=', orderId)
    .where('reservations.order_item_id', '=', itemId)
    .where('reservations.status', 'in', ['reserved', 'committed'])
    .orderBy('reservations.resource_id')
    .execute();
}

function group(rows: Awaited<ReturnType<typeof heldFor>>): Record<string, Reserved> {
  const out: Record<string, Reserved> = {};
  for (const r of rows) {
    const g = (out[r.key] ??= {
      key: r.key,
      resourceId: r.resource_id,
      resourceIds: [],
      attributes: (r.attributes ?? {}) as Record<string, unknown>,
      amount: Number(r.amount),
    });
    g.resourceIds.push(r.resource_id);
  }
  return out;
}

/**
 * Takes `amount` of one resource and records the reservation, in one statement: hot rows (a
 * site's uplink, its IP pool) stay locked for as few round trips as possible, which is what bounds
 * throughput. The resource is a given one (waiting for its lock), or the first that fits among
 * those of a type at a site that no other order holds locked right now (SKIP LOCKED). Nothing when
 * it has no room (re-checked on the locked row).
 */
async function takeCapacity(
  trx: Transaction<Database>,
  target: { resourceId: string } | { firstFit: { type: string; site: string } },
  amount: number,
  r: { orderId: string; itemId: string; key: string; expiresAt: Date },
): Promise<{ resource_id: string; attributes: unknown } | undefined> {
  const pick =
    'resourceId' in target
      ? sql`select ${target.resourceId}::text as id`
      : sql`select id from resources
            where type = ${target.firstFit.type} and (site = ${target.firstFit.site} or site is null) and state = 'available'
              and capacity - allocated >= ${amount}
            order by id limit 1 for update skip locked`;
  const row = await sql<{ resource_id: string; attributes: unknown }>`
    with pick as (${pick}),
    took as (
      update resources res set allocated = res.allocated + ${amount}, updated_at = now()
      from pick where res.id = pick.id and res.state = 'available' and res.capacity - res.allocated >= ${amount}
      returning res.id, res.attributes)
    insert into reservations (id, resource_id, order_id, order_item_id, key, amount, status, expires_at)
    select ${randomUUID()}, took.id, ${r.orderId}, ${r.itemId}, ${r.key}, ${amount}, 'reserved', ${r.expiresAt}
    from took
    returning resource_id, (select attributes from took) as attributes`.execute(trx);
  return row.rows[0];
}

/** Takes the capacity an item needs, all or nothing. Idempotent per (order, item). */
export async function reserveItem(db: Kysely<Database>, req: ReserveRequest): Promise<ReservationOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        // Two runs of one order's saga (a redelivery racing a slow first run) must not both reserve:
        // they queue on the order's row, and the second finds the first's reservations.
        await trx.selectFrom('service_orders').select('id').where('id', '=', req.orderId).forUpdate().execute();
        const existing = await heldFor(trx, req.orderId, req.itemId);
        if (existing.length > 0) return { ok: true as const, reservations: group(existing) };
        const expiresAt = new Date((req.now ?? new Date()).getTime() + req.ttlMs);
        const result: Record<string, Reserved> = {};
        for (const spec of req.specs) {
          const amount = Number(resolveTemplate(spec.amount, req.context));
          if (!Number.isInteger(amount) || amount <= 0) throw new Infeasible(`reservation ${spec.key}: amount ${amount} is not a positive integer`);
          const take = (resourceId: string) => takeCapacity(trx, { resourceId }, amount, { ...req, key: spec.key, expiresAt });
          const taken: Array<{ resource_id: string; attributes: unknown }> = [];
          if (spec.scope === 'one') {
            // First fit without queueing: skip rows other orders hold locked right now. Only when
            // every fitting row is locked, wait for them in turn (they may give capacity back).
            const got = await takeCapacity(trx, { firstFit: { type: spec.resourceType, site: req.site } }, amount, { ...req, key: spec.key, expiresAt });
            if (got) taken.push(got);
          }
          if (taken.length === 0) {
            const candidates = await trx
              .selectFrom('resources')
              .select(['id'])
              .where('type', '=', spec.resourceType)
              .where((eb) => eb.or([eb('site', '=', req.site), eb('site', 'is', null)]))
              .where('state', '=', 'available')
              // For `one`, only rows that fit as of now; `all` needs every row and reports the one that lacks.
              .$if(spec.scope === 'one', (qb) => qb.where(sql<number>`capacity - allocated`, '>=', amount))
              .orderBy('id')
              .execute();
            if (candidates.length === 0 && spec.scope !== 'one') throw new Infeasible(`no ${spec.resourceType} in service at ${req.site}`);
            for (const c of candidates) {
              const got = await take(c.id);
              if (got) taken.push(got);
              else if (spec.scope === 'all') throw new Infeasible(`${c.id} lacks ${amount} free ${spec.resourceType} units at ${req.site}`);
              if (got && spec.scope === 'one') break;
            }
          }
          if (taken.length === 0) throw new Infeasible(`insufficient capacity: no ${spec.resourceType} at ${req.site} has ${amount} units free`);
          result[spec.key] = {
            key: spec.key,
            resourceId: taken[0]!.resource_id,
            resourceIds: taken.map((t) => t.resource_id),
            attributes: (taken[0]!.attributes ?? {}) as Record<string, unknown>,
            amount,
          };
        }
        return { ok: true as const, reservations: result };
      });
    } catch (err) {
      if (err instanceof Infeasible) return { ok: false, reason: err.message };
      if (isDeadlock(err) && attempt < 5) continue;
      throw err;
    }
  }
}

/** Gives back the capacity held by an order (or one item); returns the number of reservations released. */
export async function releaseReservations(
  db: Kysely<Database> | Transaction<Database>,
  orderId: string,
  itemId?: string,
): Promise<number> {
  const work = async (trx: Transaction<Database>) => {
    let q = trx
      .updateTable('reservations')
      .set({ status: 'released', released_at: new Date() })
      .where('order_id', '=', orderId)
      .where('status', 'in', ['reserved', 'committed']);
    if (itemId !== undefined) q = q.where('order_item_id', '=', itemId);
    const released = await q.returning(['resource_id', 'amount']).execute();
    // Resource order keeps lock acquisition consistent with reserveItem.
    for (const r of released.sort((a, b) => (a.resource_id < b.resource_id ? -1 : 1))) {
      await trx
        .updateTable('resources')
        .set({ allocated: sql`allocated - ${r.amount}`, updated_at: new Date() })
        .where('id', '=', r.resource_id)
        .execute();
    }
    return released.length;
  };
  return 'isTransaction' in db && db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
}

/** Binds an item's reservations to its now-active service: they stop expiring and become its supporting resources. */
export async function commitReservations(trx: Transaction<Database>, orderId: string, itemId: string, serviceId: string): Promise<void> {
  await trx
    .updateTable('reservations')
    .set({ status: 'committed', service_id: serviceId, expires_at: null })
    .where('order_id', '=', orderId)
    .where('order_item_id', '=', itemId)
    .where('status', '=', 'reserved')
    .execute();
}

/** Releases reservations whose order died before using them; returns the order ids affected. */
export async function expireReservations(db: Kysely<Database>, now: Date = new Date()): Promise<string[]> {
  const due = await db
    .selectFrom('reservations')
    .select(['order_id', 'order_item_id'])
    .distinct()
    .where('status', '=', 'reserved')
    .where('expires_at', '<', now)
    .execute();
  for (const d of due) await releaseReservations(db, d.order_id, d.order_item_id);
  return [...new Set(due.map((d) => d.order_id))];
}

/** Free units per resource (for tests, TMF639 and the bench). */
export async function inventorySnapshot(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db.selectFrom('resources').select(['id', 'allocated']).orderBy('id').execute();
  return Object.fromEntries(rows.map((r) => [r.id, Number(r.allocated)]));
}

/** The reservations an active service holds (its supporting resources), grouped by catalog key. */
export async function serviceReservations(db: Kysely<Database> | Transaction<Database>, serviceId: string) {
  const rows = await db
    .selectFrom('reservations')
    .innerJoin('resources', 'resources.id', 'reservations.resource_id')
    .select(['reservations.id', 'reservations.key', 'reservations.resource_id', 'reservations.amount', 'resources.attributes'])
    .where('reservations.service_id', '=', serviceId)
    .where('reservations.status', '=', 'committed')
    .orderBy('reservations.resource_id')
    .execute();
  return { rows, byKey: group(rows) };
}

export interface ModifyRequest {
  orderId: string;
  itemId: string;
  serviceId: string;
  specs: readonly ReservationSpec[];
  /** Template context with the item's new characteristics. */
  context: unknown;
  ttlMs: number;
  now?: Date;
}

/**
 * Capacity for a `modify` item: the increase of every reservation the service holds, taken on the
 * same resources (a modify reconfigures, it does not move the service), atomically and all or
 * nothing. The increase is held as `reserved` rows of the modify order, so a failed or dead modify
 * gives it back like any reservation; a decrease takes nothing now and is given back only when the
 * modify completes (`applyModifyReservations`), so a compensated modify finds the service's
 * capacity where it was. Idempotent per (order, item).
 */
export async function reserveModify(db: Kysely<Database>, req: ModifyRequest): Promise<ReservationOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        await trx.selectFrom('service_orders').select('id').where('id', '=', req.orderId).forUpdate().execute();
        // One change of a service at a time: the service row serialises modifies, and a running
        // modify is visible by its `reserved` rows (at least the zero-unit marker below).
        const service = await trx.selectFrom('services').select('state').where('id', '=', req.serviceId).forUpdate().executeTakeFirst();
        if (service?.state !== 'active') throw new Infeasible(`service ${req.serviceId} is not active`);
        const held = await serviceReservations(trx, req.serviceId);
        const running = await trx.selectFrom('reservations').select(['order_id', 'order_item_id']).where('service_id', '=', req.serviceId).where('status', '=', 'reserved').execute();
        if (running.some((r) => r.order_id === req.orderId && r.order_item_id === req.itemId)) return { ok: true as const, reservations: held.byKey };
        const other = running.find((r) => r.order_id !== req.orderId);
        if (other) throw new Infeasible(`service ${req.serviceId} is being changed by order ${other.order_id}`);
        const expiresAt = new Date((req.now ?? new Date()).getTime() + req.ttlMs);
        const first = held.rows[0];
        if (first) {
          await trx
            .insertInto('reservations')
            .values({ id: randomUUID(), resource_id: first.resource_id, order_id: req.orderId, order_item_id: req.itemId, service_id: req.serviceId, key: '_modify', amount: 0, status: 'reserved', expires_at: expiresAt })
            .execute();
        }
        for (const { row, amount } of modifyDeltas(held.rows, req.specs, req.context)) {
          const delta = amount - Number(row.amount);
          if (delta <= 0) continue;
          const took = await sql<{ id: string }>`
            with took as (
              update resources set allocated = allocated + ${delta}, updated_at = now()
              where id = ${row.resource_id} and state = 'available' and capacity - allocated >= ${delta}
              returning id)
            insert into reservations (id, resource_id, order_id, order_item_id, service_id, key, amount, status, expires_at)
            select ${randomUUID()}, took.id, ${req.orderId}, ${req.itemId}, ${req.serviceId}, ${row.key}, ${delta}, 'reserved', ${expiresAt}
            from took
            returning id`.execute(trx);
          if (!took.rows[0]) throw new Infeasible(`${row.resource_id} lacks ${delta} more free units for ${req.serviceId}`);
        }
        return { ok: true as const, reservations: held.byKey };
      });
    } catch (err) {
      if (err instanceof Infeasible) return { ok: false, reason: err.message };
      if (isDeadlock(err) && attempt < 5) continue;
      throw err;
    }
  }
}

/** Each of the service's reservation rows with the amount the new characteristics need of it. */
function modifyDeltas(rows: Awaited<ReturnType<typeof serviceReservations>>['rows'], specs: readonly ReservationSpec[], context: unknown) {
  const out: Array<{ row: (typeof rows)[number]; amount: number }> = [];
  for (const spec of specs) {
    const amount = Number(resolveTemplate(spec.amount, context));
    if (!Number.isInteger(amount) || amount <= 0) throw new Infeasible(`reservation ${spec.key}: amount ${amount} is not a positive integer`);
    for (const row of rows.filter((r) => r.key === spec.key)) out.push({ row, amount });
  }
  return out;
}

/**
 * A completed modify, in the caller's transaction: the service's reservations take their new
 * amounts, the increases reserved by the modify are folded into them (`merged`), and the surplus
 * of a decrease goes back to the resources. Returns the units given back.
 */
export async function applyModifyReservations(trx: Transaction<Database>, req: Omit<ModifyRequest, 'ttlMs' | 'now'>): Promise<number> {
  const held = await serviceReservations(trx, req.serviceId);
  let freed = 0;
  for (const { row, amount } of modifyDeltas(held.rows, req.specs, req.context)) {
    const surplus = Number(row.amount) - amount;
    if (surplus === 0) continue;
    if (surplus > 0) {
      await trx.updateTable('resources').set({ allocated: sql`allocated - ${surplus}`, updated_at: new Date() }).where('id', '=', row.resource_id).execute();
      freed += surplus;
    }
    await trx.updateTable('reservations').set({ amount }).where('id', '=', row.id).execute();
  }
  await trx
    .updateTable('reservations')
    .set({ status: 'merged', released_at: new Date(), expires_at: null })
    .where('order_id', '=', req.orderId)
    .where('order_item_id', '=', req.itemId)
    .where('status', '=', 'reserved')
    .execute();
  return freed;
}
