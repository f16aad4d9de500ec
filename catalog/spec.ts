/**
 * The shape of a service specification in the catalog, and the checks a catalog file must pass:
 * characteristics with types/allowed values/defaults, the capacity it reserves, its decomposition
 * into resource actions (a DAG), its SLA and what may complete partially.
 */
import { z } from 'zod';

/** A parameter value: a literal, "{{path}}" (whole-string keeps the type), {$lookup}, {$ceilDiv}. */
export type TemplateValue = unknown;

export const characteristicSpecSchema = z.object({
  name: z.string().min(1),
  valueType: z.enum(['integer', 'number', 'string']),
  allowedValues: z.array(z.union([z.number(), z.string()])).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  default: z.union([z.number(), z.string()]).optional(),
  required: z.boolean().default(false),
});
export type CharacteristicSpec = z.infer<typeof characteristicSpecSchema>;

export const reservationSpecSchema = z.object({
  /** Name used by action templates: `{{reservation.<key>.resourceId}}`. */
  key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/),
  resourceType: z.string().min(1),
  /** Units to take (template resolving to a positive integer). */
  amount: z.unknown(),
  /** `one`: the first resource of the type at the site with room; `all`: every one at the site. */
  scope: z.enum(['one', 'all']).default('one'),
});
export type ReservationSpec = z.infer<typeof reservationSpecSchema>;

export const actionSpecSchema = z.object({
  id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]*$/),
  domain: z.string().min(1),
  targetType: z.string().min(1),
  dependsOn: z.array(z.string()).default([]),
  parameters: z.record(z.string(), z.unknown()).default({}),
  /** When the catalog allows partial completion, a failure of an optional action does not fail the item. */
  optional: z.boolean().default(false),
});
export type ActionSpec = z.infer<typeof actionSpecSchema>;

export const serviceSpecificationSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  version: z.number().int().positive(),
  description: z.string().default(''),
  characteristics: z.array(characteristicSpecSchema),
  sla: z
    .object({
      /** The QoS class each SLA tier maps to (used by the provisioning policy). */
      qosClassByTier: z.record(z.string(), z.string()).default({}),
      availability: z.number().optional(),
      maxLatencyMs: z.number().optional(),
    })
    .default({ qosClassByTier: {} }),
  reservations: z.array(reservationSpecSchema).default([]),
  actions: z.array(actionSpecSchema).min(1),
  /**
   * Whether the service may be delivered without its `optional` actions: when one of them fails
   * (permanently, or denied by policy) the rest is kept, the service goes active and the order
   * ends `partial`. Required actions never depend on optional ones.
   */
  partialCompletion: z.boolean().default(false),
  /** What to do when capacity is missing: reject the order, or hold it (`held`) and retry when capacity frees. */
  onInfeasible: z.enum(['reject', 'hold']).default('reject'),
  /** Past this the order raises a jeopardy alert. */
  expectedDurationMs: z.number().int().positive().default(60_000),
});
export type ServiceSpecification = z.infer<typeof serviceSpecificationSchema>;

export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** Orders the actions so each comes after its dependencies; throws on unknown ids and cycles. */
export function topologicalOrder(actions: readonly ActionSpec[], where: string): ActionSpec[] {
  const byId = new Map(actions.map((a) => [a.id, a]));
  if (byId.size !== actions.length) throw new CatalogError(`${where}: two actions share an id`);
  for (const a of actions) {
    for (const d of a.dependsOn) {
      if (!byId.has(d)) throw new CatalogError(`${where}: action ${a.id} depends on unknown action ${d}`);
    }
  }
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: ActionSpec[] = [];
  const visit = (a: ActionSpec, path: string[]) => {
    if (done.has(a.id)) return;
    if (visiting.has(a.id)) throw new CatalogError(`${where}: dependency cycle ${[...path, a.id].join(' -> ')}`);
    visiting.add(a.id);
    for (const d of a.dependsOn) visit(byId.get(d)!, [...path, a.id]);
    visiting.delete(a.id);
    done.add(a.id);
    order.push(a);
  };
  for (const a of actions) visit(a, []);
  return order;
}

/** Parses and checks one specification document; errors name the file and the field. */
export function parseSpecification(doc: unknown, where: string): ServiceSpecification {
  const result = serviceSpecificationSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new CatalogError(`${where}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const spec = result.data;
  topologicalOrder(spec.actions, where);
  for (const a of spec.actions) {
    if (a.optional && !spec.partialCompletion) throw new CatalogError(`${where}: action ${a.id} is optional but partialCompletion is false`);
    // A kept part must never need a part that may be missing.
    const needsOptional = a.dependsOn.find((d) => spec.actions.find((x) => x.id === d)?.optional);
    if (!a.optional && needsOptional) throw new CatalogError(`${where}: action ${a.id} is required but depends on optional action ${needsOptional}`);
  }
  const keys = new Set(spec.reservations.map((r) => r.key));
  if (keys.size !== spec.reservations.length) throw new CatalogError(`${where}: two reservations share a key`);
  return spec;
}

/** Characteristic values of an order item, checked against the spec and completed with defaults. */
export function resolveCharacteristics(
  spec: ServiceSpecification,
  given: ReadonlyArray<{ name: string; value: unknown }>,
): { values: Record<string, number | string> } | { error: string; missing?: string } {
  const values: Record<string, number | string> = {};
  const known = new Map(spec.characteristics.map((c) => [c.name, c]));
  for (const g of given) {
    if (!known.has(g.name)) return { error: `characteristic ${g.name} is not defined by ${spec.name} v${spec.version}` };
  }
  for (const c of spec.characteristics) {
    const raw = given.find((g) => g.name === c.name)?.value ?? c.default;
    if (raw === undefined) {
      // `missing`: information the BSS can still supply (the order waits `pending` for it).
      if (c.required) return { error: `characteristic ${c.name} is required by ${spec.name}`, missing: c.name };
      continue;
    }
    let value: number | string;
    if (c.valueType === 'string') {
      if (typeof raw !== 'string') return { error: `characteristic ${c.name} must be a string` };
      value = raw;
    } else {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) return { error: `characteristic ${c.name} must be a number` };
      if (c.valueType === 'integer' && !Number.isInteger(n)) return { error: `characteristic ${c.name} must be an integer` };
      if (c.min !== undefined && n < c.min) return { error: `characteristic ${c.name} must be at least ${c.min}` };
      if (c.max !== undefined && n > c.max) return { error: `characteristic ${c.name} must be at most ${c.max}` };
      value = n;
    }
    if (c.allowedValues && !c.allowedValues.includes(value)) {
      return { error: `characteristic ${c.name} must be one of ${c.allowedValues.join(', ')}` };
    }
    values[c.name] = value;
  }
  return { values };
}

/** A modify's characteristics: the service's current values, overridden by the ones the order item gives. */
export function mergeCharacteristics(
  current: Record<string, unknown>,
  given: ReadonlyArray<{ name: string; value: unknown }>,
): Array<{ name: string; value: unknown }> {
  return [...Object.entries(current).filter(([name]) => !given.some((g) => g.name === name)).map(([name, value]) => ({ name, value })), ...given];
}
