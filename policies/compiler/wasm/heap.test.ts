import { describe, expect, it } from 'vitest';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { emitWasm, createBuiltinRegistry, RUNTIME_BUILTINS, HOST_BUILTINS } from './index.js';
import { block, DATA, entrypoint, INPUT, L, rule, str } from './test-ir.js';

// total := sum(input.items[_].qty) + count(data.extra)
const total = rule('x.total', 8, block(
  { type: 'dot', source: INPUT, key: str('items'), target: 3 },
  { type: 'makearray', capacity: 4, target: 4 },
  { type: 'scan', source: 3, key: 5, value: 6, block: block(
    { type: 'dot', source: L(6), key: str('qty'), target: 7 },
    { type: 'arrayappend', value: L(7), array: 4 },
  ) },
  { type: 'call', func: 'sum', args: [L(4)], result: 5 },
  { type: 'dot', source: DATA, key: str('extra'), target: 6 },
  { type: 'call', func: 'count', args: [L(6)], result: 7 },
  { type: 'call', func: 'plus', args: [L(5), L(7)], result: 2 },
));

describe('heap reset between evaluations', () => {
  it('stays correct and bounded over 10,000 evaluations, then after setData', async () => {
    const pol = await loadPolicy(emitWasm({ funcs: [total], plans: [entrypoint('x/total', 'x.total')] }));
    pol.setData({ extra: [1, 2] });
    const mem = (pol as unknown as { mem: WebAssembly.Memory }).mem;
    let maxBytes = 0;
    for (let i = 0; i < 10_000; i++) {
      const n = i % 50;
      const items = Array.from({ length: n }, (_, k) => ({ qty: k, pad: 'x'.repeat(i % 17) }));
      const expected = (n * (n - 1)) / 2 + 2;
      const rs = pol.evaluate({ items });
      if (rs[0]?.result !== expected) expect(rs).toEqual([{ result: expected }]);
      maxBytes = Math.max(maxBytes, mem.buffer.byteLength);
    }
    // The largest input is ~2 KB; memory must not grow with the number of evaluations.
    expect(maxBytes).toBeLessThanOrEqual(10 * 65536);
    pol.setData({ extra: { a: 1, b: 2, c: 3 } });
    expect(pol.evaluate({ items: [{ qty: 10 }] })).toEqual([{ result: 13 }]);
    pol.setData({});
    expect(pol.evaluate({ items: [{ qty: 10 }] })).toEqual([]);
  });

  it('handles inputs larger than the initial memory', async () => {
    const pol = await loadPolicy(emitWasm({ funcs: [total], plans: [entrypoint('x/total', 'x.total')] }));
    pol.setData({ extra: [] });
    const items = Array.from({ length: 30_000 }, () => ({ qty: 1, note: 'some padding text' }));
    expect(pol.evaluate({ items })).toEqual([{ result: 30_000 }]);
    expect(pol.evaluate({ items: [{ qty: 2 }] })).toEqual([{ result: 2 }]);
  });

  it('reports running out of memory as an error and recovers on the next evaluation', async () => {
    const big = rule('x.big', 4, block(
      { type: 'dot', source: INPUT, key: str('n'), target: 3 },
      { type: 'call', func: 'numbers.range', args: [{ kind: 'number', value: '1' }, L(3)], result: 2 },
    ));
    const pol = await loadPolicy(emitWasm({ funcs: [big], plans: [entrypoint('x/big', 'x.big')] }), { initial: 5, maximum: 12 });
    expect(() => pol.evaluate({ n: 2_000_000 })).toThrow('internal_error: out of memory');
    expect(pol.evaluate({ n: 3 })).toEqual([{ result: [1, 2, 3] }]);
  });

  it('memoises (input, data) functions within one evaluation only', async () => {
    let hostCalls = 0;
    // v := tick(input.x) — a host built-in that counts its calls
    const v = rule('x.v', 4, block(
      { type: 'dot', source: INPUT, key: str('x'), target: 3 },
      { type: 'call', func: 'test.tick', args: [L(3)], result: 2 },
    ));
    // both := [v, v]
    const both = rule('x.both', 5, block(
      { type: 'call', func: 'x.v', args: [INPUT, DATA], result: 3 },
      { type: 'call', func: 'x.v', args: [INPUT, DATA], result: 4 },
      { type: 'makearray', capacity: 2, target: 2 },
      { type: 'arrayappend', value: L(3), array: 2 },
      { type: 'arrayappend', value: L(4), array: 2 },
    ));
    const registry = createBuiltinRegistry(RUNTIME_BUILTINS, [...HOST_BUILTINS, { name: 'test.tick', arity: 1 }]);
    const wasm = emitWasm({ funcs: [v, both], plans: [entrypoint('x/both', 'x.both')] }, { builtins: registry });
    const pol = await loadPolicy(wasm, undefined, { 'test.tick': (x: unknown) => { hostCalls++; return `${x}#${hostCalls}`; } });
    expect(pol.evaluate({ x: 'a' })).toEqual([{ result: ['a#1', 'a#1'] }]);
    expect(pol.evaluate({ x: 'a' })).toEqual([{ result: ['a#2', 'a#2'] }]);
    expect(pol.evaluate({ x: 'b' })).toEqual([{ result: ['b#3', 'b#3'] }]);
    expect(hostCalls).toBe(3);
  });
});
