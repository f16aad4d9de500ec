// Junction's own Rego (policies/rego) through parser → planner → ir-eval: every `test_` rule of
// the *_test.rego packages must hold, as `opa test` would require.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IrInterpreter, type Json } from '../ir-eval/index.js';
import { parseModule } from '../parser/index.js';
import { planPolicy } from './index.js';

const REGO_DIR = new URL('../../rego', import.meta.url).pathname;

function regoFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? regoFiles(p) : p.endsWith('.rego') ? [p] : [];
  });
}

describe("Junction's policies through the planner", () => {
  it.runIf(existsSync(REGO_DIR))('passes every test_ rule of the policy test packages', () => {
    const modules = regoFiles(REGO_DIR).map((f) => parseModule(readFileSync(f, 'utf8'), f));
    const testNames = (m: (typeof modules)[number]) =>
      m.rules.map((r) => r.head.ref[0]).flatMap((h) => (h?.type === 'var' && h.name.startsWith('test_') ? [h.name] : []));
    const testModules = modules.filter((m) => testNames(m).length > 0);
    const testPackages = testModules.map((m) => m.package.path.slice(1).map((t) => (t.type === 'string' ? t.value : '')));
    expect(testPackages.length).toBeGreaterThan(0);
    const policy = planPolicy(modules, testPackages.map((path) => ({ kind: 'rule' as const, name: path.join('/'), path })));
    const dataFile = join(REGO_DIR, 'data.json');
    const data = (existsSync(dataFile) ? JSON.parse(readFileSync(dataFile, 'utf8')) : {}) as Json;
    testPackages.forEach((path, i) => {
      const [row] = new IrInterpreter(policy).evalPlan(path.join('/'), {}, data) as Array<{ result: Record<string, Json> }>;
      // An undefined test rule is missing from the package object: that is a failure too.
      const failing = testNames(testModules[i]!).filter((name) => row?.result[name] !== true);
      expect({ package: path.join('.'), failing }).toEqual({ package: path.join('.'), failing: [] });
    });
  });
});
