// Runs OPA's YAML conformance cases through parser → compile passes → planner → ir-eval.
import { RegoCompileErrors } from '../errors.js';
import type { ConformanceCase } from '../../conformance/cases.js';
import { compareResults, wantedErrorText } from '../../conformance/compare.js';
import { IrInterpreter, EvalError, termValue, type Json, type Value } from '../ir-eval/index.js';
import { parseModule, parseQuery, parseTerm } from '../parser/index.js';
import { planPolicy } from './index.js';
import { validatePolicy } from './validate.js';

export interface CaseOutcome {
  note: string;
  pass: boolean;
  detail: string;
}

export function runCase(c: ConformanceCase): CaseOutcome {
  const fail = (detail: string): CaseOutcome => ({ note: c.note, pass: false, detail });
  let results: Json[];
  try {
    const modules = (c.modules ?? []).map((src, i) => parseModule(src, `module${i}.rego`));
    const query = parseQuery(c.query);
    const policy = planPolicy(modules, [{ kind: 'query', name: 'eval', query }]);
    const problems = validatePolicy(policy);
    if (problems.length) return fail(`invalid IR: ${problems.slice(0, 3).join('; ')}`);
    let input: Json | Value | undefined = c.input as Json | undefined;
    if (c.input_term !== undefined) input = termValue(parseTerm(c.input_term));
    results = new IrInterpreter(policy, { strictBuiltinErrors: c.strict_error === true }).evalPlan('eval', input, (c.data ?? {}) as Json);
  } catch (err) {
    const code = err instanceof EvalError ? err.code : err instanceof RegoCompileErrors ? err.errors[0]?.code : undefined;
    const message = err instanceof Error ? err.message : String(err);
    if (c.want_error_code || c.want_error) {
      if (c.want_error_code && code !== c.want_error_code) return fail(`want error ${c.want_error_code}, got ${code}: ${message}`);
      // want_error may carry OPA's "file:row: code: " prefix; the message itself must match.
      const wanted = c.want_error === undefined ? undefined : wantedErrorText(c.want_error);
      if (wanted && !message.includes(wanted)) return fail(`want error "${c.want_error}", got "${message}"`);
      return { note: c.note, pass: true, detail: '' };
    }
    return fail(`unexpected error ${code ?? ''}: ${message.split('\n').slice(0, 3).join(' | ')}`);
  }
  if (c.want_error_code || c.want_error) return fail(`want error ${c.want_error_code ?? c.want_error}, got ${JSON.stringify(results)}`);
  const mismatch = compareResults(c, results);
  return mismatch ? fail(mismatch) : { note: c.note, pass: true, detail: '' };
}
