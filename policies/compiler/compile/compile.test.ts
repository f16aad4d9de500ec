// Compile-time errors of the passes: each error carries OPA's code, a message and the location.
import { describe, expect, it } from 'vitest';
import type { RegoError } from '../errors.js';
import { RegoCompileErrors } from '../errors.js';
import { parseModule, parseQuery } from '../parser/index.js';
import { planPolicy } from '../planner/index.js';
import { compileModules } from './index.js';

function compileErrors(...sources: string[]): RegoError[] {
  try {
    planPolicy(sources.map((s, i) => parseModule(s, `m${i}.rego`)), [{ kind: 'query', name: 'q', query: parseQuery('data = x') }]);
  } catch (err) {
    if (err instanceof RegoCompileErrors) return err.errors;
    throw err;
  }
  return [];
}

describe('compile passes: errors', () => {
  it('reports an unsafe var at its location', () => {
    const errs = compileErrors('package t\n\np if { x > 1 }\n');
    expect(errs).toEqual([expect.objectContaining({ code: 'rego_unsafe_var_error', message: 'var x is unsafe' })]);
    expect(errs[0]!.location).toMatchObject({ file: 'm0.rego', row: 3, col: 8 });
  });

  it('reports a head var the body never binds', () => {
    const errs = compileErrors('package t\n\np contains x if { input.a == 1 }\n');
    expect(errs.map((e) => `${e.code}: ${e.message}`)).toEqual(['rego_unsafe_var_error: var x is unsafe']);
  });

  it('reports := on a var declared above in the same body', () => {
    const errs = compileErrors('package t\n\np if { x := 1; x := 2 }\n');
    expect(errs.map((e) => `${e.code}: ${e.message}`)).toContain('rego_compile_error: var x assigned above');
  });

  it('accepts := shadowing an outer var inside a comprehension', () => {
    expect(compileErrors('package t\n\np := y if { x := 1; y := [x | x := 2] }\n')).toEqual([]);
  });

  it('reports undefined functions and wrong arities as rego_type_error', () => {
    const errs = compileErrors('package t\n\np if { foo(1) }\n\nq if { count(1, 2, 3) }\n');
    expect(errs.map((e) => `${e.code}: ${e.message}`)).toEqual([
      'rego_type_error: undefined function foo',
      'rego_type_error: count: arity mismatch: have 3 arguments, want 1',
    ]);
  });

  it('reports an unknown function once, without cascading unsafe-var errors', () => {
    const errs = compileErrors('package t\n\np := x if { nope(1, x) }\n');
    expect(errs.map((e) => `${e.code}: ${e.message}`)).toEqual(['rego_type_error: undefined function nope']);
  });

  it('reports recursion through several rules', () => {
    const errs = compileErrors('package t\n\np if q\n\nq if r\n\nr if p\n');
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ code: 'rego_recursion_error' });
    expect(errs[0]!.message).toMatch(/^rule data\.t\.p is recursive: data\.t\.p -> data\.t\.q -> data\.t\.r -> data\.t\.p$/);
  });

  it('reports a function and a rule of the same name', () => {
    const errs = compileErrors('package t\n\nf(x) := x\n\nf := 2\n');
    expect(errs.map((e) => e.code)).toEqual(['rego_type_error']);
  });

  it('reports a complete rule with rules below its path', () => {
    const errs = compileErrors('package t\n\na := 1\n\na.b := 2\n');
    expect(errs.map((e) => e.message)).toEqual(['rule data.t.a conflicts with [data.t.a.b]']);
  });

  it('rejects a with target that is neither input, data nor a function', () => {
    const errs = compileErrors('package t\n\np if { true with nothing as 1 }\n');
    expect(errs.map((e) => `${e.code}: ${e.message}`)).toEqual(['rego_compile_error: with keyword target must reference existing input, data, or a function']);
  });

  it('collects the errors of every module, not only the first', () => {
    const errs = compileErrors('package a\n\np if { x }\n', 'package b\n\nq if { nope(1) }\n');
    expect(errs.map((e) => e.location.file)).toEqual(['m0.rego', 'm1.rego']);
  });
});

describe('compile passes: rewriting and ordering', () => {
  it('reorders a body so each expression runs once its inputs are bound', () => {
    const errors: RegoError[] = [];
    const cm = compileModules([parseModule('package t\n\np := y if { y = x + 1; x = 2 }\n', 'm.rego')], errors);
    expect(errors).toEqual([]);
    const rule = cm.tree.find(['t', 'p'])!.rules[0]!;
    // x = 2 must now come first.
    const first = rule.body[0]!;
    expect(first.kind === 'term' && first.term.type === 'call' && first.term.args[1]!.type === 'number').toBe(true);
  });

  it('resolves rule names and import aliases to data refs', () => {
    const errors: RegoError[] = [];
    const cm = compileModules([
      parseModule('package lib\n\nlimit := 3\n', 'lib.rego'),
      parseModule('package t\n\nimport data.lib as l\n\np if { l.limit > 2 }\n', 't.rego'),
    ], errors);
    expect(errors).toEqual([]);
    const e = cm.tree.find(['t', 'p'])!.rules[0]!.body[0]!;
    const ref = e.kind === 'term' && e.term.type === 'call' ? e.term.args[0]! : null;
    expect(ref?.type === 'ref' && ref.terms.map((t) => (t.type === 'var' ? t.name : t.type === 'string' ? t.value : '?'))).toEqual(['data', 'lib', 'limit']);
  });
});
