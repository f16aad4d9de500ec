// Runs one conformance case through Junction's compiler and the unmodified opa-wasm SDK.
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { compilePolicies, RegoCompileErrors } from '../compiler/index.js';
import { parseTerm } from '../compiler/parser/index.js';
import { RObject, RSet, termValue, toJson, type Value } from '../compiler/ir-eval/index.js';
import { hostBuiltins } from '../runtime/host/index.js';
import type { ConformanceCase } from './cases.js';
import { compareResults, wantedErrorText } from './compare.js';

export type CaseStatus = 'passed' | 'failed' | 'skipped';

export interface CaseOutcome {
  id: string;
  folder: string;
  status: CaseStatus;
  /** Why it failed or was skipped. */
  reason?: string;
  ms: number;
}

interface Failure {
  code: string;
  message: string;
}

const QUERY_ENTRYPOINT = 'eval';

/** Classify anything thrown by compile or evaluation into OPA's code + message. */
function toFailure(err: unknown): Failure {
  if (err instanceof RegoCompileErrors) {
    return { code: err.errors[0]?.code ?? 'rego_compile_error', message: err.message };
  }
  const message = typeof err === 'string' ? err : err instanceof Error ? err.message : JSON.stringify(err);
  const m = /\b([a-z_]+_error)\b/.exec(message);
  return { code: m?.[1] ?? 'internal_error', message };
}

/** OPA's wanted message may carry a "file:row: " location the Wasm runtime cannot know. */
function errorMatches(c: ConformanceCase, f: Failure): string | null {
  if (c.want_error_code && c.want_error_code !== f.code) {
    return `want error code ${c.want_error_code}, got ${f.code}: ${f.message}`;
  }
  if (c.want_error !== undefined) {
    if (!f.message.includes(wantedErrorText(c.want_error))) {
      return `want error containing ${JSON.stringify(c.want_error)}, got ${f.code}: ${f.message}`;
    }
  }
  return null;
}

/** The SDK takes input as JSON: a Rego term with a set or a non-string key has no faithful form. */
function jsonOnly(v: Value): Value {
  if (v instanceof RSet) throw new Error('input_term holds a set, which JSON input to the SDK cannot carry');
  if (Array.isArray(v)) v.forEach(jsonOnly);
  if (v instanceof RObject) {
    for (const [k, val] of v.entries.values()) {
      if (typeof k !== 'string') throw new Error('input_term has a non-string object key, which JSON input cannot carry');
      jsonOnly(val);
    }
  }
  return v;
}

function inputOf(c: ConformanceCase): { defined: boolean; value?: unknown } {
  if (c.input_term !== undefined) return { defined: true, value: toJson(jsonOnly(termValue(parseTerm(c.input_term, 'input_term')))) };
  if (c.input !== undefined) return { defined: true, value: c.input };
  return { defined: false };
}

/** optimize: false trades module size and speed for ~4x faster compiles (the CI ratchet uses it). */
export async function runCase(c: ConformanceCase, opts: { optimize?: boolean } = {}): Promise<CaseOutcome> {
  const started = performance.now();
  const done = (status: CaseStatus, reason?: string): CaseOutcome => ({
    id: c.id,
    folder: c.folder,
    status,
    ...(reason ? { reason } : {}),
    ms: Math.round((performance.now() - started) * 10) / 10,
  });
  if (c.skip) return done('skipped', 'marked skip in the case file');

  const wantsError = c.want_error !== undefined || c.want_error_code !== undefined;
  let results: unknown[];
  try {
    const sources = (c.modules ?? []).map((source, i) => ({ file: `test-${i}.rego`, source }));
    const compiled = compilePolicies(sources, {
      entrypoints: [],
      queries: [{ name: QUERY_ENTRYPOINT, query: c.query }],
      strictBuiltinErrors: c.strict_error ?? false,
      optimize: opts.optimize ?? true,
    });
    const policy = await loadPolicy(compiled.wasm, undefined, hostBuiltins());
    if (c.data !== undefined) policy.setData(c.data as object);
    const input = inputOf(c);
    // The SDK treats a falsy input value as "no input"; an ArrayBuffer of JSON keeps false/0/"" intact.
    const raw = input.defined ? new TextEncoder().encode(JSON.stringify(input.value)).buffer : undefined;
    results = policy.evaluate(raw, QUERY_ENTRYPOINT) as unknown[];
  } catch (err) {
    const f = toFailure(err);
    if (!wantsError) return done('failed', `${f.code}: ${f.message}`);
    const mismatch = errorMatches(c, f);
    return mismatch ? done('failed', mismatch) : done('passed');
  }

  if (wantsError) {
    return done('failed', `want error ${c.want_error_code ?? ''} ${c.want_error ?? ''}, got results ${JSON.stringify(results)}`);
  }
  const mismatch = compareResults(c, results);
  return mismatch ? done('failed', mismatch) : done('passed');
}
