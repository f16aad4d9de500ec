import { describe, expect, it } from 'vitest';
import { RegoCompileErrors, type RegoError } from '../errors.js';
import { parseModule, parseQuery, parseTerm } from './index.js';

/** The errors of a module that must fail to parse, as "row:col message". */
function errorsOf(source: string, file = 'bad.rego'): string[] {
  return caught(() => parseModule(source, file)).map((e) => `${e.location.row}:${e.location.col} ${e.message}`);
}

function caught(run: () => unknown): RegoError[] {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(RegoCompileErrors);
    const errors = (e as RegoCompileErrors).errors;
    for (const err of errors) expect(err.code).toBe('rego_parse_error');
    return errors;
  }
  throw new Error('expected a parse error');
}

const pkg = (body: string) => `package test\n${body}`;

describe('Rego v1 rule syntax', () => {
  it('requires `if` before rule and function bodies', () => {
    expect(errorsOf(pkg('p { true }'))).toEqual(['2:1 `if` keyword is required before rule body']);
    expect(errorsOf(pkg('f(x) { x }'))).toEqual(['2:1 `if` keyword is required before function body']);
    expect(errorsOf(pkg('p := 1 {\n true\n}'))).toEqual(['2:1 `if` keyword is required before rule body']);
    expect(errorsOf(pkg('p := 1 if { false } else := 2 { true }'))).toEqual(['2:21 `if` keyword is required before rule body']);
  });

  it('reports the v0 partial set form with both OPA messages', () => {
    expect(errorsOf(pkg('p[x] { x := 1 }'))).toEqual([
      '2:1 `if` keyword is required before rule body',
      '2:1 `contains` keyword is required for partial set rules',
    ]);
    expect(errorsOf(pkg('p[x]'))).toEqual(['2:1 `contains` keyword is required for partial set rules']);
  });

  it('rejects bare heads', () => {
    expect(errorsOf(pkg('p'))).toEqual(['2:1 var cannot be used for rule name']);
    expect(errorsOf(pkg('a.b.c'))).toEqual(['2:1 rule must have value assignment and/or body declaration']);
    expect(errorsOf(pkg('f(x)'))).toEqual(['2:1 function must have value assignment and/or body declaration']);
    expect(errorsOf(pkg('1'))).toEqual(['2:1 number cannot be used for rule name']);
    expect(errorsOf(pkg('"s" = 1'))).toEqual(['2:1 string cannot be used for rule name']);
    expect(errorsOf(pkg('not p'))).toEqual(['2:1 negated expressions cannot be used for rule head']);
  });

  it('validates default rules', () => {
    expect(errorsOf(pkg('default p := input.x'))).toEqual(['2:1 illegal default rule (value cannot contain ref)']);
    expect(errorsOf(pkg('default p := [x]'))).toEqual(['2:1 illegal default rule (value cannot contain var)']);
    expect(errorsOf(pkg('default p := count([])'))).toEqual(['2:1 illegal default rule (value cannot contain call)']);
    expect(errorsOf(pkg('default p'))).toEqual(['2:1 illegal default rule (must have a value)']);
    expect(errorsOf(pkg('default p := 1 if { true }'))).toEqual(['2:16 unexpected if keyword: default rules cannot have a body']);
    expect(errorsOf(pkg('default f(1) := 1'))).toEqual(['2:1 illegal default rule (arguments cannot contain number)']);
    expect(errorsOf(pkg('default f(x, x) := 1'))).toEqual(['2:1 illegal default rule (arguments cannot be repeated x)']);
  });

  it('restricts else to rules that can have one', () => {
    expect(errorsOf(pkg('p[x] := 1 if { x := 1 } else := 2'))).toEqual(['2:25 else keyword cannot be used on rules with variables in head']);
    expect(errorsOf(pkg('p contains 1 if { true } else := 2'))).toEqual(['2:26 else keyword cannot be used on multi-value rules']);
    expect(errorsOf(pkg('p := 1 if { true } else'))).toEqual(['2:24 unexpected eof token: expected else value term or rule body']);
  });

  it('checks keywords', () => {
    expect(errorsOf(pkg('p if { x := if }'))).toEqual(['2:13 unexpected if keyword']);
    expect(errorsOf(pkg('p if { some in xs }'))).toEqual(['2:13 unexpected in keyword: expected var']);
    expect(errorsOf(pkg('p if { not some x in xs }'))).toEqual(["2:12 unexpected some keyword: illegal negation of 'some'"]);
    expect(errorsOf(pkg('p if { every x in xs }'))).toEqual(['2:22 unexpected } token: missing body']);
    expect(errorsOf(pkg('p if { every 1 in xs { true } }'))).toEqual(['2:22 unexpected { token: expected value to be a variable']);
    expect(errorsOf(pkg('contains := 1'))).toEqual(['2:1 contains keyword cannot be used for rule name']);
    expect(errorsOf(pkg('p if { x with input.y }'))).toEqual(['2:23 unexpected } token: expected as keyword']);
  });
});

