/** Test fixtures for audit/: a migrated database and decision events. */
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import type { DecisionEvent } from '../record.js';
import { applyAuditMigrations } from '../migrations/index.js';
import type { AuditDb, PendingDecision } from '../store.js';
import { createUuidV7Generator } from '../uuidv7.js';

export interface AuditTestDatabase {
  db: AuditDb;
  url: string;
  drop(): Promise<void>;
}

export async function createAuditTestDatabase(): Promise<AuditTestDatabase> {
  const t: TestDatabase = await createTestDatabase();
  await applyAuditMigrations(t.db);
  return { db: t.db as unknown as AuditDb, url: t.url, drop: () => t.drop() };
}

const nextId = createUuidV7Generator();

/** A plausible admission decision; `i` varies order, customer, result and time. */
export function decisionEvent(i: number, overrides: Partial<DecisionEvent> = {}): DecisionEvent {
  return {
    decision_id: nextId(),
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + i * 1000).toISOString(),
    path: i % 3 === 0 ? 'junction/network/activation/allow' : 'junction/order/admission',
    input: { order: { id: `o-${i}`, items: [{ action: 'add', product: 'fiber-1g' }] }, customer: { id: `c-${i % 7}`, msisdn: `+49151${String(i).padStart(7, '0')}` } },
    result: i % 5 === 0 ? { allow: false, reasons: ['credit check failed'] } : { allow: true, reasons: [] },
    bundles: { junction: { revision: i < 1000 ? 'rev-1' : 'rev-2' } },
    metrics: { timer_rego_query_eval_ns: 12_000 + i },
    wasm_digest: 'sha256:' + 'ab'.repeat(32),
    request_id: `req-${i}`,
    order_id: `o-${i}`,
    customer_id: `c-${i % 7}`,
    network_event_id: null,
    principal: 'bss-crm',
    component: 'orchestrator',
    ...overrides,
  };
}

export function pendingDecision(i: number, overrides: Partial<PendingDecision> = {}): PendingDecision {
  const e = decisionEvent(i);
  return {
    decision_id: e.decision_id,
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace('Z', '000Z'),
    path: e.path,
    input: e.input,
    result: e.result,
    bundles: e.bundles!,
    metrics: e.metrics!,
    wasm_digest: e.wasm_digest ?? null,
    request_id: e.request_id ?? null,
    order_id: e.order_id ?? null,
    customer_id: e.customer_id ?? null,
    network_event_id: null,
    principal: e.principal ?? null,
    component: e.component ?? null,
    masked: [],
    erased: [],
    ...overrides,
  };
}
