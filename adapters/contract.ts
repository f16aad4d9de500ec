/**
 * The southbound adapter contract: the stable surface between Junction and every SDN/NFV plugin,
 * built-in or third-party. Everything that crosses it is plain data described by a zod schema,
 * so actions can travel over the bus, be stored, and be validated at the boundary.
 *
 * Stability rule: fields may be added as optional; nothing here is renamed or removed without a
 * new major version of the contract (`CONTRACT_VERSION`).
 */
import { z } from 'zod';
import type { Logger } from 'pino';

export const CONTRACT_VERSION = 1;

/** Domains Junction's catalog decomposes into. Third-party adapters may serve other names too. */
export const KNOWN_DOMAINS = ['ran', 'transport', 'core', 'access', 'nfv'] as const;
export const domainSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a domain is lowercase letters, digits and dashes, e.g. "transport"');
export type Domain = z.infer<typeof domainSchema>;

/** What an action does to its target resource (TMF641 add/modify/delete after decomposition). */
export const operationSchema = z.enum(['create', 'modify', 'delete']);
export type Operation = z.infer<typeof operationSchema>;

/** A network resource as the inventory names it. */
export const resourceRefSchema = z.object({
  /** Junction's id for the resource (stable across adapters; e.g. the service id from the order). */
  id: z.string().min(1),
  /** Resource type from the catalog, e.g. `transport-service`, `ran-slice`, `network-service`. */
  type: z.string().min(1),
});
export type ResourceRef = z.infer<typeof resourceRefSchema>;

/** Parameters are catalog characteristics after decomposition: JSON values keyed by name. */
export const parametersSchema = z.record(z.string(), z.unknown());
export type Parameters = z.infer<typeof parametersSchema>;

/**
 * RESTCONF binding of an action, filled from the catalog (never from adapter code).
 * Strings and the payload may contain `{{placeholders}}`: `{{target.id}}`, `{{target.type}}`,
 * `{{parameters.<name>}}`, `{{domain}}`. A JSON string that is exactly one placeholder keeps the
 * parameter's JSON type (number stays a number); placeholders inside longer strings are
 * interpolated (URL-encoded in paths).
 */
export const restconfBindingSchema = z.object({
  /** Data resource path below `{+restconf}/data`, e.g. `ietf-l2vpn:l2vpn/vpn={{target.id}}`. */
  path: z.string().min(1),
  /**
   * Parent path for creation with POST (RFC 8040 §4.4.1). Without it, creation is a PUT on `path`
   * (§4.5), which is naturally idempotent.
   */
  createPath: z.string().min(1).optional(),
  /** JSON payload template (application/yang-data+json) for create and modify. */
  payload: z.unknown().optional(),
});
export type RestconfBinding = z.infer<typeof restconfBindingSchema>;

/** What is needed to undo an action when the adapter cannot derive it from its own state. */
export const rollbackHintsSchema = z.object({
  /** The parameters before a modify (to restore), or of the resource before a delete (to re-create). */
  parameters: parametersSchema.optional(),
  /** Free-form notes from the catalog for the adapter (e.g. an alternative cleanup path). */
  notes: z.string().optional(),
});
export type RollbackHints = z.infer<typeof rollbackHintsSchema>;

/** One unit of southbound work from catalog decomposition. Plain data. */
export const resourceActionSchema = z.object({
  /** Optional id of the action within its order (for logs and inventory), e.g. `order-1/item-2/transport`. */
  id: z.string().min(1).optional(),
  domain: domainSchema,
  operation: operationSchema,
  target: resourceRefSchema,
  parameters: parametersSchema.default({}),
  rollback: rollbackHintsSchema.optional(),
  /** Pin the action to one adapter instance by name instead of routing by domain. */
  adapter: z.string().min(1).optional(),
  restconf: restconfBindingSchema.optional(),
});
export type ResourceAction = z.infer<typeof resourceActionSchema>;
/** The input form (parameters may be omitted). */
export type ResourceActionInput = z.input<typeof resourceActionSchema>;

/** A resource's state as the adapter observed or left it. */
export const resourceStateSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  /** Ids the network side knows the resource by (NS instance id, OVSDB row uuid...), for inventory. */
  externalIds: z.record(z.string(), z.string()).default({}),
  state: z.record(z.string(), z.unknown()).default({}),
});
export type ResourceState = z.infer<typeof resourceStateSchema>;

/**
 * Machine-readable failure codes. `reason` is for people; `code` is for the orchestrator's logic.
 * Adapters may use other codes; these are the ones the runtime itself produces or reads.
 */
export const FAILURE_CODES = [
  'timeout',
  'adapter-unavailable',
  'unreachable',
  'capacity',
  'conflict',
  'not-found',
  'invalid-action',
  'rejected',
  'unsupported',
  'internal',
] as const;

const failureFields = {
  reason: z.string().min(1),
  code: z.string().optional(),
};

