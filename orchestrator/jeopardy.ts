/**
 * Jeopardy: an order still running past the expected duration its catalog specifications give
 * gets a TMF641 `jeopardyAlert` and a ServiceOrderJeopardyEvent, once. The alert is written with
 * jsonb operations so it does not race the saga's own writes of the order (the saga keeps it).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { CatalogReader } from '../catalog/store.js';
import type { Database } from '../platform/db/schema.js';
import type { OrderEvents } from './events.js';
import type { ServiceOrderBody } from './order-model.js';

/** The body to store in an update: `next` (jsonb), keeping a jeopardyAlert the sweep added to `stored` meanwhile. */
export function keepingJeopardyAlert(next: RawBuilder<unknown>, stored: RawBuilder<unknown>) {
  return sql<string>`${next} || jsonb_strip_nulls(jsonb_build_object('jeopardyAlert', ${stored}->'jeopardyAlert'))`;
}

/** The stored body for an update of service_orders: the saga's copy, keeping a jeopardyAlert the sweep added meanwhile. */
export function orderBodyValue(body: ServiceOrderBody) {
  return keepingJeopardyAlert(sql`${JSON.stringify(body)}::jsonb`, sql.ref('service_orders.body'));
}

export async function raiseJeopardy(
  db: Kysely<Database>,
  catalog: CatalogReader,
  events: Pick<OrderEvents, 'jeopardy'>,
  now: Date = new Date(),
): Promise<string[]> {
  const candidates = await db
    .selectFrom('service_orders')
    .select(['id', 'body', 'order_date'])
    .where('state', 'in', ['acknowledged', 'inProgress'])
    .where(sql<boolean>`not (body ? 'jeopardyAlert')`)
    .orderBy('order_date')
    .limit(200)
    .execute();
  const raised: string[] = [];
  for (const c of candidates) {
    const body = c.body as ServiceOrderBody;
    let expectedMs = 0;
    for (const item of body.serviceOrderItem) {
      const ref = item.service.serviceSpecification;
      const spec = ref ? await catalog.get(ref.id, ref.version ? Number(ref.version) : undefined) : undefined;
      expectedMs = Math.max(expectedMs, spec?.expectedDurationMs ?? 0);
    }
    if (expectedMs === 0 || now.getTime() - c.order_date.getTime() <= expectedMs) continue;
    const alert = [
      {
        id: `${c.id}-jeopardy`,
        name: 'expected duration exceeded',
        jeopardyType: 'delay',
        message: `order running for ${Math.round((now.getTime() - c.order_date.getTime()) / 1000)} s, expected at most ${expectedMs / 1000} s`,
        alertDate: now.toISOString(),
        '@type': 'JeopardyAlert',
      },
    ];
    const updated = await db
      .updateTable('service_orders')
      .set({ body: sql`jsonb_set(body, '{jeopardyAlert}', ${JSON.stringify(alert)}::jsonb)` })
      .where('id', '=', c.id)
      .where('state', 'in', ['acknowledged', 'inProgress'])
      .where(sql<boolean>`not (body ? 'jeopardyAlert')`)
      .returning('body')
      .executeTakeFirst();
    if (!updated) continue;
    await events.jeopardy(updated.body as ServiceOrderBody);
    raised.push(c.id);
  }
  return raised;
}
