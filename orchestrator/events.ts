/**
 * What the saga tells the world, over the bus: order state changes (orders stream, for the
 * orchestrator and audit), TMF641 events for the BSS (notifications stream, for the hub notifier)
 * and billing triggers. Message ids are natural (order + state, service + event) so a re-announce
 * after a crash is dropped by the stream's duplicate window.
 */
import type { Bus } from '../platform/bus/bus.js';
import { groupPublisher } from '../platform/bus/group-publish.js';
import type { ServiceOrderBody } from './order-model.js';

/** Billing triggers ride the notifications stream (`<ns>.notifications.>`) beside the BSS events. */
export function billingSubjects(ns: string) {
  return {
    /** Orchestrator → billing. A service became active; payload: BillingEvent. */
    start: `${ns}.notifications.billing.start`,
    /** Orchestrator → billing. A service was terminated; payload: BillingEvent. */
    stop: `${ns}.notifications.billing.stop`,
    /** Orchestrator → billing. An active service's characteristics changed (modify); payload: BillingEvent with previousCharacteristics and changeDate. */
    change: `${ns}.notifications.billing.change`,
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
  /** billing.change: what was billed until changeDate. */
  previousCharacteristics?: Record<string, unknown>;
  changeDate?: string;
}

/** A TMF641 event as the hub delivers it. */
export interface TmfEvent {
  eventId: string;
  eventTime: string;
  eventType: string;
  correlationId?: string;
  /** ServiceOrderInformationRequiredEvent: the field the order lacks, e.g. `serviceOrderItem[0].service.place`. */
  fieldPath?: string;
  event: { serviceOrder: ServiceOrderBody };
}

/** Orders can go back to `held` / `pending` more than once: each round's state events get their own ids. */
export const REENTRANT_MILESTONES = new Set(['held', 'informationRequired']);
export function orderRound(order: Pick<ServiceOrderBody, 'milestone'>): number {
  return (order.milestone ?? []).filter((m) => REENTRANT_MILESTONES.has(m.name)).length;
}

export interface OrderEvents {
  created(order: ServiceOrderBody, correlationId?: string): Promise<void>;
  stateChanged(order: ServiceOrderBody, from: string, correlationId?: string): Promise<void>;
  billingStart(event: BillingEvent, correlationId?: string): Promise<void>;
  jeopardy(order: ServiceOrderBody): Promise<void>;
  billingStop(event: BillingEvent, correlationId?: string): Promise<void>;
  billingChange(event: BillingEvent, correlationId?: string): Promise<void>;
  /** A saga step done: the milestone is the order's last `milestone` entry. */
  milestone(order: ServiceOrderBody, milestoneId: string, correlationId?: string): Promise<void>;
  /** The order lacks data (state `pending`); the BSS completes it with PATCH. */
  informationRequired(order: ServiceOrderBody, fieldPath: string, correlationId?: string): Promise<void>;
}

export function busOrderEvents(bus: Pick<Bus, 'publish' | 'subjects' | 'namespace'>, now: () => Date = () => new Date()): OrderEvents {
  const billing = billingSubjects(bus.namespace);
  // Many orders raise events at once under load (several per order): grouped, they share messages.
  const outbound = groupPublisher(bus, bus.subjects.notifications.outbound);
  const states = groupPublisher(bus, bus.subjects.orders.stateChanged);
  const tmf = async (order: ServiceOrderBody, eventType: string, eventId: string, correlationId?: string, extra: Partial<TmfEvent> = {}) => {
    const event: TmfEvent = { eventId, eventTime: now().toISOString(), eventType, correlationId, ...extra, event: { serviceOrder: order } };
    await outbound.publish({ eventType, event, orderId: order.id }, { messageId: eventId, correlationId });
  };
  return {
    async created(order, correlationId) {
      await tmf(order, 'ServiceOrderCreateEvent', `order:${order.id}:created`, correlationId);
    },
    async stateChanged(order, from, correlationId) {
      const at = now().toISOString();
      const round = orderRound(order);
      const suffix = round === 0 ? order.state : `${order.state}:${round}`;
      await Promise.all([
        states.publish({ orderId: order.id, from, to: order.state, at }, { messageId: `order:${order.id}:state:${suffix}`, correlationId }),
        tmf(order, 'ServiceOrderStateChangeEvent', `order:${order.id}:event:${suffix}`, correlationId),
      ]);
    },
    async milestone(order, milestoneId, correlationId) {
      await tmf(order, 'ServiceOrderMilestoneEvent', `order:${order.id}:milestone:${milestoneId}`, correlationId);
    },
    async informationRequired(order, fieldPath, correlationId) {
      await tmf(order, 'ServiceOrderInformationRequiredEvent', `order:${order.id}:informationRequired:${orderRound(order)}`, correlationId, { fieldPath });
    },
    async billingChange(event, correlationId) {
      await bus.publish(billing.change, event, { messageId: `billing:change:${event.serviceId}:${event.orderId}`, correlationId });
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
