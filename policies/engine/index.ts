// The policy engine: decide(path, input) on the active bundle, off the main thread, with every
// decision described for the audit log. Activating a bundle swaps it atomically for new
// decisions; decisions already in flight finish on the bundle they started with.
import { availableParallelism } from 'node:os';
import { newDecisionId } from '../../audit/decision.js';
import type { PolicyBundle } from '../bundle.js';
import { entrypointName } from '../compiler/index.js';
import { instantiatePolicy, type PolicyInstance } from './instance.js';
import { WorkerPool } from './pool.js';

/** Who asked and on behalf of what: carried into the decision log. */
export interface DecisionContext {
  /** The API principal, or the component (e.g. "orchestrator") that asked. */
  principal?: string;
  component?: string;
  requestId?: string;
  orderId?: string;
  customerId?: string;
  networkEventId?: string;
}

/**
 * A decision, with OPA decision-log field names plus Junction's correlation fields beside them:
 * exactly the event the audit log's writer consumes (audit/record.ts DecisionEvent), so it is
 * published as it is.
 */
export interface Decision {
  decision_id: string;
  path: string;
  input: unknown;
  /** The rule's value; undefined when the rule is undefined for this input. */
  result: unknown;
  timestamp: string;
  bundles: Record<string, { revision: string }>;
  metrics: { timer_rego_eval_ns: number };
  wasm_digest: string;
  principal?: string;
  component?: string;
  request_id?: string;
  order_id?: string;
  customer_id?: string;
  network_event_id?: string;
}

function correlation(ctx: DecisionContext): Partial<Decision> {
  const out: Partial<Decision> = {};
  if (ctx.principal) out.principal = ctx.principal;
  if (ctx.component) out.component = ctx.component;
  if (ctx.requestId) out.request_id = ctx.requestId;
  if (ctx.orderId) out.order_id = ctx.orderId;
  if (ctx.customerId) out.customer_id = ctx.customerId;
  if (ctx.networkEventId) out.network_event_id = ctx.networkEventId;
  return out;
}

export interface PolicyEngineOptions {
  bundle: PolicyBundle;
  /** Worker threads; 0 evaluates on the calling thread (CLI, tests). Default: one per core. */
  workers?: number;
  /** Called with every decision (publish to the decisions stream here). */
  onDecision?: (decision: Decision) => void | Promise<void>;
  /** Bundle name in decision logs. */
  bundleName?: string;
}

interface Generation {
  id: number;
  bundle: PolicyBundle;
  /** Only when evaluating on the calling thread. */
  local?: PolicyInstance;
  inFlight: number;
  retired: boolean;
}

export interface PolicyEngine {
  decide(path: string, input: unknown, context?: DecisionContext): Promise<Decision>;
  activate(bundle: PolicyBundle): Promise<void>;
  readonly revision: string;
  close(): Promise<void>;
}

export async function createPolicyEngine(opts: PolicyEngineOptions): Promise<PolicyEngine> {
  const workerCount = opts.workers ?? Math.max(1, availableParallelism());
  const pool = workerCount > 0 ? new WorkerPool(workerCount) : null;
  const bundleName = opts.bundleName ?? 'junction';
  let nextGeneration = 1;

  async function load(bundle: PolicyBundle): Promise<Generation> {
    const gen: Generation = { id: nextGeneration++, bundle, inFlight: 0, retired: false };
    if (pool) await pool.broadcast({ type: 'load', generation: gen.id, wasm: bundle.wasm, data: bundle.data });
    else gen.local = await instantiatePolicy({ wasm: bundle.wasm, data: bundle.data });
    return gen;
  }

  function release(gen: Generation): void {
    if (gen.retired && gen.inFlight === 0) pool?.notify({ type: 'drop', generation: gen.id });
  }

  let current = await load(opts.bundle);

  return {
    get revision() {
      return current.bundle.manifest.revision;
    },

    async decide(path, input, context = {}) {
      const gen = current;
      const entrypoint = entrypointName(path);
      gen.inFlight++;
      let resultSet: Array<Record<string, unknown>>;
      let evalNs: number;
      try {
        if (pool) {
          const reply = await pool.request({ type: 'eval', generation: gen.id, entrypoint, input });
          resultSet = reply.resultSet ?? [];
          evalNs = reply.evalNs ?? 0;
        } else {
          const started = process.hrtime.bigint();
          resultSet = gen.local!.evaluate(entrypoint, input);
          evalNs = Number(process.hrtime.bigint() - started);
        }
      } finally {
        gen.inFlight--;
        release(gen);
      }
      const decision: Decision = {
        decision_id: newDecisionId(),
        path: entrypoint,
        input,
        result: resultSet[0]?.result,
        timestamp: new Date().toISOString(),
        bundles: { [bundleName]: { revision: gen.bundle.manifest.revision } },
        metrics: { timer_rego_eval_ns: evalNs },
        wasm_digest: gen.bundle.wasmDigest,
        ...correlation(context),
      };
      await opts.onDecision?.(decision);
      return decision;
    },

    async activate(bundle) {
      const next = await load(bundle);
      const previous = current;
      current = next; // one assignment: every decide() after this line uses the new bundle
      previous.retired = true;
      release(previous);
    },

    async close() {
      await pool?.close();
    },
  };
}
