// `junction policy test`: runs every test_* rule of *_test.rego files the way `opa test` does —
// a test passes when its rule evaluates to true; undefined, false or an error fail it.
import type { Module } from './compiler/ast.js';
import { compilePolicies, parseSources, type PolicySource } from './compiler/index.js';
import { instantiatePolicy } from './engine/instance.js';

export interface TestOutcome {
  name: string;
  file: string;
  status: 'pass' | 'fail' | 'error';
  message?: string;
  durationNs: number;
}

function refPath(terms: Module['package']['path']): string[] {
  return terms.slice(1).map((t) => (t.type === 'string' ? t.value : t.type === 'var' ? t.name : ''));
}

/** data paths of the test rules, e.g. "telco/entitlement/test_gold_customer_allowed". */
export function findTests(modules: Module[]): Array<{ path: string; file: string }> {
  const seen = new Set<string>();
  const found: Array<{ path: string; file: string }> = [];
  for (const m of modules) {
    for (const rule of m.rules) {
      const head = rule.head.ref;
      const name = head.length === 1 && head[0]!.type === 'var' ? head[0]!.name : null;
      if (!name || !name.startsWith('test_') || rule.head.kind === 'function') continue;
      const path = [...refPath(m.package.path), name].join('/');
      if (seen.has(path)) continue;
      seen.add(path);
      found.push({ path, file: m.file });
    }
  }
  return found;
}

export async function runPolicyTests(sources: PolicySource[], data: unknown): Promise<TestOutcome[]> {
  const modules = parseSources(sources);
  const tests = findTests(modules);
  if (tests.length === 0) return [];
  const compiled = compilePolicies(sources, { entrypoints: tests.map((t) => t.path) });
  const instance = await instantiatePolicy({ wasm: compiled.wasm, data });
  const outcomes: TestOutcome[] = [];
  for (const t of tests) {
    const started = process.hrtime.bigint();
    try {
      const rs = instance.evaluate(t.path, undefined);
      const durationNs = Number(process.hrtime.bigint() - started);
      const value = rs[0]?.result;
      outcomes.push(
        value === true
          ? { name: t.path, file: t.file, status: 'pass', durationNs }
          : { name: t.path, file: t.file, status: 'fail', message: value === undefined ? 'undefined' : `got ${JSON.stringify(value)}`, durationNs },
      );
    } catch (err) {
      outcomes.push({ name: t.path, file: t.file, status: 'error', message: String((err as Error)?.message ?? err), durationNs: Number(process.hrtime.bigint() - started) });
    }
  }
  return outcomes;
}
