// Planner semantics, checked by running the plans with the reference interpreter (ir-eval).
import { describe, expect, it } from 'vitest';
import { IrInterpreter, type Json } from '../ir-eval/index.js';
import type { Policy, Stmt } from '../ir.js';
import { parseModule, parseQuery } from '../parser/index.js';
import { planPolicy } from './index.js';

function plan(sources: string[], query: string): Policy {
  return planPolicy(sources.map((s, i) => parseModule(s, `m${i}.rego`)), [{ kind: 'query', name: 'q', query: parseQuery(query) }]);
}

function query(sources: string[], q: string, input?: Json, data: Json = {}): Json[] {
  return new IrInterpreter(plan(sources, q)).evalPlan('q', input, data);
}

function rule(sources: string[], path: string[], input?: Json, data: Json = {}): Json[] {
  const policy = planPolicy(sources.map((s, i) => parseModule(s, `m${i}.rego`)), [{ kind: 'rule', name: path.join('/'), path }]);
  return new IrInterpreter(policy).evalPlan(path.join('/'), input, data);
}

describe('planner: rule entrypoints', () => {
  const mod = 'package t\n\ndefault allow := false\n\nallow if input.role == "admin"\n\nnames contains n if some n in input.names\n';

  it('adds {"result": value} per evaluation', () => {
    expect(rule([mod], ['t', 'allow'], { role: 'admin' })).toEqual([{ result: true }]);
    expect(rule([mod], ['t', 'allow'], { role: 'user' })).toEqual([{ result: false }]);
  });

  it('adds nothing when the value is undefined', () => {
    expect(rule(['package t\n\np if input.x == 1\n'], ['t', 'p'], { x: 2 })).toEqual([]);
  });

  it('evaluates a package as the object of its rules merged with base data', () => {
    expect(rule([mod], ['t'], { role: 'user', names: ['b', 'a'] }, { t: { base: 1 } }))
      .toEqual([{ result: { allow: false, base: 1, names: ['a', 'b'] } }]);
  });

  it('reads base documents where no rule is defined', () => {
    expect(rule([mod], ['cfg', 'limit'], undefined, { cfg: { limit: 7 } })).toEqual([{ result: 7 }]);
  });
});

describe('planner: bodies', () => {
  it('binds every user var of a query, and {} for a query without vars', () => {
    expect(query([], 'x := 1; y = [x, 2]')).toEqual([{ x: 1, y: [1, 2] }]);
    expect(query([], '1 < 2')).toEqual([{}]);
    expect(query([], '2 < 1')).toEqual([]);
  });

  it('iterates refs with vars and unifies composite patterns both ways', () => {
    const input = { xs: [{ name: 'a', tags: ['x'] }, { name: 'b', tags: ['y', 'z'] }] };
    expect(query([], 'input.xs[i].name = n; input.xs[i].tags[_] = "z"', input)).toEqual([{ i: 1, n: 'b' }]);
    expect(query([], '[a, {"k": b}] = [1, {"k": 2}]; {"k": c} = {"k": a}')).toEqual([{ a: 1, b: 2, c: 1 }]);
  });

  it('runs every, some-in and membership', () => {
    const mod = `package t
all_pos if { every x in input { x > 0 } }
some_big contains x if { some x in input; x > 1 }
pairs contains [k, v] if { some k, v in ["a", "b"] }
has_two if 2 in input
`;
    expect(query([mod], 'a = data.t.all_pos; b = data.t.some_big; c = data.t.pairs; d = data.t.has_two', [1, 2, 3]))
      .toEqual([{ a: true, b: [2, 3], c: [[0, 'a'], [1, 'b']], d: true }]);
    expect(query([mod], 'data.t.all_pos', [0, 1])).toEqual([]);
  });

  it('distinguishes undefined from false under negation', () => {
    const mod = 'package t\n\nf := false\n\np if not f\n\nq if not input.missing\n\nr if not input.xs[_] == 2\n';
    expect(query([mod], 'p = data.t.p; q = data.t.q', { xs: [1] })).toEqual([{ p: true, q: true }]);
    expect(query([mod], 'data.t.r = r', { xs: [1, 3] })).toEqual([{ r: true }]);
    expect(query([mod], 'data.t.r = r', { xs: [1, 2] })).toEqual([]);
  });

  it('accepts print with any number of arguments and ignores it', () => {
    expect(query(['package t\n\np := x if { x := 1; print("x is", x, "!") }\n'], 'data.t.p = x')).toEqual([{ x: 1 }]);
  });

  it('plans comprehensions as closures over bound outer vars', () => {
    const mod = 'package t\n\np := s if { n := 2; s := {y | some x in input; y := x * n} }\n\nq := {k: count(v) | some k, v in {"a": [1], "b": [1, 2]}}\n';
    expect(query([mod], 'data.t.p = p; data.t.q = q', [1, 2])).toEqual([{ p: [2, 4], q: { a: 1, b: 2 } }]);
  });
});

