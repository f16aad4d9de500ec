// Differential test: generated policies must evaluate identically through ir-eval (the reference
// interpreter) and the Wasm module run by the unmodified opa-wasm SDK — same results, or the same
// error code. A failing seed reproduces with generatePolicy(seed).
import { describe, expect, it } from 'vitest';
import { runCase as runWasm } from '../../conformance/run.js';
import type { ConformanceCase } from '../../conformance/cases.js';
import { IrInterpreter, EvalError, type Json } from '../ir-eval/index.js';
import { parseModule, parseQuery } from '../parser/index.js';
import { planPolicy } from '../planner/index.js';
import { RegoCompileErrors } from '../errors.js';
import { generatePolicy } from './generate.js';

const SEEDS = Array.from({ length: Number(process.env.DIFF_SEEDS ?? 60) }, (_, i) => Number(process.env.DIFF_SEED_BASE ?? 1000) + i);

type Outcome = { results: Json[] } | { code: string; message: string };

function irEvalOutcome(source: string, input: unknown, strict: boolean): Outcome {
  try {
    const policy = planPolicy([parseModule(source, 'gen.rego')], [{ kind: 'query', name: 'eval', query: parseQuery('x = data.t') }]);
    return { results: new IrInterpreter(policy, { strictBuiltinErrors: strict }).evalPlan('eval', input as Json, {}) };
  } catch (err) {
    if (err instanceof EvalError) return { code: err.code, message: err.message };
    if (err instanceof RegoCompileErrors) return { code: err.errors[0]!.code, message: err.message };
    throw err;
  }
}

describe('differential: ir-eval and Wasm agree on generated policies', () => {
  for (const seed of SEEDS) {
    for (const strict of [false, true]) {
      it(`seed ${seed}${strict ? ' (strict built-in errors)' : ''}`, async () => {
        const { source, input } = generatePolicy(seed);
        const reference = irEvalOutcome(source, input, strict);
        const c: ConformanceCase = {
          id: `generated#${seed}`, folder: 'generated', file: 'generate.ts', note: `seed ${seed}`,
          query: 'x = data.t', modules: [source], input, strict_error: strict,
          ...('results' in reference
            ? { want_result: reference.results as Array<Record<string, unknown>> }
            : { want_error_code: reference.code }),
        };
        const out = await runWasm(c, { optimize: false });
        expect(out.reason ?? '', `policy:\n${source}\ninput: ${JSON.stringify(input)}\nir-eval: ${JSON.stringify(reference)}`).toBe('');
      });
    }
  }
});
