import { describe, expect, it } from 'vitest';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import type { Policy } from '../ir.js';
import { emitWasm, UnsupportedBuiltinsError, createBuiltinRegistry, RUNTIME_BUILTINS, HOST_BUILTINS } from './index.js';
import { block, bool, DATA, entrypoint, INPUT, L, num, rule, str } from './test-ir.js';

// allow { some i; input.roles[i] == "admin" }  — scan + dot
const isAdmin = rule('authz.allow', 6, block(
  { type: 'dot', source: INPUT, key: str('roles'), target: 3 },
  { type: 'scan', source: 3, key: 4, value: 5, block: block(
    { type: 'equal', a: L(5), b: str('admin') },
    { type: 'assignvaronce', source: bool(true), target: 2 },
  ) },
));

// names[n] { n := input.users[_].name }  — partial set
const names = rule('authz.names', 7,
  block({ type: 'makeset', target: 2 }),
  block(
    { type: 'dot', source: INPUT, key: str('users'), target: 3 },
    { type: 'scan', source: 3, key: 4, value: 5, block: block(
      { type: 'dot', source: L(5), key: str('name'), target: 6 },
      { type: 'setadd', value: L(6), set: 2 },
    ) },
  ),
);

const policy = (p: Partial<Policy>): Policy => ({ plans: [], funcs: [], ...p });

async function load(p: Policy, opts: Parameters<typeof emitWasm>[1] = {}, custom: Record<string, (...a: unknown[]) => unknown> = {}) {
  return loadPolicy(emitWasm(p, opts), undefined, custom);
}

