/**
 * The typed shape of Junction's Postgres database, as kysely sees it. Every migration that adds
 * or changes a table updates the matching interface here.
 */
import type { ColumnType, Generated } from 'kysely';

/** Dedupe ledger: one row per (consumer, message id) whose effect has been committed. */
export interface ProcessedMessagesTable {
  consumer: string;
  message_id: string;
  subject: string;
  processed_at: ColumnType<Date, never, never>;
}

export interface Database {
  processed_messages: ProcessedMessagesTable;
}

/** Issue 6: one version of one service specification, loaded from catalog files. */
export interface CatalogSpecificationsTable {
  name: string;
  version: number;
  spec: ColumnType<unknown, string, string>;
  digest: string;
  loaded_at: ColumnType<Date, never, never>;
}

export interface CustomersTable {
  tenant: string;
  id: string;
  name: string;
  /** consumer | enterprise */
  type: string;
  /** active | suspended | ... */
  status: string;
  sla_tier: string | null;
  sites: ColumnType<string[], string[] | undefined, string[]>;
}

/** A unit of network capacity (an OLT port, an IP pool, a gNB's PRBs...): the inventory's truth. */
export interface ResourcesTable {
  id: string;
  type: string;
  /** null: shared by every site. */
  site: string | null;
  domain: string;
  unit: string;
  capacity: ColumnType<string, number | string, number | string>;
  allocated: ColumnType<string, number | string | undefined, number | string>;
  /** available | maintenance | retired */
  state: ColumnType<string, string | undefined, string>;
  attributes: ColumnType<unknown, string | undefined, string>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ServiceOrdersTable {
  id: string;
  tenant: string;
  external_id: string | null;
  idempotency_key: string | null;
  customer_id: string | null;
  state: string;
  /** The TMF641 ServiceOrder representation as the API returns it. */
  body: ColumnType<unknown, string, string>;
  /** Saga progress: steps done, actions applied, catalog versions used. */
  progress: ColumnType<unknown, string | undefined, string>;
  order_date: ColumnType<Date, Date | undefined, never>;
  completion_date: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  /** Set when a CancelServiceOrder was accepted (migration 0006b); the saga checks it between steps. */
  cancellation_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ServicesTable {
  id: string;
  tenant: string;
  customer_id: string;
  order_id: string;
  order_item_id: string;
  specification: string;
  specification_version: number;
  site: string | null;
  state: string;
  characteristics: ColumnType<unknown, string, string>;
  start_date: Date | null;
  end_date: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** Capacity held for an order item; with service_id set it is also the service-to-resource relationship. */
export interface ReservationsTable {
  id: string;
  resource_id: string;
  order_id: string;
  order_item_id: string;
  service_id: string | null;
  /** The catalog's name for this reservation within the item (e.g. `port`). */
  key: string;
  amount: ColumnType<string, number | string, number | string>;
  /** reserved | committed | released */
  status: string;
  expires_at: Date | null;
  created_at: ColumnType<Date, never, never>;
  released_at: Date | null;
}

/** One resource action of an order item: pending | applied | failed | rolledBack | denied. */
export interface OrderActionsTable {
  order_id: string;
  order_item_id: string;
  action_id: string;
  /** Position in the item's topological order (rollback runs in reverse). */
  seq: number;
  status: string;
  action: ColumnType<unknown, string, string>;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** TMF641 CancelServiceOrder: acknowledged | inProgress | done | terminatedWithError. */
export interface CancelServiceOrdersTable {
  id: string;
  tenant: string;
  order_id: string;
  state: string;
  /** The CancelServiceOrder representation the API returns. */
  body: ColumnType<unknown, string, string>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** TMF641 hub subscription; `parked` when its callback kept failing (its backlog waits). */
export interface HubSubscriptionsTable {
  id: string;
  tenant: string;
  callback: string;
  query: string | null;
  /** HMAC-SHA256 key for the X-Junction-Signature header. */
  secret: string;
  state: ColumnType<string, string | undefined, string>;
  parked_reason: string | null;
  created_at: ColumnType<Date, never, never>;
}

/** One event to deliver to one subscription. */
export interface HubOutboxTable {
  seq: Generated<string>;
  subscription_id: string;
  order_id: string;
  event_id: string;
  event_type: string;
  body: ColumnType<unknown, string, string>;
  /** pending | delivered */
  status: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  last_error: string | null;
}

export interface Database {
  hub_subscriptions: HubSubscriptionsTable;
  hub_outbox: HubOutboxTable;
  cancel_service_orders: CancelServiceOrdersTable;
  order_actions: OrderActionsTable;
  catalog_specifications: CatalogSpecificationsTable;
  customers: CustomersTable;
  resources: ResourcesTable;
  service_orders: ServiceOrdersTable;
  services: ServicesTable;
  reservations: ReservationsTable;
}

/** Issue 7: an alarm as last seen (raise, update or clear), attached to its problem. */
export interface AssuranceAlarmsTable {
  source: string;
  alarm_id: string;
  resource_id: string;
  resource_type: string;
  parent_alarm_id: string | null;
  problem_id: string | null;
  state: string;
  severity: string;
  probable_cause: string;
  raised_at: Date;
  cleared_at: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** Issue 7: a service problem (TMF656-shaped), one per root cause and episode. */
export interface AssuranceProblemsTable {
  id: string;
  root_key: string;
  root_source: string;
  root_alarm_id: string;
  root_resource_id: string;
  root_resource_type: string;
  probable_cause: string;
  severity: string;
  /** inProgress | pending (root cleared, waiting out flap damping) | resolved */
  status: string;
  affected_services: ColumnType<number, number | undefined, number>;
  affected_customers: ColumnType<number, number | undefined, number>;
  child_alarms: ColumnType<number, number | undefined, number>;
  raised_at: Date;
  resolved_at: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface AssuranceProblemServicesTable {
  problem_id: string;
  service_id: string;
  tenant: string;
  customer_id: string;
}

/** Flap damping per root key: an exponentially decaying penalty (event time). */
export interface AssuranceDampingTable {
  root_key: string;
  penalty: number;
  penalty_at: Date;
  suppressed: ColumnType<boolean, boolean | undefined, boolean>;
}

/** Containment/topology: an alarm on the parent affects whatever depends on the child. */
export interface AssuranceTopologyTable {
  parent_id: string;
  child_id: string;
  relation: string;
}

/** Service-to-resource dependencies not recorded by order-to-activation (imported, discovered). */
export interface AssuranceDependenciesTable {
  resource_id: string;
  service_id: string;
  origin: string;
}

/** Notifications the notification policy delayed (batched), sent by the outbox sweep. */
export interface AssuranceOutboxTable {
  id: string;
  subject: string;
  payload: ColumnType<unknown, string, string>;
  due_at: Date;
  sent_at: Date | null;
}

export interface AssuranceKpiSamplesTable {
  subject_id: string;
  metric: string;
  event_time: Date;
  value: number;
  sample_id: string;
}

export interface AssuranceBreachesTable {
  id: string;
  service_id: string;
  metric: string;
  window_start: Date;
  window_end: Date;
  status: string;
  detail: ColumnType<unknown, string, string>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface AssuranceCreditsTable {
  service_id: string;
  period: string;
  breach_id: string;
  tenant: string;
  customer_id: string;
  amount: ColumnType<string, number | string, number | string>;
  currency: string;
  decision_id: string;
  created_at: ColumnType<Date, never, never>;
}

export interface Database {
  assurance_alarms: AssuranceAlarmsTable;
  assurance_problems: AssuranceProblemsTable;
  assurance_problem_services: AssuranceProblemServicesTable;
  assurance_damping: AssuranceDampingTable;
  assurance_topology: AssuranceTopologyTable;
  assurance_dependencies: AssuranceDependenciesTable;
  assurance_outbox: AssuranceOutboxTable;
  assurance_kpi_samples: AssuranceKpiSamplesTable;
  assurance_breaches: AssuranceBreachesTable;
  assurance_credits: AssuranceCreditsTable;
}

/** Issue 8: an API key as stored: a salted scrypt hash, never the key itself. */
export interface ApiKeysTable {
  /** Public part of the key (`jk_<id>_<secret>`): finds the row without scanning hashes. */
  id: string;
  principal: string;
  roles: ColumnType<string[], string[], string[]>;
  tenant: string | null;
  salt: Buffer;
  hash: Buffer;
  created_at: ColumnType<Date, never, never>;
  revoked_at: ColumnType<Date | null, never, Date>;
}

/** Issue 8: an uploaded policy bundle (signed sources), its test results and compiled form. */
export interface PolicyBundlesTable {
  revision: string;
  /** "sha256:<hex>" of the uploaded source bundle: what the signature covers. */
  source_digest: string;
  /** Base64 Ed25519 signature of source_digest by a compliance key. */
  signature: string;
  signer_key_id: string;
  source: Buffer;
  compiled: Buffer | null;
  compiled_digest: string | null;
  /** ready (tests passed, compiled) | rejected (compile or test failures, see problems) */
  status: string;
  tests: ColumnType<unknown, string, string>;
  problems: ColumnType<unknown, string, string>;
  uploaded_by: string;
  uploaded_at: ColumnType<Date, never, never>;
}

/** Issue 8: every activation of a bundle, in order (rollback activates an earlier revision). */
export interface PolicyActivationsTable {
  id: ColumnType<string, never, never>;
  revision: string;
  previous_revision: string | null;
  activated_by: string;
  activated_at: ColumnType<Date, never, never>;
}

export interface Database {
  api_keys: ApiKeysTable;
  policy_bundles: PolicyBundlesTable;
  policy_activations: PolicyActivationsTable;
}

/** Issue 6: a message a consumer gave up on, from the dead-letter stream, and what operators did with it. */
export interface DeadLettersTable {
  /** `<stream>:<seq>:<consumer>` */
  id: string;
  consumer: string;
  stream: string;
  stream_seq: ColumnType<string, number | string, never>;
  subject: string;
  message_id: string;
  correlation_id: string | null;
  headers: ColumnType<Record<string, string>, string, never>;
  /** json: `payload` is the JSON value; base64: `payload` is a JSON string of the bytes in base64. */
  payload_encoding: string;
  payload: ColumnType<unknown, string, never>;
  delivery_count: number;
  /** handler_failed | undecodable */
  reason: string;
  error: string;
  dead_at: ColumnType<Date, Date, never>;
  recorded_at: ColumnType<Date, never, never>;
  /** pending | retried | discarded */
  status: ColumnType<string, never, string>;
  retry_message_id: ColumnType<string | null, never, string | null>;
  resolved_at: ColumnType<Date | null, never, Date | null>;
  resolved_by: ColumnType<string | null, never, string | null>;
  note: ColumnType<string | null, never, string | null>;
}

export interface Database {
  dead_letters: DeadLettersTable;
}
