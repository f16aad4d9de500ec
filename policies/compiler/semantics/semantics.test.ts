// Every semantics case must give OPA's answer through ir-eval and through the Wasm module.
import { describe, expect, it } from 'vitest';
import { runCase as runWasm } from '../../conformance/run.js';
import { runCase as runIrEval } from '../planner/conformance.js';
import type { ConformanceCase } from '../../conformance/cases.js';
import { SEMANTICS_CASES, type SemanticsCase } from './cases.js';

function asCase(topic: string, c: SemanticsCase): ConformanceCase {
  return { ...c, id: `${topic}#${c.note}`, folder: topic, file: 'semantics/cases.ts' };
}

for (const [topic, cases] of Object.entries(SEMANTICS_CASES)) {
  describe(`semantics: ${topic}`, () => {
    for (const spec of cases) {
      const c = asCase(topic, spec);
      if (!spec.wasmOnly) {
        it(`${c.note} (ir-eval)`, () => {
          const out = runIrEval(c);
          expect(out.detail).toBe('');
          expect(out.pass).toBe(true);
        });
      }
      it(`${c.note} (wasm)`, async () => {
        const out = await runWasm(c, { optimize: false });
        expect(out.reason ?? '').toBe('');
        expect(out.status).toBe('passed');
      });
    }
  });
}

describe('semantics: numbers from JSON input', () => {
  it('keeps every digit of big integers and tiny decimals in input', async () => {
    const { compilePolicies } = await import('../index.js');
    const { loadPolicy } = await import('@open-policy-agent/opa-wasm');
    const { hostBuiltins } = await import('../../runtime/host/index.js');
    const source = 'package t\np := [sprintf("%v", [input.n + 1]), input.tiny > 0, input.n > 123456789012345678901234567889]';
    const compiled = compilePolicies([{ file: 't.rego', source }], { entrypoints: ['t/p'], optimize: false });
    const policy = await loadPolicy(compiled.wasm, undefined, hostBuiltins());
    // Raw JSON text: a JavaScript number could not carry these values to the module.
    const input = new TextEncoder().encode('{"n": 123456789012345678901234567890, "tiny": 1e-400}').buffer;
    const [result] = policy.evaluate(input, 't/p') as Array<{ result: unknown[] }>;
    expect(result!.result).toEqual(['123456789012345678901234567891', true, true]);
  });
});

describe('semantics: float formatting', () => {
  it('prints the shortest round-trip digits, the closest when several are that short (as Go and V8 do)', async () => {
    const { compilePolicies } = await import('../index.js');
    const { loadPolicy } = await import('@open-policy-agent/opa-wasm');
    const { hostBuiltins } = await import('../../runtime/host/index.js');
    const source = 'package t\np := [sprintf("%v", [x / 7]) | some x in numbers.range(1, 300)]\nq := [sprintf("%v", [1 / x]) | some x in numbers.range(3, 300)]\nr := [sprintf("%v", [x * 0.1]) | some x in numbers.range(1, 300)]\ns := sprintf("%v", [100 / 3.0])';
    const compiled = compilePolicies([{ file: 't.rego', source }], { entrypoints: ['t'], optimize: false });
    const policy = await loadPolicy(compiled.wasm, undefined, hostBuiltins());
    const [result] = policy.evaluate({}, 't') as Array<{ result: { p: string[]; q: string[]; r: string[]; s: string } }>;
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    // In [1e-4, 1e21) Go's %v and JavaScript's String print the same shortest decimal.
    expect(result!.result.p).toEqual(range(1, 300).map((x) => String(x / 7)));
    expect(result!.result.q).toEqual(range(3, 300).map((x) => String(1 / x)));
    expect(result!.result.r).toEqual(range(1, 300).map((x) => String(x * 0.1)));
    expect(result!.result.s).toBe('33.333333333333336');
  });
});
