// The reference interpreter on hand-written IR: control flow, values and built-in errors.
import { describe, expect, it } from 'vitest';
import type { Block, Policy, Stmt } from '../ir.js';
import { EvalError, IrInterpreter, RObject, RSet, compare, equal, fromJson, toJson } from './index.js';

const L = (local: number) => ({ kind: 'local' as const, local });
const N = (value: string) => ({ kind: 'number' as const, value });

function runStmts(stmts: Stmt[], locals = 10, input?: unknown, strictBuiltinErrors = false): unknown[] {
  const policy: Policy = { plans: [{ name: 'p', blocks: [{ stmts }], locals }], funcs: [] };
  return new IrInterpreter(policy, { strictBuiltinErrors }).evalPlan('p', input as never, {});
}

describe('ir-eval: control flow', () => {
  it('ends only the enclosing block on failure, and break leaves outer blocks', () => {
    const inner: Block = { stmts: [{ type: 'equal', a: N('1'), b: N('2') }, { type: 'resultsetadd', value: 0 }] };
    const breaking: Block = { stmts: [{ type: 'break', index: 1 }, { type: 'resultsetadd', value: 0 }] };
    const after: Block = { stmts: [{ type: 'resultsetadd', value: 0 }] };
    expect(runStmts([{ type: 'block', blocks: [inner, after] }], 2, 'x')).toEqual(['x']);
    expect(runStmts([{ type: 'block', blocks: [breaking, after] }, { type: 'resultsetadd', value: 0 }], 2, 'y')).toEqual([]);
  });

  it('scans arrays by index and sets in sorted order', () => {
    const out = runStmts([
      { type: 'makeset', target: 2 },
      { type: 'setadd', value: N('3'), set: 2 },
      { type: 'setadd', value: N('1'), set: 2 },
      { type: 'scan', source: 2, key: 3, value: 4, block: { stmts: [{ type: 'resultsetadd', value: 4 }] } },
    ]);
    expect(out).toEqual([1, 3]);
  });

  it('fails a not statement when its block completes', () => {
    const ok = runStmts([{ type: 'not', block: { stmts: [{ type: 'equal', a: N('1'), b: N('2') }] } }, { type: 'resultsetadd', value: 0 }], 2, 1);
    const ko = runStmts([{ type: 'not', block: { stmts: [{ type: 'equal', a: N('1'), b: N('1') }] } }, { type: 'resultsetadd', value: 0 }], 2, 1);
    expect([ok, ko]).toEqual([[1], []]);
  });

  it('restores the replaced document after a with block', () => {
    const out = runStmts([
      { type: 'with', local: 0, path: ['a'], value: N('5'), block: { stmts: [{ type: 'resultsetadd', value: 0 }] } },
      { type: 'resultsetadd', value: 0 },
    ], 2, { a: 1, b: 2 });
    expect(out).toEqual([{ a: 5, b: 2 }, { a: 1, b: 2 }]);
  });

  it('raises OPA error codes', () => {
    const divideByZero: Stmt[] = [{ type: 'call', func: 'div', args: [N('1'), N('0')], result: 2 }, { type: 'resultsetadd', value: 2 }];
    expect(() => runStmts(divideByZero, 10, undefined, true)).toThrow(EvalError);
    // Without strict built-in errors, a failing built-in is undefined (OPA topdown and Wasm alike).
    expect(runStmts(divideByZero)).toEqual([]);
    expect(() => runStmts([{ type: 'makeobject', target: 2 }, { type: 'objectinsertonce', key: N('1'), value: N('1'), object: 2 }, { type: 'objectinsertonce', key: N('1'), value: N('2'), object: 2 }]))
      .toThrow('object keys must be unique');
  });
});

describe('ir-eval: values', () => {
  it('keeps integers beyond 2^53 exact', () => {
    const out = runStmts([
      { type: 'call', func: 'plus', args: [N('9007199254740993'), N('1')], result: 2 },
      { type: 'equal', a: L(2), b: N('9007199254740994') },
      { type: 'notequal', a: L(2), b: N('9007199254740995') },
      { type: 'resultsetadd', value: 2 },
    ]);
    expect(out).toHaveLength(1);
  });

  it('compares numbers by value and orders types as OPA', () => {
    expect(equal(1, 1.0)).toBe(true);
    const vals = [new RObject(), new RSet(), [], 'a', 1, true, null];
    expect(vals.slice().sort(compare).map((v) => toJson(v))).toEqual([null, true, 1, 'a', [], {}, []]);
  });

  it('treats objects and sets with the same members as equal regardless of insertion order', () => {
    expect(equal(fromJson({ a: 1, b: [1, 2] }), fromJson({ b: [1, 2], a: 1 }))).toBe(true);
    const s1 = new RSet(); s1.add(1); s1.add('x');
    const s2 = new RSet(); s2.add('x'); s2.add(1);
    expect(equal(s1, s2)).toBe(true);
  });
});