export const successResultSchema = z.object({
  status: z.literal('success'),
  reason: z.string().min(1),
  resource: resourceStateSchema,
  /** True when the network already was in the requested state and nothing was changed. */
  unchanged: z.boolean().optional(),
});
/** Retry later: the network or the adapter could not do it now (timeouts, 5xx, lock held, link flap). */
export const transientFailureSchema = z.object({
  status: z.literal('transient'),
  ...failureFields,
  /** A hint from the far side (e.g. Retry-After), in milliseconds. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
/** Will not succeed by retrying: compensate (rollback the order's other actions). */
export const permanentFailureSchema = z.object({
  status: z.literal('permanent'),
  ...failureFields,
});
export const adapterResultSchema = z.discriminatedUnion('status', [
  successResultSchema,
  transientFailureSchema,
  permanentFailureSchema,
]);
export type SuccessResult = z.infer<typeof successResultSchema>;
export type TransientFailure = z.infer<typeof transientFailureSchema>;
export type PermanentFailure = z.infer<typeof permanentFailureSchema>;
export type AdapterFailure = TransientFailure | PermanentFailure;
export type AdapterResult = z.infer<typeof adapterResultSchema>;

/** What to check in `verify`: the resource and the state Junction expects it to have. */
export const verifyTargetSchema = z.object({
  domain: domainSchema,
  target: resourceRefSchema,
  /** Expected values (usually the parameters of the last successful action). Omitted: presence only. */
  expected: parametersSchema.optional(),
  restconf: restconfBindingSchema.optional(),
});
export type VerifyTarget = z.infer<typeof verifyTargetSchema>;

export const differenceSchema = z.object({
  field: z.string(),
  expected: z.unknown(),
  actual: z.unknown(),
});
export type Difference = z.infer<typeof differenceSchema>;

export const verifyResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('in-sync'), reason: z.string(), resource: resourceStateSchema }),
  z.object({
    status: z.literal('drifted'),
    reason: z.string(),
    resource: resourceStateSchema,
    differences: z.array(differenceSchema).min(1),
  }),
  z.object({ status: z.literal('absent'), reason: z.string() }),
  transientFailureSchema,
  permanentFailureSchema,
]);
export type VerifyResult = z.infer<typeof verifyResultSchema>;

export const discoveredResourceSchema = resourceStateSchema.extend({ domain: domainSchema });
export type DiscoveredResource = z.infer<typeof discoveredResourceSchema>;
export const discoverResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), resources: z.array(discoveredResourceSchema) }),
  transientFailureSchema,
  permanentFailureSchema,
]);
export type DiscoverResult = z.infer<typeof discoverResultSchema>;

