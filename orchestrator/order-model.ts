/**
 * The TMF641 ServiceOrder as Junction stores and returns it (the `body` column), and the bits of
 * it the saga reads. The gateway builds it from the request; the saga only changes states,
 * dates, errorMessage, milestone and the items' service references.
 */
export const SERVICE_ORDERING_BASE = '/tmf-api/serviceOrdering/v4';
export const SERVICE_INVENTORY_BASE = '/tmf-api/serviceInventory/v4';
export const RESOURCE_INVENTORY_BASE = '/tmf-api/resourceInventory/v4';

export const TERMINAL_ORDER_STATES = new Set(['completed', 'failed', 'partial', 'rejected', 'cancelled']);

export interface Characteristic {
  name: string;
  value: unknown;
  valueType?: string;
  '@type'?: string;
}

export interface OrderItem {
  id: string;
  action: 'add' | 'modify' | 'delete' | 'noChange';
  state: string;
  service: {
    id?: string;
    href?: string;
    name?: string;
    state?: string;
    serviceSpecification?: { id: string; name?: string; version?: string; '@type'?: string };
    serviceCharacteristic?: Characteristic[];
    place?: Array<{ id?: string; role: string; '@type'?: string }>;
    '@type'?: string;
  };
  '@type': 'ServiceOrderItem';
  [k: string]: unknown;
}

export interface ErrorMessage {
  code: string;
  reason: string;
  message: string;
  status: string;
  timestamp: string;
  serviceOrderItem?: Array<{ id: string; itemId: string; serviceOrderId: string; '@type'?: string }>;
  '@type': 'ServiceOrderErrorMessage';
}

/** TMF641 ServiceOrderMilestone: one per saga step done (and per hold / information request). */
export interface Milestone {
  id: string;
  name: string;
  message: string;
  milestoneDate: string;
  status: string;
  serviceOrderItem?: Array<{ id: string; itemId: string; serviceOrderId: string; '@type'?: string }>;
  '@type': 'ServiceOrderMilestone';
}

/** States in which the saga has not started work yet (or waits): the order may still be PATCHed. */
export const WAITING_ORDER_STATES = new Set(['acknowledged', 'pending', 'held']);

export interface ServiceOrderBody {
  id: string;
  href: string;
  state: string;
  orderDate: string;
  externalId?: string;
  relatedParty?: Array<{ id: string; role?: string; name?: string; '@type': string; '@referredType': string }>;
  serviceOrderItem: OrderItem[];
  errorMessage?: ErrorMessage[];
  milestone?: Milestone[];
  startDate?: string;
  completionDate?: string;
  '@type': 'ServiceOrder';
  [k: string]: unknown;
}

/** The customer the order is for: the relatedParty with role customer (else the only party). */
export function customerOf(order: Pick<ServiceOrderBody, 'relatedParty'>): string | undefined {
  const parties = order.relatedParty ?? [];
  return (parties.find((p) => p.role?.toLowerCase() === 'customer') ?? (parties.length === 1 ? parties[0] : undefined))?.id;
}

/** The site an item is for: its place (role installationAddress / site, else the first). */
export function siteOf(item: OrderItem): string | undefined {
  const places = item.service.place ?? [];
  return (places.find((p) => /site|install/i.test(p.role)) ?? places[0])?.id;
}

export function orderHref(id: string): string {
  return `${SERVICE_ORDERING_BASE}/serviceOrder/${id}`;
}

export function serviceHref(id: string): string {
  return `${SERVICE_INVENTORY_BASE}/service/${id}`;
}

export function resourceHref(id: string): string {
  return `${RESOURCE_INVENTORY_BASE}/resource/${encodeURIComponent(id)}`;
}

/** The service an `add` item creates: deterministic, so a resumed saga addresses the same one. */
export function serviceIdFor(orderId: string, itemId: string): string {
  return `svc-${orderId}-${itemId}`;
}
