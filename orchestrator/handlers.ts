/**
 * What the orchestrator does with each consumer's messages: new orders run the saga; other
 * subjects are recorded as seen (idempotently) until their handlers exist.
 */
import type { Kysely } from 'kysely';
import type { Bus } from '../platform/bus/bus.js';
import type { BusMessage, MessageHandler } from '../platform/bus/consume.js';
import { idempotentHandler } from '../platform/bus/idempotent.js';
import type { Database } from '../platform/db/schema.js';
import type { ConsumerBinding } from './orchestrator.js';
import { requestCancellation } from './cancellation.js';
import type { SagaRun } from './saga.js';

/** How often a long saga tells JetStream it is still at work (well inside ack_wait). */
const HEARTBEAT_MS = 5_000;
/** Order sagas in flight per orchestrator process. */
export const ORDER_CONCURRENCY = 64;

export interface OrderReceived {
  orderId: string;
  tenant: string;
}

function isOrderReceived(data: unknown): data is OrderReceived {
  return typeof data === 'object' && data !== null && typeof (data as OrderReceived).orderId === 'string';
}

export interface CancelRequested {
  orderId: string;
  cancellationId: string;
}

function isCancelRequested(data: unknown): data is CancelRequested {
  return typeof data === 'object' && data !== null && typeof (data as CancelRequested).orderId === 'string' && typeof (data as CancelRequested).cancellationId === 'string';
}

export function orderIntakeHandler(bus: Bus, db: Kysely<Database>, saga: SagaRun, fallback: MessageHandler): MessageHandler {
  const { maxDeliver } = bus.topology.consumers.orchestratorOrders;
  return async (message: BusMessage) => {
    if (message.subject === bus.subjects.orders.cancelRequested && isCancelRequested(message.data)) {
      const { orderId, cancellationId } = message.data;
      const accepted = await requestCancellation(db, orderId, cancellationId);
      message.log.info({ orderId, cancellationId, accepted }, 'cancellation requested');
      if (!accepted) return;
      // A held or pending order has no saga running to notice the mark: run it now, it cancels.
      const order = await db.selectFrom('service_orders').select('state').where('id', '=', orderId).executeTakeFirst();
      if (order && (order.state === 'held' || order.state === 'pending')) {
        await saga(orderId, { correlationId: message.correlationId, finalAttempt: message.deliveryCount >= maxDeliver - 1 });
      }
      return;
    }
    if (message.subject !== bus.subjects.orders.received) return fallback(message);
    if (!isOrderReceived(message.data)) {
      // Nothing to run: record it as seen (ledger) so it is not retried forever.
      message.log.error({ data: message.data }, 'orders.intake.received without an orderId; not an order');
      return fallback(message);
    }
    const heartbeat = setInterval(() => message.working(), HEARTBEAT_MS);
    try {
      const state = await saga(message.data.orderId, {
        correlationId: message.correlationId,
        finalAttempt: message.deliveryCount >= maxDeliver - 1,
      });
      if (state === undefined) {
        message.log.error({ orderId: message.data.orderId }, 'orders.intake.received for an order that is not stored; not an order');
        return fallback(message);
      }
      message.log.info({ orderId: message.data.orderId, state }, 'order saga finished');
    } finally {
      clearInterval(heartbeat);
    }
  };
}

export function orchestratorBindings(deps: { bus: Bus; db: Kysely<Database>; saga?: SagaRun }): ConsumerBinding[] {
  const { orchestratorOrders, orchestratorNetwork } = deps.bus.topology.consumers;
  const logOnly = (spec: typeof orchestratorOrders): MessageHandler =>
    idempotentHandler(deps.db, spec.name, async (message) => {
      message.log.info('event received (no handler for it yet)');
    });
  const orders = deps.saga ? orderIntakeHandler(deps.bus, deps.db, deps.saga, logOnly(orchestratorOrders)) : logOnly(orchestratorOrders);
  return [
    // Sagas of different orders are independent; run many at once (messages of one order are not).
    { spec: orchestratorOrders, handler: orders, concurrency: deps.saga ? ORDER_CONCURRENCY : 1 },
    { spec: orchestratorNetwork, handler: logOnly(orchestratorNetwork) },
  ];
}