describe('packages and imports', () => {
  it('requires exactly one leading package', () => {
    expect(errorsOf('p := 1')).toEqual(['1:1 package expected']);
    expect(errorsOf('')).toEqual(['1:1 empty module']);
    expect(errorsOf('# only a comment\n')).toEqual(['1:1 empty module']);
    expect(errorsOf('package a\npackage b')).toEqual(['2:1 unexpected package']);
    expect(errorsOf('package a[x]')).toEqual(['1:11 unexpected var token: expecting string']);
  });

  it('validates import paths', () => {
    expect(errorsOf(pkg('import foo.bar'))).toEqual(['2:8 unexpected import path, must begin with one of: {data, future, input, rego}, got: foo']);
    expect(errorsOf(pkg('import rego.v2'))).toEqual(['2:8 invalid import `rego.v2`, must be `rego.v1`']);
    expect(errorsOf(pkg('import future.keywords.foo'))).toEqual(['2:8 unexpected keyword, must be one of [contains every if in]']);
    expect(errorsOf(pkg('import future.keywords as k'))).toEqual(['2:8 `future` imports cannot be aliased']);
    expect(errorsOf(pkg('import data.x.in'))[0]).toMatch(/^2:15 unexpected import path, must not end with a keyword, got: in/);
    expect(errorsOf(pkg('import data.x as if'))).toEqual(['2:18 unexpected if keyword: expected var']);
  });
});

describe('tokens and literals', () => {
  it('reports scanner errors at the token', () => {
    expect(errorsOf(pkg('p := "abc'))).toEqual(['2:6 non-terminated string']);
    expect(errorsOf(pkg('p := `abc'))).toEqual(['2:6 non-terminated string']);
    expect(errorsOf(pkg('p := "a\\qb"'))).toEqual(['2:6 illegal escape sequence']);
    expect(errorsOf(pkg('p := "\\u12"'))).toEqual(['2:6 illegal string literal: "\\u12"']);
    expect(errorsOf(pkg('p := 1.'))).toEqual(['2:6 expected fraction']);
    expect(errorsOf(pkg('p := 1e'))).toEqual(['2:6 expected exponent']);
    expect(errorsOf(pkg('p := 12abc'))).toEqual(['2:6 illegal number format']);
    expect(errorsOf(pkg('p := 01'))).toEqual(['2:6 unexpected number token: expected number without leading zero']);
    expect(errorsOf(pkg('p := 1e99999'))).toEqual(['2:6 number too big']);
    expect(errorsOf(pkg('p := @'))).toEqual(['2:6 illegal token']);
    expect(errorsOf(pkg('p if { !x }'))).toEqual(['2:8 illegal ! character']);
    expect(errorsOf(pkg('p := -x'))).toEqual(['2:7 unexpected identifier token: expected number']);
  });

  it('names tokens as OPA does', () => {
    expect(errorsOf(pkg('}'))).toEqual(['2:1 unexpected } token']);
    expect(errorsOf(pkg('p := 1 +'))).toEqual(['2:9 unexpected eof token']);
    expect(errorsOf(pkg('p if { x := := 1 }'))).toEqual(['2:13 unexpected assign token']);
    expect(errorsOf(pkg('p if { x = 1 = 2 }'))).toEqual(['2:14 unexpected eq token: expected \\n or ; or }']);
    expect(errorsOf(pkg('p if { x := [1 2] }'))).toEqual(['2:16 unexpected number token: expected "," or "]"']);
    expect(errorsOf(pkg('p if { x := {1: 2 3} }'))).toEqual(['2:19 unexpected number token: non-terminated object']);
    expect(errorsOf(pkg('p if { x := {1: 2, 3: 4 5} }'))).toEqual(['2:25 unexpected number token: expected "," or "}"']);
    expect(errorsOf(pkg('p if { every x in xs { } }'))).toEqual(['2:24 found empty body']);
    expect(errorsOf(pkg('p := [x | ]'))).toEqual(['2:11 found empty body']);
    expect(errorsOf(pkg('p := (1 + 2'))).toEqual(['2:12 non-terminated expression']);
    expect(errorsOf(pkg('p := a. b'))).toEqual(['2:8 unexpected whitespace token: expected identifier']);
    expect(errorsOf(pkg('p := "a".b'))).toEqual(['2:6 illegal ref (head cannot be string)']);
  });
});