describe('planner: relations', () => {
  it('iterates every result of walk', () => {
    const mod = 'package t\n\nleaves contains [p, v] if { walk(input, [p, v]); is_number(v) }\n';
    expect(query([mod], 'data.t.leaves = x', { a: [1, { b: 2 }] })).toEqual([{ x: [[['a', 0], 1], [['a', 1, 'b'], 2]] }]);
  });
});

describe('planner: rules', () => {
  it('raises eval_conflict_error for a complete rule with two values', () => {
    expect(() => query(['package t\n\np := x if some x in [1, 2]\n'], 'data.t.p = x')).toThrow('complete rules must not produce multiple outputs');
  });

  it('takes the first else branch whose body succeeds', () => {
    const mod = 'package t\n\nf(x) := "one" if x == 1\nelse := "two" if x == 2\nelse := "many"\n';
    expect(query([mod], 'a = data.t.f(1); b = data.t.f(2); c = data.t.f(9)')).toEqual([{ a: 'one', b: 'two', c: 'many' }]);
  });

  it('merges ref-head rules into nested objects', () => {
    const mod = 'package t\n\nroutes[r].port := p if { some r, p in {"a": 80, "b": 443} }\n\nroutes.c.port := 8080\n\nlimits.cpu := 2\n';
    expect(query([mod], 'data.t = x')).toEqual([{ x: { limits: { cpu: 2 }, routes: { a: { port: 80 }, b: { port: 443 }, c: { port: 8080 } } } }]);
  });

  it('plans several definitions of a function as a disjunction over argument patterns', () => {
    const mod = 'package t\n\narea(["sq", s]) := s * s\n\narea(["rect", w, h]) := w * h\n';
    expect(query([mod], 'a = data.t.area(["sq", 3]); b = data.t.area(["rect", 2, 5])')).toEqual([{ a: 9, b: 10 }]);
  });
});

describe('planner: with', () => {
  it('replaces input and data for one expression only', () => {
    const mod = 'package t\n\nq := input.v\n\nr := data.cfg.v\n\np := [a, b, c] if { a := q with input.v as 1; b := r with data.cfg.v as 2; c := q }\n';
    expect(query([mod], 'data.t.p = x', { v: 0 }, { cfg: { v: 9 } })).toEqual([{ x: [1, 2, 0] }]);
  });

  it('replaces a rule by a value without evaluating the rule', () => {
    const mod = 'package t\n\nboom := x if x := 1 / 0\n\np := y if { y := boom with data.t.boom as 5 }\n';
    expect(query([mod], 'data.t.p = x')).toEqual([{ x: 5 }]);
  });

  it('mocks built-ins and functions in every rule evaluated under the with', () => {
    const mod = `package t
double(x) := x * 2
quad(x) := double(double(x))
inc(x) := x + 1
size := count(input)
p := [a, b, c] if {
  a := quad(1) with double as inc
  b := size with count as 42 with input as [1]
  c := size with input as [1, 2]
}
`;
    expect(query([mod], 'data.t.p = x')).toEqual([{ x: [3, 42, 2] }]);
  });
});

describe('planner: IR shape', () => {
  it('gives every func input and data as its first two params', () => {
    const policy = plan(['package t\n\nf(x, y) := x + y\n\np := f(1, 2)\n'], 'data.t.p = x');
    expect(policy.funcs.length).toBeGreaterThanOrEqual(2);
    for (const f of policy.funcs) expect(f.params.slice(0, 2)).toEqual([0, 1]);
    const fn = policy.funcs.find((f) => f.path.join('.') === 'data.t.f')!;
    expect(fn.params).toEqual([0, 1, 2, 3]);
  });

  it('calls built-ins by their OPA names', () => {
    const policy = plan(['package t\n\np if { input.a + 1 < 3 }\n'], 'data.t.p = x');
    const calls: string[] = [];
    const walk = (stmts: Stmt[]): void => stmts.forEach((s) => {
      if (s.type === 'call') calls.push(s.func);
      if (s.type === 'block') s.blocks.forEach((b) => walk(b.stmts));
      if (s.type === 'scan' || s.type === 'not' || s.type === 'with') walk(s.block.stmts);
    });
    policy.funcs.forEach((f) => f.blocks.forEach((b) => walk(b.stmts)));
    expect(calls).toEqual(expect.arrayContaining(['plus', 'lt']));
  });
});
