// Shadow mode: a candidate bundle evaluates the same live decisions as the active one, off the
// request's path and without effect (its results are never returned nor audited as decisions);
// where the two disagree, the difference is counted and sampled for /policy/v1/shadow.
import { canonicalJson } from '../../audit/canonical.js';
import type { PolicyBundle } from '../bundle.js';
import { createPolicyEngine, type Decision, type PolicyEngine } from '../engine/index.js';

export interface ShadowDifference {
  decision_id: string;
  path: string;
  input: unknown;
  active: unknown;
  candidate: unknown;
  at: string;
}

export interface ShadowReport {
  revision: string | null;
  since: string | null;
  compared: number;
  differing: number;
  /** Candidate evaluations that failed (e.g. an entrypoint the candidate lacks). */
  errors: number;
  samples: ShadowDifference[];
}

export interface ShadowedEngine extends PolicyEngine {
  /** Starts comparing against `bundle` (replacing any earlier candidate); null stops. */
  shadow(bundle: PolicyBundle | null): Promise<void>;
  report(): ShadowReport;
}

const MAX_SAMPLES = 50;

/** Wraps an engine; callers use the wrapper exactly like the engine. */
export function shadowedEngine(active: PolicyEngine): ShadowedEngine {
  let candidate: { engine: PolicyEngine; revision: string } | null = null;
  let report: ShadowReport = { revision: null, since: null, compared: 0, differing: 0, errors: 0, samples: [] };

  const compare = async (c: NonNullable<typeof candidate>, path: string, input: unknown, decision: Decision) => {
    try {
      const theirs = await c.engine.decide(path, input);
      if (candidate !== c) return; // replaced meanwhile: this comparison belongs to no report
      report.compared++;
      if (canonicalJson(theirs.result ?? null) !== canonicalJson(decision.result ?? null)) {
        report.differing++;
        if (report.samples.length >= MAX_SAMPLES) report.samples.shift();
        report.samples.push({ decision_id: decision.decision_id, path, input, active: decision.result, candidate: theirs.result, at: new Date().toISOString() });
      }
    } catch {
      if (candidate === c) report.errors++;
    }
  };

  return {
    get revision() {
      return active.revision;
    },
    async decide(path, input, context) {
      const decision = await active.decide(path, input, context);
      const c = candidate;
      // Not awaited: the caller never waits for, nor sees, the candidate.
      if (c) void compare(c, decision.path, input, decision);
      return decision;
    },
    activate: (bundle) => active.activate(bundle),
    async shadow(bundle) {
      const previous = candidate;
      candidate = bundle ? { engine: await createPolicyEngine({ bundle, workers: 0 }), revision: bundle.manifest.revision } : null;
      report = { revision: candidate?.revision ?? null, since: candidate ? new Date().toISOString() : null, compared: 0, differing: 0, errors: 0, samples: [] };
      await previous?.engine.close();
    },
    report: () => ({ ...report, samples: [...report.samples] }),
    async close() {
      await candidate?.engine.close();
      candidate = null;
      await active.close();
    },
  };
}