describe('error recovery', () => {
  it('reports an error in each broken rule and keeps parsing after it', () => {
    const src = [
      'package test', //        1
      '', //                    2
      'p if {', //              3
      '  x := ', //             4
      '}', //                   5
      '', //                    6
      'q := 1', //              7
      '', //                    8
      'r if {', //              9
      '  y := [1,', //          10
      '}', //                   11
      '', //                    12
      's { true }', //          13
      't := "unterminated', //  14
      'u := 2', //              15
    ].join('\n');
    expect(errorsOf(src)).toEqual([
      '5:1 unexpected } token',
      '11:1 unexpected } token',
      '13:1 `if` keyword is required before rule body',
      '14:6 non-terminated string',
    ]);
  });

  it('resynchronises at the next line-initial statement outside brackets', () => {
    // The `}` on line 4 closes the object, so line 5 is still inside p's body.
    const src = 'package test\np if {\n  x := {\n}\nq := }\nr := 1 +\n';
    expect(errorsOf(src)).toEqual(['5:6 unexpected } token', '7:1 unexpected eof token']);
    // A stray closer does not end the statement early: the body's own `}` is skipped, not reported.
    expect(errorsOf('package test\np if {\n  x := ]\n}\nq := ]\n')).toEqual(['3:8 unexpected ] token', '5:6 unexpected ] token']);
  });

  it('throws one RegoCompileErrors whose message quotes the line with a caret', () => {
    try {
      parseModule('package test\n\np if {\n\tx := ]\n}\n', 'caret.rego');
      throw new Error('expected a parse error');
    } catch (e) {
      expect(e).toBeInstanceOf(RegoCompileErrors);
      const err = e as RegoCompileErrors;
      expect(err.errors).toHaveLength(1);
      expect(err.message).toBe('1 error occurred:\ncaret.rego:4:7: rego_parse_error: unexpected ] token\n\t\tx := ]\n\t\t     ^');
    }
  });

  it('reports errors of queries and terms', () => {
    const q = caught(() => parseQuery('x := 1\ny := ]\nz := 2 +', 'q'));
    expect(q.map((e) => `${e.location.file}:${e.location.row}:${e.location.col} ${e.message}`)).toEqual([
      'q:2:6 unexpected ] token',
      'q:3:9 unexpected eof token',
    ]);
    expect(caught(() => parseTerm('{1, 2} 3'))[0]?.message).toBe('unexpected number token: expected exactly one term');
    expect(caught(() => parseTerm('x := 1'))[0]?.message).toBe('expected a term, not an expression');
    expect(caught(() => parseTerm(''))[0]?.message).toBe('expected a term');
  });
});
