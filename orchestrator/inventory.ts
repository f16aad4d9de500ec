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
import { statementBatch } from '../platform/db/statement-batch.js';

export interface Reserved {
  key: string;
  /** The first (for scope `one`, the only) resource. */
  resourceId: string;
  resourceIds: string[];
  attributes: Record<string, unknown>;
  amount: number;
}

export type ReservationOutcome =
  | {
      ok: true;
      reservations: Record<string, Reserved>;
      /** State of each reserved resource as of the reservation (the provisioning policy checks maintenance). */
      resourceStates?: Record<string, string>;
    }
  /** cancellationId: nothing was reserved because the order was cancelled first. */
  | { ok: false; reason: string; cancellationId?: string };

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

function group(rows: ReadonlyArray<{ key: string; resource_id: string; amount: number | string | bigint; attributes: unknown }>): Record<string, Reserved> {
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

interface ReservedRow {
  key: string;
  resource_id: string;
  amount: number | string;
  attributes: unknown;
  state: string;
}

/** One item as junction_reserve_items takes it, and what it answers for the item. */
interface ItemCall {
  orderId: string;
  itemId: string;
  site: string;
  specs: Array<{ key: string; resourceType: string; scope: string; amount: number }>;
  expiresAt: string;
}
type ItemAnswer = { cancellationId?: string; reservations?: ReservedRow[]; infeasible?: string; deadlock?: string };

export type ItemReserver = (req: ReserveRequest) => Promise<ReservationOutcome>;

/**
 * Takes the capacity an item needs, all or nothing, in a server-side call (junction_reserve_item,
 * migration 0012, has the rules); under load several items go in one call, each still reserved
 * and committed on its own (junction_reserve_items, migration 0013). Idempotent per (order,
 * item): a resumed saga gets the reservations its earlier run made. An order cancelled meanwhile
 * reserves nothing and comes back as `cancelled`.
 */
export function itemReserver(db: Kysely<Database>): ItemReserver {
  const reserveItems = statementBatch(async (items: ItemCall[]): Promise<ItemAnswer[]> => {
    const { rows } = await sql<{ p_results: ItemAnswer[] }>`call junction_reserve_items(${JSON.stringify(items)}::jsonb, null)`.execute(db);
    return rows[0]!.p_results;
  });
  return async (req) => {
    const specs: ItemCall['specs'] = [];
    for (const spec of req.specs) {
      const amount = Number(resolveTemplate(spec.amount, req.context));
      if (!Number.isInteger(amount) || amount <= 0) return { ok: false, reason: `reservation ${spec.key}: amount ${amount} is not a positive integer` };
      specs.push({ key: spec.key, resourceType: spec.resourceType, scope: spec.scope, amount });
    }
    const expiresAt = new Date((req.now ?? new Date()).getTime() + req.ttlMs).toISOString();
    for (let attempt = 0; ; attempt++) {
      const r = await reserveItems({ orderId: req.orderId, itemId: req.itemId, site: req.site, specs, expiresAt });
      if (r.deadlock !== undefined) {
        if (attempt < 5) continue;
        throw Object.assign(new Error(r.deadlock), { code: DEADLOCK });
      }
      if (r.infeasible !== undefined) return { ok: false, reason: r.infeasible };
      if (r.cancellationId) return { ok: false, reason: 'the order was cancelled', cancellationId: r.cancellationId };
      const reserved = r.reservations ?? [];
      return { ok: true, reservations: group(reserved), resourceStates: Object.fromEntries(reserved.map((x) => [x.resource_id, x.state])) };
    }
  };
}

/** One item's reservation, by a reserver of its own (one-off callers and tests). */
export function reserveItem(db: Kysely<Database>, req: ReserveRequest): Promise<ReservationOutcome> {
  return itemReserver(db)(req);
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
