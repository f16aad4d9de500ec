/**
 * Closed-loop remediation: the remediation policy picks an action for a threatened or actual
 * breach; the action is built from the service's own applied order action (same target, patched
 * parameters), checked by the provisioning policy like any other action, applied through the
 * adapters and verified. The KPIs that follow tell whether it worked (sla.ts).
 */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { AdapterResult, ResourceActionInput, VerifyResult, VerifyTarget } from '../../adapters/contract.js';
import type { WriteOptions } from '../../adapters/runtime/index.js';
import type { Database } from '../../platform/db/schema.js';
import type { ImpactedService } from './impact.js';
import type { Decide } from './notify.js';

export const REMEDIATION_POLICY = 'junction/remediation/decision';
export const PROVISIONING_POLICY = 'junction/provisioning/decision';

export interface RemediationAdapters {
  apply(action: ResourceActionInput, options: WriteOptions): Promise<AdapterResult>;
  verify(target: VerifyTarget): Promise<VerifyResult>;
}

const actionSchema = z.object({
  kind: z.string(),
  domain: z.string(),
  operation: z.enum(['create', 'modify', 'delete']),
  patch: z.record(z.string(), z.unknown()).default({}),
});
const remediationDecisionSchema = z.object({ action: actionSchema.nullable(), reasons: z.array(z.string()).default([]) });

export interface BreachForRemediation {
  id: string;
  serviceId: string;
  metric: string;
  status: 'threatened' | 'breached';
  observed: number;
  target: number;
  durationMs: number;
}

export type RemediationOutcome =
  | { outcome: 'none'; reasons: string[]; decisionId: string }
  | { outcome: 'denied'; kind: string; reasons: string[]; decisionId: string }
  | { outcome: 'failed'; kind: string; reason: string; decisionId: string }
  | { outcome: 'applied'; kind: string; verified: VerifyResult['status']; resource: unknown; decisionId: string };

type Db = Kysely<Database> | Transaction<Database>;

/** The service's applied actions, by domain, as order-to-activation recorded them. */
async function appliedActions(db: Db, serviceId: string) {
  const rows = await db
    .selectFrom('order_actions as oa')
    .innerJoin('services as s', (j) => j.onRef('s.order_id', '=', 'oa.order_id').onRef('s.order_item_id', '=', 'oa.order_item_id'))
    .select(['oa.order_id', 'oa.order_item_id', 'oa.action_id', 'oa.action'])
    .where('s.id', '=', serviceId)
    .where('oa.status', '=', 'applied')
    .execute();
  return rows.map((r) => ({ orderId: r.order_id, itemId: r.order_item_id, actionId: r.action_id, action: r.action as { domain: string; target: { id: string; type: string }; parameters: Record<string, unknown> } }));
}

/**
 * Inventory follows the network: the service's applied action now holds the parameters the
 * remediation configured and the resource state the adapter reported (a re-route's new `path`), so
 * the impact graph (impact.ts), a later remediation, reconciliation and a disconnect order all see
 * the service where it is now, not where it was ordered.
 */
async function recordRemediated(db: Db, base: Awaited<ReturnType<typeof appliedActions>>[number], parameters: Record<string, unknown>, result: AdapterResult): Promise<void> {
  await db
    .updateTable('order_actions')
    .set({ action: JSON.stringify({ ...base.action, parameters }), result: JSON.stringify(result), updated_at: new Date() })
    .where('order_id', '=', base.orderId)
    .where('order_item_id', '=', base.itemId)
    .where('action_id', '=', base.actionId)
    .where('status', '=', 'applied')
    .execute();
}

/** Applies the policy's patch: `null` removes a parameter (a re-route drops the pinned path); `sessionsFactor` scales sessions. */
export function patchParameters(parameters: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...parameters };
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'sessionsFactor' && typeof v === 'number') out.sessions = Math.ceil(Number(out.sessions ?? 0) * v);
    else if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

export async function remediate(
  deps: { db: Db; decide: Decide; adapters: RemediationAdapters; now?: () => Date },
  breach: BreachForRemediation,
  service: ImpactedService,
  attempts: number,
): Promise<RemediationOutcome> {
  const actions = await appliedActions(deps.db, service.serviceId);
  const input = {
    breach: { serviceId: breach.serviceId, metric: breach.metric, status: breach.status, observed: breach.observed, target: breach.target, durationMs: breach.durationMs },
    service: { id: service.serviceId, specification: service.specification, slaTier: service.slaTier, domains: [...new Set(actions.map((a) => a.action.domain))].sort() },
    attempts,
  };
  const ctx = { component: 'assurance', customerId: service.customerId, networkEventId: breach.id };
  const d = await deps.decide(REMEDIATION_POLICY, input, ctx);
  const parsed = remediationDecisionSchema.safeParse(d.result);
  if (!parsed.success || !parsed.data.action) return { outcome: 'none', reasons: parsed.success ? parsed.data.reasons : ['remediation policy gave no usable decision'], decisionId: d.decision_id };
  const chosen = parsed.data.action;
  const base = actions.find((a) => a.action.domain === chosen.domain);
  if (!base) return { outcome: 'failed', kind: chosen.kind, reason: `service ${service.serviceId} has no applied ${chosen.domain} action to remediate`, decisionId: d.decision_id };
  const action: ResourceActionInput = {
    id: `${base.orderId}/${base.itemId}/${base.actionId}/remediation`,
    domain: chosen.domain,
    operation: chosen.operation,
    target: base.action.target,
    parameters: patchParameters(base.action.parameters, chosen.patch),
    rollback: { parameters: base.action.parameters },
  };
  // Through the provisioning policy like any order's action.
  const characteristics = service.characteristics;
  const provisioning = await deps.decide(
    PROVISIONING_POLICY,
    {
      action: { id: action.id, domain: action.domain, operation: action.operation, target: action.target, parameters: action.parameters },
      order: { id: base.orderId, itemId: base.itemId, contractedBandwidthMbps: Number(characteristics.bandwidthMbps ?? action.parameters?.bandwidthMbps ?? 0), slaTier: service.slaTier },
      resources: [],
      window: { hour_utc: (deps.now?.() ?? new Date()).getUTCHours() },
    },
    { ...ctx, orderId: base.orderId },
  );
  const verdict = provisioning.result as { allow?: boolean; reasons?: string[] } | undefined;
  if (!verdict?.allow) return { outcome: 'denied', kind: chosen.kind, reasons: verdict?.reasons ?? ['provisioning policy undefined'], decisionId: provisioning.decision_id };
  const result = await deps.adapters.apply(action, { idempotencyKey: `remediation:${breach.id}:${attempts}` });
  if (result.status !== 'success') return { outcome: 'failed', kind: chosen.kind, reason: result.reason, decisionId: d.decision_id };
  await recordRemediated(deps.db, base, action.parameters ?? {}, result);
  const verified = await deps.adapters.verify({ domain: action.domain, target: action.target, expected: action.parameters });
  return { outcome: 'applied', kind: chosen.kind, verified: verified.status, resource: result.resource, decisionId: d.decision_id };
}