describe('emitWasm → opa-wasm SDK', () => {
  it('evaluates a rule with scan and dot', async () => {
    const pol = await load(policy({ funcs: [isAdmin], plans: [entrypoint('authz/allow', 'authz.allow')] }));
    expect(pol.evaluate({ roles: ['user', 'admin'] })).toEqual([{ result: true }]);
    expect(pol.evaluate({ roles: ['user'] })).toEqual([]);
    expect(pol.evaluate({})).toEqual([]);
    expect(pol.evaluate(undefined)).toEqual([]);
    expect(pol.entrypoints).toEqual({ 'authz/allow': 0 });
    // raw ArrayBuffer input is taken as is: malformed JSON is a clear error, not a crash
    expect(() => pol.evaluate(new TextEncoder().encode('{"roles":').buffer as ArrayBuffer)).toThrow('invalid_input: input is not valid JSON');
    expect(pol.evaluate(new TextEncoder().encode('{"roles":["admin"]}').buffer as ArrayBuffer)).toEqual([{ result: true }]);
  });

  it('builds a partial set with deterministic order', async () => {
    const pol = await load(policy({ funcs: [names], plans: [entrypoint('authz/names', 'authz.names')] }));
    const input = { users: [{ name: 'zoe' }, { name: 'al' }, { nick: 'x' }, { name: 'al' }] };
    expect(pol.evaluate(input)).toEqual([{ result: ['al', 'zoe'] }]);
  });

  it('raises eval_conflict_error for complete rules with two values', async () => {
    const p = rule('x.p', 3,
      block({ type: 'dot', source: INPUT, key: str('a'), target: 3 }, { type: 'assignvaronce', source: L(3), target: 2 }),
      block({ type: 'dot', source: INPUT, key: str('b'), target: 3 }, { type: 'assignvaronce', source: L(3), target: 2 }),
    );
    p.locals = 4;
    const pol = await load(policy({ funcs: [p], plans: [entrypoint('x/p', 'x.p')] }));
    expect(pol.evaluate({ a: 1, b: 1.0 })).toEqual([{ result: 1 }]);
    expect(() => pol.evaluate({ a: 1, b: 2 })).toThrow('eval_conflict_error: complete rules must not produce multiple outputs');
    // the module stays usable after an abort
    expect(pol.evaluate({ b: 7 })).toEqual([{ result: 7 }]);
  });

  it('raises eval_conflict_error for functions and object keys', async () => {
    // f(x) := 1 { x > 0 }   f(x) := 2 { x > 1 }
    const f = {
      name: 'x.f', params: [0, 1, 2], result: 3, locals: 5, path: ['data', 'x', 'f'],
      blocks: [
        block({ type: 'call', func: 'gt', args: [L(2), num(0)], result: 4 } as const, { type: 'equal', a: L(4), b: bool(true) } as const,
          { type: 'assignvaronce', source: num(1), target: 3 } as const),
        block({ type: 'call', func: 'gt', args: [L(2), num(1)], result: 4 } as const, { type: 'equal', a: L(4), b: bool(true) } as const,
          { type: 'assignvaronce', source: num(2), target: 3 } as const),
      ],
    };
    const callF = rule('x.r', 4, block(
      { type: 'dot', source: INPUT, key: str('n'), target: 3 },
      { type: 'call', func: 'x.f', args: [INPUT, DATA, L(3)], result: 2 },
    ));
    const objRule = rule('x.o', 4, block(
      { type: 'makeobject', target: 2 },
      { type: 'objectinsertonce', key: str('k'), value: num(1), object: 2 },
      { type: 'dot', source: INPUT, key: str('v'), target: 3 },
      { type: 'objectinsertonce', key: str('k'), value: L(3), object: 2 },
    ));
    const pol = await load(policy({ funcs: [f, callF, objRule], plans: [entrypoint('x/r', 'x.r'), entrypoint('x/o', 'x.o')] }));
    expect(pol.evaluate({ n: 1 }, 'x/r')).toEqual([{ result: 1 }]);
    expect(() => pol.evaluate({ n: 5 }, 'x/r')).toThrow('eval_conflict_error: functions must not produce multiple outputs for same inputs');
    expect(pol.evaluate({ v: 1 }, 'x/o')).toEqual([{ result: { k: 1 } }]);
    expect(() => pol.evaluate({ v: 2 }, 'x/o')).toThrow('eval_conflict_error: object keys must be unique');
  });

  it('applies `with` to input and restores it, also when breaking out', async () => {
    // r := [isAdmin with input.roles as ["admin"], isAdmin(original)]
    const r = rule('x.r', 7,
      block(
        { type: 'makearray', capacity: 2, target: 2 },
        { type: 'with', local: 0, path: ['roles'], value: L(6), block: block(
          { type: 'call', func: 'authz.allow', args: [INPUT, DATA], result: 3 },
          { type: 'arrayappend', value: L(3), array: 2 },
        ) },
        // a `break` out of a with block (index 1 leaves the with's enclosing block) must restore input
        { type: 'block', blocks: [block(
          { type: 'with', local: 0, path: [], value: str('replaced'), block: block({ type: 'break', index: 1 }) },
        )] },
        { type: 'dot', source: INPUT, key: str('roles'), target: 4 },
        { type: 'arrayappend', value: L(4), array: 2 },
        { type: 'block', blocks: [block(
          { type: 'call', func: 'authz.allow', args: [INPUT, DATA], result: 5 },
          { type: 'arrayappend', value: L(5), array: 2 },
        ), block({ type: 'arrayappend', value: str('orig-undefined'), array: 2 })] },
      ),
    );
    // local 6 := ["admin"]
    r.blocks.unshift(block({ type: 'makearray', capacity: 1, target: 6 }, { type: 'arrayappend', value: str('admin'), array: 6 }));
    const pol = await load(policy({ funcs: [isAdmin, r], plans: [entrypoint('x/r', 'x.r')] }));
    expect(pol.evaluate({ roles: ['guest'] })).toEqual([{ result: [true, ['guest'], 'orig-undefined'] }]);
  });

  it('applies `with` to data at a nested path', async () => {
    const r = rule('x.d', 4, block(
      { type: 'with', local: 1, path: ['cfg', 'limit'], value: num(5), block: block(
        { type: 'dot', source: DATA, key: str('cfg'), target: 3 },
        { type: 'assignvar', source: L(3), target: 2 },
      ) },
    ));
    const pol = await load(policy({ funcs: [r], plans: [entrypoint('x/d', 'x.d')] }));
    pol.setData({ cfg: { limit: 1, name: 'n' } });
    expect(pol.evaluate({})).toEqual([{ result: { limit: 5, name: 'n' } }]);
  });

  it('negates with `not`', async () => {
    const deny = rule('x.deny', 3, block(
      { type: 'not', block: block({ type: 'call', func: 'authz.allow', args: [INPUT, DATA], result: 3 }) },
      { type: 'assignvaronce', source: bool(true), target: 2 },
    ));
    deny.locals = 4;
    const pol = await load(policy({ funcs: [isAdmin, deny], plans: [entrypoint('x/deny', 'x.deny')] }));
    expect(pol.evaluate({ roles: ['user'] })).toEqual([{ result: true }]);
    expect(pol.evaluate({ roles: ['admin'] })).toEqual([]);
  });

  it('calls host built-ins through opa_builtinN (SDK and custom)', async () => {
    const r = rule('x.msg', 5, block(
      { type: 'dot', source: INPUT, key: str('n'), target: 3 },
      { type: 'makearray', capacity: 1, target: 4 },
      { type: 'arrayappend', value: L(3), array: 4 },
      { type: 'call', func: 'sprintf', args: [str('n=%d'), L(4)], result: 2 },
    ));
    const u = rule('x.units', 4, block(
      { type: 'dot', source: INPUT, key: str('size'), target: 3 },
      { type: 'call', func: 'units.parse_bytes', args: [L(3)], result: 2 },
    ));
    const registry = createBuiltinRegistry(RUNTIME_BUILTINS, [...HOST_BUILTINS, 'units.parse_bytes']);
    const wasm = emitWasm(policy({ funcs: [r, u], plans: [entrypoint('x/msg', 'x.msg'), entrypoint('x/units', 'x.units')] }), { builtins: registry });
    const pol = await loadPolicy(wasm, undefined, { 'units.parse_bytes': (s: unknown) => (s === '1KiB' ? 1024 : undefined) });
    expect(pol.evaluate({ n: 42 }, 'x/msg')).toEqual([{ result: 'n=42' }]);
    expect(pol.evaluate({ size: '1KiB' }, 'x/units')).toEqual([{ result: 1024 }]);
    expect(pol.evaluate({ size: 'junk' }, 'x/units')).toEqual([]);
  });

  it('calls in-module built-ins and honours strictBuiltinErrors', async () => {
    const r = rule('x.q', 5, block(
      { type: 'dot', source: INPUT, key: str('a'), target: 3 },
      { type: 'dot', source: INPUT, key: str('b'), target: 4 },
      { type: 'call', func: 'div', args: [L(3), L(4)], result: 2 },
    ));
    const p = policy({ funcs: [r], plans: [entrypoint('x/q', 'x.q')] });
    const lax = await load(p);
    expect(lax.evaluate({ a: 6, b: 4 })).toEqual([{ result: 1.5 }]);
    expect(lax.evaluate({ a: 6, b: 0 })).toEqual([]);
    const strict = await load(p, { strictBuiltinErrors: true });
    expect(() => strict.evaluate({ a: 6, b: 0 })).toThrow('eval_builtin_error: div: divide by zero');
  });

  it('evaluates len, objectmerge, makenumber, isX, notequal and abort', async () => {
    const r = rule('x.m', 8, block(
      { type: 'dot', source: INPUT, key: str('s'), target: 3 },
      { type: 'len', source: L(3), target: 4 },
      { type: 'dot', source: INPUT, key: str('o1'), target: 5 },
      { type: 'dot', source: INPUT, key: str('o2'), target: 6 },
      { type: 'isobject', source: L(5) },
      { type: 'objectmerge', a: 5, b: 6, target: 7 },
      { type: 'notequal', a: L(4), b: num(0) },
      { type: 'makeobject', target: 2 },
      { type: 'objectinsert', key: str('len'), value: L(4), object: 2 },
      { type: 'objectinsert', key: str('merged'), value: L(7), object: 2 },
      { type: 'makenumber', value: '2.50', target: 3 },
      { type: 'objectinsert', key: str('n'), value: L(3), object: 2 },
      // a literal beyond 2^53 keeps its digits
      { type: 'objectinsert', key: str('big'), value: num('123456789123456789123'), object: 2 },
    ));
    const boom = rule('x.boom', 3, block(
      { type: 'dot', source: INPUT, key: str('boom'), target: 3 },
      { type: 'abort', code: 'eval_type_error', message: 'boom' },
    ));
    boom.locals = 4;
    const pol = await load(policy({ funcs: [r, boom], plans: [entrypoint('x/m', 'x.m'), entrypoint('x/boom', 'x.boom')] }));
    expect(pol.evaluate({ s: 'héllo', o1: { a: { x: 1 }, b: 1 }, o2: { a: { y: 2 }, b: 2 } }, 'x/m')).toEqual([
      { result: { len: 5, merged: { a: { x: 1, y: 2 }, b: 2 }, n: 2.5, big: 123456789123456789123 } },
    ]);
    expect(pol.evaluate({ s: '', o1: {}, o2: {} }, 'x/m')).toEqual([]);
    expect(pol.evaluate({ s: 'x', o1: [], o2: {} }, 'x/m')).toEqual([]);
    expect(pol.evaluate({}, 'x/boom')).toEqual([]);
    expect(() => pol.evaluate({ boom: 1 }, 'x/boom')).toThrow('eval_type_error: boom');
  });

  it('evaluates isarray, isset, isundefined, resetlocal, makenull and scans over objects and sets', async () => {
    // out := {"kind": <array|set|other>, "keys": [keys of input.o], "members": [members of input.s]}
    const r = rule('x.k', 10,
      block({ type: 'makeobject', target: 2 }, { type: 'dot', source: INPUT, key: str('v'), target: 3 }),
      block({ type: 'isarray', source: L(3) }, { type: 'objectinsert', key: str('kind'), value: str('array'), object: 2 }),
      block({ type: 'isset', source: L(3) }, { type: 'objectinsert', key: str('kind'), value: str('set'), object: 2 }),
      block(
        { type: 'makearray', capacity: 0, target: 4 },
        { type: 'dot', source: INPUT, key: str('o'), target: 5 },
        { type: 'scan', source: 5, key: 6, value: 7, block: block({ type: 'arrayappend', value: L(6), array: 4 }) },
        { type: 'objectinsert', key: str('keys'), value: L(4), object: 2 },
      ),
      block(
        { type: 'makeset', target: 8 },
        { type: 'setadd', value: num(3), set: 8 }, { type: 'setadd', value: num(1), set: 8 }, { type: 'setadd', value: num(3), set: 8 },
        { type: 'makearray', capacity: 0, target: 4 },
        { type: 'scan', source: 8, key: 6, value: 7, block: block({ type: 'arrayappend', value: L(6), array: 4 }) },
        { type: 'objectinsert', key: str('members'), value: L(4), object: 2 },
      ),
      block(
        { type: 'assignvar', source: str('tmp'), target: 9 },
        { type: 'resetlocal', target: 9 },
        { type: 'isundefined', source: 9 },
        { type: 'makenull', target: 9 },
        { type: 'isdefined', source: 9 },
        { type: 'objectinsert', key: str('null'), value: L(9), object: 2 },
      ),
    );
    const pol = await load(policy({ funcs: [r], plans: [entrypoint('x/k', 'x.k')] }));
    expect(pol.evaluate({ v: [1], o: { b: 1, a: 2 } })).toEqual([{ result: { kind: 'array', keys: ['a', 'b'], members: [1, 3], null: null } }]);
    expect(pol.evaluate({ v: 'x' })).toEqual([{ result: { members: [1, 3], null: null } }]); // no input.o: that block fails
  });

  it('iterates walk results (a relation returns an array)', async () => {
    const r = rule('x.paths', 7,
      block({ type: 'makeset', target: 2 }),
      block(
        { type: 'call', func: 'walk', args: [INPUT], result: 3 },
        { type: 'scan', source: 3, key: 4, value: 5, block: block(
          { type: 'dot', source: L(5), key: num(0), target: 6 },
          { type: 'setadd', value: L(6), set: 2 },
        ) },
      ),
    );
    const pol = await load(policy({ funcs: [r], plans: [entrypoint('x/paths', 'x.paths')] }));
    expect(pol.evaluate({ a: [1] })).toEqual([{ result: [[], ['a'], ['a', 0]] }]);
  });

  it('rejects unknown and unsupported built-ins, listing them', () => {
    const r = rule('x.u', 4, block(
      { type: 'call', func: 'no.such_builtin', args: [INPUT], result: 2 },
      { type: 'call', func: 'crypto.sha256', args: [INPUT], result: 3 },
    ));
    const p = policy({ funcs: [r], plans: [entrypoint('x/u', 'x.u')] });
    expect(() => emitWasm(p)).toThrow(UnsupportedBuiltinsError);
    expect(() => emitWasm(p)).toThrow('unsupported built-in functions: crypto.sha256, no.such_builtin');
  });

  it('drives the pre-1.2 path (opa_eval_ctx_*) the same way', async () => {
    const pol = await load(policy({ funcs: [names, isAdmin], plans: [entrypoint('authz/names', 'authz.names'), entrypoint('authz/allow', 'authz.allow')] }));
    (pol as unknown as { minorVersion: number }).minorVersion = 1;
    expect(pol.evaluate({ users: [{ name: 'b' }, { name: 'a' }] }, 'authz/names')).toEqual([{ result: ['a', 'b'] }]);
    expect(pol.evaluate({ roles: ['admin'] }, 1)).toEqual([{ result: true }]);
    pol.setData({ x: 1 });
    expect(pol.evaluate({ roles: [] }, 'authz/allow')).toEqual([]);
  });
});
