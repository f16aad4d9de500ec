/**
 * Inventory reconciliation: compares what each adapter's `discover()` reports with what inventory
 * says the network should hold (the applied order actions of active services), and reports drift:
 * `missing` (in inventory, not in the network), `extra` (in the network, not in inventory),
 * `different` (present in both, parameters differ). The report goes to `<ns>.assurance.drift` and
 * is kept for `GET /assurance/v1/drift`.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DiscoverResult } from '../../adapters/contract.js';
import { stableJson } from '../../adapters/runtime/idempotency.js';
import type { Database } from '../../platform/db/schema.js';
import type { Publish } from './notify.js';

export interface DriftItem {
  resourceId: string;
  domain: string;
  serviceId?: string;
  kind: 'missing' | 'extra' | 'different';
  differences?: Array<{ field: string; expected: unknown; actual: unknown }>;
}

export interface DriftReport {
  checkedAt: string;
  adapters: Record<string, 'ok' | string>;
  expected: number;
  discovered: number;
  drift: DriftItem[];
}

/** Adapters that could not discover are reported, and their domains left out of the comparison (absence of evidence is not drift). */
export async function reconcile(db: Kysely<Database>, discovered: Record<string, DiscoverResult>, now: Date = new Date()): Promise<DriftReport> {
  const rows = await db
    .selectFrom('order_actions as oa')
    .innerJoin('services as s', (j) => j.onRef('s.order_id', '=', 'oa.order_id').onRef('s.order_item_id', '=', 'oa.order_item_id'))
    .select(['s.id as service_id', 'oa.action'])
    .where('oa.status', '=', 'applied')
    .where('s.state', '=', 'active')
    .execute();
  const adapters: DriftReport['adapters'] = {};
  const live = new Map<string, { domain: string; state: Record<string, unknown> }>();
  const covered = new Set<string>();
  for (const [name, result] of Object.entries(discovered)) {
    if (result.status !== 'success') {
      adapters[name] = `${result.status}: ${result.reason}`;
      continue;
    }
    adapters[name] = 'ok';
    for (const r of result.resources) {
      live.set(r.id, { domain: r.domain, state: r.state });
      covered.add(r.domain);
    }
  }
  const drift: DriftItem[] = [];
  const expectedIds = new Set<string>();
  let expected = 0;
  for (const row of rows) {
    const action = row.action as { domain: string; operation: string; target: { id: string }; parameters?: Record<string, unknown> };
    if (action.operation === 'delete') continue;
    expected++;
    expectedIds.add(action.target.id);
    const found = live.get(action.target.id);
    if (!found) {
      if (covered.has(action.domain) || Object.values(adapters).every((a) => a === 'ok')) drift.push({ resourceId: action.target.id, domain: action.domain, serviceId: row.service_id, kind: 'missing' });
      continue;
    }
    const differences = Object.entries(action.parameters ?? {})
      .filter(([field, value]) => stableJson(value) !== stableJson(found.state[field]))
      .map(([field, value]) => ({ field, expected: value, actual: found.state[field] }));
    if (differences.length) drift.push({ resourceId: action.target.id, domain: action.domain, serviceId: row.service_id, kind: 'different', differences });
  }
  for (const [id, r] of live) if (!expectedIds.has(id)) drift.push({ resourceId: id, domain: r.domain, kind: 'extra' });
  drift.sort((a, b) => (a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : 0));
  return { checkedAt: now.toISOString(), adapters, expected, discovered: live.size, drift };
}

/** Runs reconciliation, publishes the report, and remembers the latest one. */
export function createReconciler(deps: { db: Kysely<Database>; discoverAll: () => Promise<Record<string, DiscoverResult>>; publish: Publish; subject: string }) {
  let latest: DriftReport | undefined;
  return {
    latest: () => latest,
    async run(now: Date = new Date()): Promise<DriftReport> {
      const report = await reconcile(deps.db, await deps.discoverAll(), now);
      latest = report;
      const digest = createHash('sha256').update(stableJson(report.drift)).digest('hex').slice(0, 16);
      await deps.publish(deps.subject, report, { messageId: `drift:${report.checkedAt}:${digest}` });
      return report;
    },
  };
}
