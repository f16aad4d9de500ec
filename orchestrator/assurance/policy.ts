/**
 * Assurance decides with the orchestrator's one policy engine (orchestrator/policy-engine.ts);
 * on its own (tests, bench:impact) it builds that engine the same way.
 */
import type { Bus } from '../../platform/bus/bus.js';
import type { Logger } from '../../platform/logger.js';
import type { PolicyEngine } from '../../policies/engine/index.js';
import { loadPolicyEngine } from '../policy-engine.js';

export { ASSURANCE_ENTRYPOINTS, DEFAULT_POLICY_DIR } from '../policy-engine.js';

export function loadAssurancePolicyEngine(
  bus: Pick<Bus, 'publish' | 'subjects'>,
  logger: Logger,
  options: { policyDir?: string; workers?: number } = {},
): Promise<PolicyEngine> {
  return loadPolicyEngine(bus, logger, options);
}