export const healthReportSchema = z.object({
  status: z.enum(['up', 'degraded', 'down']),
  detail: z.string().optional(),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

/** Given to every call: the caller's idempotency key, the absolute deadline and its abort signal. */
export interface CallContext {
  /** Same key ⇒ same intended effect. Adapters may use it as a request id towards the network. */
  idempotencyKey: string;
  /** Epoch milliseconds by which the call must have returned. */
  deadline: number;
  /** Aborted at the deadline (or when the caller gives up). Pass it to fetch/sockets. */
  signal: AbortSignal;
}
/** `verify`, `discover` and `health` have no side effects, so they need no idempotency key. */
export type ReadContext = Omit<CallContext, 'idempotencyKey'>;

/** A southbound adapter instance, as created by its factory. */
export interface SouthboundAdapter {
  /** Instance name from configuration (several instances of one factory may run). */
  readonly name: string;
  readonly domains: readonly Domain[];
  /**
   * Configures the network. Must be idempotent on the network side as far as the protocol allows
   * (re-applying a create whose effect is already present returns success with `unchanged`),
   * because a crash can happen after the network changed and before the result was recorded.
   */
  apply(action: ResourceAction, ctx: CallContext): Promise<AdapterResult>;
  /** Undoes `action` (create → remove, modify → restore hints, delete → re-create from hints). */
  rollback(action: ResourceAction, ctx: CallContext): Promise<AdapterResult>;
  verify(target: VerifyTarget, ctx: ReadContext): Promise<VerifyResult>;
  /** The live state, for inventory reconciliation. */
  discover(ctx: ReadContext): Promise<DiscoverResult>;
  health(ctx: ReadContext): Promise<HealthReport>;
  /** Optional: begin background work (timers, subscriptions) once the registry is assembled. */
  start?(): Promise<void>;
  /** Optional: release connections and timers. */
  close?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Network events: what adapters may publish (alarms, KPIs, usage). They never write the database.

export const perceivedSeveritySchema = z.enum(['critical', 'major', 'minor', 'warning', 'indeterminate', 'cleared']);

/** An alarm shaped after TMF642 Alarm (the fields Junction uses). */
export const alarmEventSchema = z.object({
  kind: z.literal('alarm'),
  /** Unique per alarm; a clear reuses the id of the alarm it clears. */
  id: z.string().min(1),
  /** The adapter instance that observed it. */
  source: z.string().min(1),
  /** When this event (raise or clear) happened, ISO 8601. */
  eventTime: z.string().datetime(),
  state: z.enum(['raised', 'updated', 'cleared']),
  alarmedObject: resourceRefSchema,
  alarmType: z.enum([
    'communicationsAlarm',
    'processingErrorAlarm',
    'environmentalAlarm',
    'qualityOfServiceAlarm',
    'equipmentAlarm',
  ]),
  perceivedSeverity: perceivedSeveritySchema,
  /** X.733-style probable cause, e.g. `lossOfSignal`, `thresholdCrossed`. */
  probableCause: z.string().min(1),
  specificProblem: z.string().optional(),
  alarmRaisedTime: z.string().datetime(),
  alarmClearedTime: z.string().datetime().optional(),
  isRootCause: z.boolean().optional(),
  /** Id of the root-cause alarm this one follows from (TMF642 parentAlarm). */
  parentAlarmId: z.string().optional(),
  /** Services affected (TMF642 affectedService). */
  affectedService: z.array(z.object({ id: z.string() })).optional(),
});
export type AlarmEvent = z.infer<typeof alarmEventSchema>;

export const kpiEventSchema = z.object({
  kind: z.literal('kpi'),
  id: z.string().min(1),
  source: z.string().min(1),
  eventTime: z.string().datetime(),
  resource: resourceRefSchema,
  /** e.g. `latency`, `throughput`, `prb_utilisation`, `availability`. */
  metric: z.string().min(1),
  value: z.number(),
  /** e.g. `ms`, `Mbit/s`, `percent`, `ratio`. */
  unit: z.string().min(1),
});
export type KpiEvent = z.infer<typeof kpiEventSchema>;

export const usageEventSchema = z.object({
  kind: z.literal('usage'),
  id: z.string().min(1),
  source: z.string().min(1),
  eventTime: z.string().datetime(),
  resource: resourceRefSchema,
  periodStart: z.string().datetime(),
  periodEnd: z.string().datetime(),
  /** What was used, e.g. `data_volume`, `sessions`. */
  usageType: z.string().min(1),
  quantity: z.number().nonnegative(),
  unit: z.string().min(1),
});
export type UsageEvent = z.infer<typeof usageEventSchema>;

export const networkEventSchema = z.discriminatedUnion('kind', [alarmEventSchema, kpiEventSchema, usageEventSchema]);
export type NetworkEvent = z.infer<typeof networkEventSchema>;

/** Publishes one event to the network-events stream. Rejects when the stream did not take it. */
export type EventPublisher = (event: NetworkEvent) => Promise<void>;

// ---------------------------------------------------------------------------------------------
// Factories: what an adapter module exports.

/** Time, injectable so tests and simulations control it. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  schedule(fn: () => void, ms: number): () => void;
}

/** What the runtime gives an adapter; adapters get nothing else (no db, no bus, no env). */
export interface AdapterDeps {
  logger: Logger;
  clock: Clock;
  events: EventPublisher;
  /** Directory relative paths in settings are resolved against (the configuration file's folder). */
  baseDir: string;
}

/**
 * The export of an adapter module: `export default` an `AdapterFactory` (or export it as
 * `adapterFactory`). `settingsSchema` validates the per-instance settings from configuration
 * before `create` is called.
 */
export interface AdapterFactory<S = unknown> {
  /** The factory's kind name, e.g. `simulator`, `acme-olt`. */
  readonly kind: string;
  readonly description?: string;
  /** Domains served when configuration does not narrow them. */
  readonly domains: readonly Domain[];
  readonly settingsSchema: z.ZodType<S>;
  create(instanceName: string, settings: S, deps: AdapterDeps): SouthboundAdapter | Promise<SouthboundAdapter>;
}

/** Helper for adapter authors: keeps the settings type inferred from the schema. */
export function defineAdapter<Schema extends z.ZodType>(factory: {
  kind: string;
  description?: string;
  domains: readonly Domain[];
  settingsSchema: Schema;
  create(instanceName: string, settings: z.output<Schema>, deps: AdapterDeps): SouthboundAdapter | Promise<SouthboundAdapter>;
}): AdapterFactory<z.output<Schema>> {
  return factory as AdapterFactory<z.output<Schema>>;
}

// Small constructors so adapters don't hand-write result objects.
export const succeeded = (reason: string, resource: z.input<typeof resourceStateSchema>, unchanged?: boolean): SuccessResult => ({
  status: 'success',
  reason,
  resource: { externalIds: {}, state: {}, ...resource },
  ...(unchanged ? { unchanged } : {}),
});
export const transient = (reason: string, code?: string, retryAfterMs?: number): TransientFailure => ({
  status: 'transient',
  reason,
  ...(code ? { code } : {}),
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});
export const permanent = (reason: string, code?: string): PermanentFailure => ({
  status: 'permanent',
  reason,
  ...(code ? { code } : {}),
});

/** The verify target that checks what `action` configured. */
export function verifyTargetOf(action: ResourceAction): VerifyTarget {
  return {
    domain: action.domain,
    target: action.target,
    expected: action.parameters,
    ...(action.restconf ? { restconf: action.restconf } : {}),
  };
}
