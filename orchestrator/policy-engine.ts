/**
 * The policy engine the orchestrator decides with, one per process: the shipped policies/rego
 * bundle compiled once with every entrypoint the saga and assurance ask (entitlement,
 * provisioning, notification, remediation, SLA credit). One engine means one compile at start,
 * one worker pool, and one bundle that the policy lifecycle swaps for every decision at once.
 * Every decision is published to the decisions stream for the audit log.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bus } from '../platform/bus/bus.js';
import type { Logger } from '../platform/logger.js';
import { buildBundle } from '../policies/bundle.js';
import { createPolicyEngine, type PolicyEngine } from '../policies/engine/index.js';
import { loadPolicyDir } from '../policies/sources.js';
import { busDecisionPublisher } from '../policies/engine/publish.js';

/** policies/rego, the shipped policies. */
export const DEFAULT_POLICY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../policies/rego');

/** What the order saga asks. */
export const ORDER_ENTRYPOINTS = ['junction/entitlement/decision', 'junction/provisioning/decision'];
/** What assurance asks (remediation actions go through provisioning like any other action). */
export const ASSURANCE_ENTRYPOINTS = ['junction/notification/decision', 'junction/remediation/decision', 'junction/sla_credit/decision', 'junction/provisioning/decision'];
/** Everything the orchestrator's engine answers; an uploaded bundle must have them all to be activated. */
export const DECISION_ENTRYPOINTS = [...new Set([...ORDER_ENTRYPOINTS, ...ASSURANCE_ENTRYPOINTS])];

export async function loadPolicyEngine(
  bus: Pick<Bus, 'publish' | 'subjects'>,
  logger: Logger,
  options: { policyDir?: string; workers?: number; entrypoints?: string[] } = {},
): Promise<PolicyEngine> {
  const policyDir = options.policyDir ?? DEFAULT_POLICY_DIR;
  const dir = loadPolicyDir(policyDir);
  const { bundle } = await buildBundle({ sources: dir.sources, data: dir.data, entrypoints: options.entrypoints ?? DECISION_ENTRYPOINTS });
  logger.info({ revision: bundle.manifest.revision, policyDir }, 'policy bundle built');
  return createPolicyEngine({
    bundle,
    // On the event loop unless configured: the shipped policies evaluate in microseconds, less
    // than a hand-off to a thread and back costs (bench:orders: 14% less CPU per order with 0
    // than with a thread per core). Threads are for policy sets slow enough to hold the loop up.
    workers: options.workers ?? 0,
    bundleName: 'junction',
    // Every decision goes to the audit log through the decisions stream.
    onDecision: busDecisionPublisher(bus),
  });
}
