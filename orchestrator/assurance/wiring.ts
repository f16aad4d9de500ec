/**
 * Assembles assurance for a running Junction (called once from platform/runtime.ts):
 * - every process: the `/assurance/v1` routes (ingestion for role network, reads);
 * - a process with the orchestrator role: the assurance policy engine, the network-events intake,
 *   SLA monitoring with remediation through the given adapters, the sweeps and the periodic
 *   inventory reconciliation.
 */
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { DiscoverResult } from '../../adapters/contract.js';
import type { AccessControl } from '../../gateway/access.js';
import { assuranceRoutes } from '../../gateway/assurance/routes.js';
import type { GatewayEnv } from '../../gateway/context.js';
import type { Bus } from '../../platform/bus/bus.js';
import type { Database } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { PolicyEngine } from '../../policies/engine/index.js';
import { createAssuranceMetrics } from './metrics.js';
import { loadPolicyEngine } from '../policy-engine.js';
import { createReconciler, type DriftReport } from './reconciliation.js';
import type { RemediationAdapters } from './remediation.js';
import { startAssurance, type Assurance } from './service.js';
import { assuranceSubjects } from './subjects.js';

export interface AssuranceWiringDeps {
  db: Kysely<Database>;
  bus: Bus;
  logger: Logger;
  /** The process's registry (GET /metrics); absent: no assurance metrics. */
  metrics?: Pick<Metrics, 'registry'>;
  /** True in a process with the orchestrator role. */
  orchestrator: boolean;
  /** The adapter registry (remediation and reconciliation); absent: no remediation, no reconciliation. */
  adapters?: RemediationAdapters & { discoverAll(): Promise<Record<string, DiscoverResult>> };
  /** The process's policy engine (orchestrator/policy-engine.ts); absent: assurance builds one like it. */
  engine?: Pick<PolicyEngine, 'decide'>;
  policyDir?: string;
  policyWorkers?: number;
  /** Period of inventory reconciliation (default 5 minutes; 0 disables it). */
  reconcileEveryMs?: number;
}

export interface AssuranceWiring {
  routes: Array<(app: Hono<GatewayEnv>, access: AccessControl) => void>;
  assurance?: Assurance;
  engine?: Pick<PolicyEngine, 'decide'>;
  /** Runs inventory reconciliation now (also run every `reconcileEveryMs`); absent without adapters. */
  reconcileNow?: () => Promise<DriftReport>;
  close(): Promise<void>;
}

export async function prepareAssurance(deps: AssuranceWiringDeps): Promise<AssuranceWiring> {
  const subjects = assuranceSubjects(deps.bus.namespace);
  const metrics = deps.metrics ? createAssuranceMetrics(deps.metrics.registry, deps.db) : undefined;
  if (!deps.orchestrator) {
    return { routes: [assuranceRoutes({ db: deps.db, bus: deps.bus, subjects, metrics })], close: async () => undefined };
  }
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch((err) => deps.logger.warn({ err }, 'assurance cleanup failed'));
  };
  try {
    let engine = deps.engine;
    if (!engine) {
      const own = await loadPolicyEngine(deps.bus, deps.logger, { policyDir: deps.policyDir, workers: deps.policyWorkers });
      cleanups.push(() => own.close());
      engine = own;
    }
    const assurance = await startAssurance({ db: deps.db, bus: deps.bus, decide: (...args) => engine.decide(...args), logger: deps.logger, adapters: deps.adapters, metrics });
    cleanups.push(() => assurance.stop());
    const adapters = deps.adapters;
    const reconciler = adapters
      ? createReconciler({ db: deps.db, discoverAll: () => adapters.discoverAll(), publish: (s, p, o) => deps.bus.publish(s, p, o), subject: subjects.drift })
      : undefined;
    const every = deps.reconcileEveryMs ?? 5 * 60_000;
    if (reconciler && every > 0) {
      const timer = setInterval(() => void reconciler.run().catch((err) => deps.logger.warn({ err }, 'inventory reconciliation failed')), every);
      timer.unref();
      cleanups.push(async () => clearInterval(timer));
    }
    return {
      routes: [assuranceRoutes({ db: deps.db, bus: deps.bus, subjects, drift: reconciler?.latest, metrics })],
      assurance,
      engine,
      ...(reconciler ? { reconcileNow: () => reconciler.run() } : {}),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
