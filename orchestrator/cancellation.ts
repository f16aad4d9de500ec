/**
 * TMF641 cancellation, the orchestrator's half. A CancelServiceOrder is `accepted` by the gateway;
 * `requestCancellation` marks the order (only while it is not terminal: the row lock makes this
 * and the saga's final update mutually exclusive), then the saga stops at its next checkpoint,
 * compensates and ends the order `cancelled`, and the request ends `done`. A request that comes
 * too late ends `terminatedWithError` with the reason.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import { SERVICE_ORDERING_BASE, TERMINAL_ORDER_STATES } from './order-model.js';

export interface CancelServiceOrderBody {
  id: string;
  href: string;
  state: 'accepted' | 'inProgress' | 'done' | 'terminatedWithError';
  cancellationReason?: string;
  requestedCancellationDate?: string;
  effectiveCancellationDate?: string;
  serviceOrder: { id: string; href: string; '@referredType': 'ServiceOrder'; '@type': 'ServiceOrderRef' };
  errorMessage?: { code: string; reason: string; message: string; status: string; '@type': 'ErrorMessage' };
  '@type': 'CancelServiceOrder';
}

export function cancelHref(id: string): string {
  return `${SERVICE_ORDERING_BASE}/cancelServiceOrder/${id}`;
}

type Db = Kysely<Database> | Transaction<Database>;

/** Moves a cancellation request to a new state (never out of a final one). */
export async function settleCancellation(
  db: Db,
  cancellationId: string,
  state: CancelServiceOrderBody['state'],
  patch: Partial<CancelServiceOrderBody> = {},
): Promise<void> {
  const row = await db.selectFrom('cancel_service_orders').select(['body', 'state']).where('id', '=', cancellationId).executeTakeFirst();
  if (!row || row.state === 'done' || row.state === 'terminatedWithError') return;
  const body = { ...(row.body as CancelServiceOrderBody), ...patch, state };
  await db
    .updateTable('cancel_service_orders')
    .set({ state, body: JSON.stringify(body), updated_at: new Date() })
    .where('id', '=', cancellationId)
    .where('state', 'not in', ['done', 'terminatedWithError'])
    .execute();
}

/** Marks the order for cancellation; returns false (and ends the request with an error) when the order is already terminal. */
export async function requestCancellation(db: Kysely<Database>, orderId: string, cancellationId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const marked = await trx
      .updateTable('service_orders')
      .set({ cancellation_id: cancellationId })
      .where('id', '=', orderId)
      .where('state', 'not in', [...TERMINAL_ORDER_STATES])
      .where((eb) => eb.or([eb('cancellation_id', 'is', null), eb('cancellation_id', '=', cancellationId)]))
      .returning('id')
      .executeTakeFirst();
    if (marked) {
      await settleCancellation(trx, cancellationId, 'inProgress');
      return true;
    }
    const order = await trx.selectFrom('service_orders').select(['state', 'cancellation_id']).where('id', '=', orderId).executeTakeFirst();
    const reason = !order
      ? `service order ${orderId} does not exist`
      : order.cancellation_id && order.cancellation_id !== cancellationId
        ? `service order ${orderId} is already being cancelled by ${order.cancellation_id}`
        : `service order ${orderId} is already ${order.state}`;
    await settleCancellation(trx, cancellationId, 'terminatedWithError', {
      errorMessage: { code: 'tooLate', reason, message: reason, status: 'terminatedWithError', '@type': 'ErrorMessage' },
    });
    return false;
  });
}
