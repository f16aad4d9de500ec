/**
 * The policy engine assurance decides with: the same policies/rego bundle as order-to-activation,
 * compiled with assurance's entrypoints (plus provisioning, which remediation actions go through).
 * Every decision is published to the decisions stream for the audit log, like the saga's.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bus } from '../../platform/bus/bus.js';
import type { Logger } from '../../platform/logger.js';
import { buildBundle } from '../../policies/bundle.js';
import { createPolicyEngine, type PolicyEngine } from '../../policies/engine/index.js';
import { loadPolicyDir } from '../../policies/sources.js';

/** policies/rego, the shipped policies (the same directory order-to-activation compiles). */
export const DEFAULT_POLICY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../policies/rego');

export const ASSURANCE_ENTRYPOINTS = [
  'junction/notification/decision',
  'junction/remediation/decision',
  'junction/sla_credit/decision',
  'junction/provisioning/decision',
];

export async function loadAssurancePolicyEngine(
  bus: Pick<Bus, 'publish' | 'subjects'>,
  logger: Logger,
  options: { policyDir?: string; workers?: number } = {},
): Promise<PolicyEngine> {
  const policyDir = options.policyDir ?? DEFAULT_POLICY_DIR;
  const dir = loadPolicyDir(policyDir);
  const { bundle } = await buildBundle({ sources: dir.sources, data: dir.data, entrypoints: ASSURANCE_ENTRYPOINTS });
  logger.info({ revision: bundle.manifest.revision, policyDir }, 'assurance policy bundle built');
  return createPolicyEngine({
    bundle,
    workers: options.workers,
    bundleName: 'junction',
    onDecision: async (d) => {
      await bus.publish(bus.subjects.decisions.recorded, d, { messageId: d.decision_id, correlationId: d.network_event_id });
    },
  });
}
