/**
 * What the saga tells the world, over the bus: order state changes (orders stream, for the
 * orchestrator and audit), TMF641 events for the BSS (notifications stream, for the hub notifier)
 * and billing triggers. Message ids are natural (order + state, service + event) so a re-announce
 * after a crash is dropped by the stream's duplicate window.
 */
import type { Bus } from '../platform/bus/bus.js';
import type { ServiceOrderBody } from './order-model.js';

/** Billing triggers ride the notifications stream (`<ns>.notifications.>`) beside the BSS events. */
export function billingSubjects(ns: string) {
  return {
    /** Orchestrator → billing. A service became active; payload: BillingEvent. */
    start: `${ns}.notifications.billing.start`,
    /** Orchestrator → billing. A service was terminated; payload: BillingEvent. */
    stop: `${ns}.notifications.billing.stop`,
  } as const;
}

export interface BillingEvent {
  serviceId: string;
  orderId: string;
  customerId: string;
  specification: string;
  characteristics: Record<string, unknown>;
  startDate?: string;
  endDate?: string;
}

/** A TMF641 event as the hub delivers it. */
export interface TmfEvent {
  eventId: string;
  eventTime: string;
  eventType: string;
  correlationId?: string;
  event: { serviceOrder: ServiceOrderBody };
}

export interface OrderEvents {
  created(order: ServiceOrderBody, correlationId?: string): Promise<void>;
  stateChanged(order: ServiceOrderBody, from: string, correlationId?: string): Promise<void>;
  billingStart(event: BillingEvent, correlationId?: string): Promise<void>;
  jeopardy(order: ServiceOrderBody): Promise<void>;
  billingStop(event: BillingEvent, correlationId?: string): Promise<void>;
}

export function busOrderEvents(bus: Pick<Bus, 'publish' | 'subjects' | 'namespace'>, now: () => Date = () => new Date()): OrderEvents {
  const billing = billingSubjects(bus.namespace);
  const tmf = async (order: ServiceOrderBody, eventType: string, eventId: string, correlationId?: string) => {
    const event: TmfEvent = { eventId, eventTime: now().toISOString(), eventType, correlationId, event: { serviceOrder: order } };
    await bus.publish(bus.subjects.notifications.outbound, { eventType, event, orderId: order.id }, { messageId: eventId, correlationId });
  };
  return {
    async created(order, correlationId) {
      await tmf(order, 'ServiceOrderCreateEvent', `order:${order.id}:created`, correlationId);
    },
    async stateChanged(order, from, correlationId) {
      const at = now().toISOString();
      await bus.publish(
        bus.subjects.orders.stateChanged,
        { orderId: order.id, from, to: order.state, at },
        { messageId: `order:${order.id}:state:${order.state}`, correlationId },
      );
      await tmf(order, 'ServiceOrderStateChangeEvent', `order:${order.id}:event:${order.state}`, correlationId);
    },
    async jeopardy(order) {
      await tmf(order, 'ServiceOrderJeopardyEvent', `order:${order.id}:jeopardy`);
    },
    async billingStop(event, correlationId) {
      await bus.publish(billing.stop, event, { messageId: `billing:stop:${event.serviceId}`, correlationId });
    },
    async billingStart(event, correlationId) {
      await bus.publish(billing.start, event, { messageId: `billing:start:${event.serviceId}`, correlationId });
    },
  };
}
