/**
 * The Authorizer gateway/access.ts consults when policy decides: evaluates
 * data.junction.authz.decision on a policy engine and sends every denial (and every allowed
 * request the policy marks `audit`) to the decision log.
 */
import type { Logger } from '../../platform/logger.js';
import { buildBundle, type PolicyBundle } from '../../policies/bundle.js';
import { createPolicyEngine, type Decision, type PolicyEngine } from '../../policies/engine/index.js';
import type { DecisionPublisher } from '../../policies/engine/publish.js';
import { loadPolicyDir } from '../../policies/sources.js';
import type { Authorizer, AuthzVerdict } from '../access.js';

export const AUTHZ_ENTRYPOINT = 'junction/authz/decision';

interface AuthzResult {
  allow: boolean;
  reasons: string[];
  audit: boolean;
}

function readResult(result: unknown): AuthzResult | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const r = result as Record<string, unknown>;
  if (typeof r.allow !== 'boolean') return undefined;
  const reasons = Array.isArray(r.reasons) ? r.reasons.filter((x): x is string => typeof x === 'string') : [];
  return { allow: r.allow, reasons, audit: r.audit === true };
}

export function policyAuthorizer(deps: { engine: Pick<PolicyEngine, 'decide'>; publish: DecisionPublisher; logger: Logger }): Authorizer {
  return {
    async authorize(input, context): Promise<AuthzVerdict> {
      let decision: Decision;
      try {
        decision = await deps.engine.decide(AUTHZ_ENTRYPOINT, input, {
          component: 'gateway',
          ...(input.principal ? { principal: input.principal } : {}),
          ...(context.requestId ? { requestId: context.requestId } : {}),
        });
      } catch (err) {
        // Fail closed: an authorization policy that cannot answer admits nobody.
        deps.logger.error({ err }, 'authorization policy failed');
        return { allow: false, reasons: ['the authorization policy could not be evaluated'] };
      }
      const result = readResult(decision.result);
      const verdict: AuthzVerdict = result
        ? { allow: result.allow, reasons: result.reasons }
        : { allow: false, reasons: ['the authorization policy gave no decision for this request'] };
      if (!verdict.allow || result?.audit) {
        try {
          await deps.publish(decision);
        } catch (err) {
          deps.logger.error({ err, decision_id: decision.decision_id }, 'could not send an authorization decision to the audit log');
          // An action the policy wants audited does not happen unaudited.
          if (verdict.allow) return { allow: false, reasons: ['the audit log is unavailable; this action must be audited'] };
        }
      }
      return verdict;
    },
  };
}

/** Builds the authorization bundle from a policy directory (default: the shipped policies/rego). */
export async function buildAuthzBundle(policyDir: string, entrypoints: readonly string[] = [AUTHZ_ENTRYPOINT]): Promise<PolicyBundle> {
  const dir = loadPolicyDir(policyDir);
  // Only the authorization package: a broken or half-edited policy elsewhere in the directory
  // must not take the gateway's access control down with it. (Uploaded bundles carry everything,
  // tested as a whole, and replace this one when activated.)
  const sources = dir.sources.filter((s) => /^\s*package\s+junction\.authz\s*$/m.test(s.source));
  if (sources.length === 0) throw new Error(`${policyDir} has no package junction.authz`);
  return (await buildBundle({ sources, data: dir.data, entrypoints: [...entrypoints] })).bundle;
}

/**
 * The gateway's policy engine. Authorization is microseconds of Wasm per request, so it runs on
 * the calling thread by default (no worker round trip).
 */
export async function createAuthzEngine(bundle: PolicyBundle, workers = 0): Promise<PolicyEngine> {
  return createPolicyEngine({ bundle, workers, bundleName: 'junction' });
}
