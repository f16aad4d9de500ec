import { describe, expect, it } from 'vitest';
import type { Expr, Rule, Term } from '../ast.js';
import { parseModule, parseQuery, parseTerm } from './index.js';
import { bodyToString, exprToString, ruleToString, termToString } from './print.js';

const mod = (body: string) => parseModule(`package test\n${body}`, 'test.rego');
const rules = (body: string) => mod(body).rules.map(ruleToString);
const q = (src: string) => bodyToString(parseQuery(src));
const t = (src: string) => termToString(parseTerm(src));

function onlyRule(body: string): Rule {
  const m = mod(body);
  expect(m.rules).toHaveLength(1);
  return m.rules[0] as Rule;
}

function firstExpr(src: string): Expr {
  const body = parseQuery(src);
  expect(body).toHaveLength(1);
  return body[0] as Expr;
}

describe('package and imports', () => {
  it('turns the package into a data path', () => {
    const m = parseModule('package a.b["c-d"]', 'x.rego');
    expect(m.package.path.map(termToString)).toEqual(['data', '"a"', '"b"', '"c-d"']);
    expect(m.package.path[0]).toMatchObject({ type: 'var', name: 'data' });
    expect(m.package.loc).toEqual({ file: 'x.rego', row: 1, col: 1, offset: 0 });
  });

  it('parses every import form', () => {
    const m = mod('import data.x.y\nimport data.x as z\nimport input.foo\nimport future.keywords.in\nimport future.keywords\nimport rego.v1\nimport input');
    expect(m.imports.map((i) => [termToString(i.path), i.alias])).toEqual([
      ['data.x.y', null],
      ['data.x', 'z'],
      ['input.foo', null],
      ['future.keywords.in', null],
      ['future.keywords', null],
      ['rego.v1', null],
      ['input', null],
    ]);
    expect(m.imports[0]?.loc).toMatchObject({ row: 2, col: 1 });
    expect(m.imports[0]?.path.terms[0]).toMatchObject({ type: 'var', name: 'data', loc: { row: 2, col: 8 } });
  });

  it('keeps comments with their locations', () => {
    const m = mod('# first\np := 1 # trailing');
    expect(m.comments.map((c) => [c.text, c.loc.row, c.loc.col])).toEqual([
      [' first', 2, 1],
      [' trailing', 3, 8],
    ]);
  });
});

describe('rule kinds', () => {
  it('maps heads to complete, partialset, partialobject and function rules', () => {
    expect(rules('p := 1')).toEqual(['complete p := 1']);
    expect(rules('p = 1')).toEqual(['complete p = 1']);
    expect(rules('p if { true }')).toEqual(['complete p = true if { true }']);
    expect(rules('p if input.x > 1')).toEqual(['complete p = true if { gt(input.x, 1) }']);
    // As in OPA, `{ }` after `if` is read as the one-expression body "empty object".
    expect(rules('p if { }')).toEqual(['complete p = true if { {} }']);
    expect(rules('p := v if { v := 2 }')).toEqual(['complete p := v if { assign(v, 2) }']);
    expect(rules('p contains x if { x := 1 }')).toEqual(['partialset p contains x if { assign(x, 1) }']);
    expect(rules('p contains "a"')).toEqual(['partialset p contains "a"']);
    expect(rules('p[k] := v if { k := 1; v := 2 }')).toEqual(['partialobject p[k] := v if { assign(k, 1); assign(v, 2) }']);
    expect(rules('p[x] if { x := 1 }')).toEqual(['partialobject p[x] = true if { assign(x, 1) }']);
    expect(rules('f(x) := y if { y := x }')).toEqual(['function f(x) := y if { assign(y, x) }']);
    expect(rules('f(x, y) if { x == y }')).toEqual(['function f(x, y) = true if { equal(x, y) }']);
    expect(rules('f(1) := 2')).toEqual(['function f(1) := 2']);
  });

  it('classifies multi-part ref heads by groundness', () => {
    expect(rules('a.b.c := 1')).toEqual(['complete a.b.c := 1']);
    expect(rules('p["x"] := 1')).toEqual(['complete p.x := 1']);
    expect(rules('p[1] := 1')).toEqual(['complete p[1] := 1']);
    expect(rules('a.b[x] := y if { x := 1; y := 2 }')).toEqual(['partialobject a.b[x] := y if { assign(x, 1); assign(y, 2) }']);
    expect(rules('a[x].b := 1 if { x := 1 }')).toEqual(['partialobject a[x].b := 1 if { assign(x, 1) }']);
    expect(rules('ms[m.z] := m if { m := input.xs[_] }')[0]).toMatch(/^partialobject ms\[m\.z\]/);
    expect(rules('a.b contains x if { x := 1 }')).toEqual(['partialset a.b contains x if { assign(x, 1) }']);
    expect(rules('foo["bar"](x) := x + 1')).toEqual(['function foo.bar(x) := plus(x, 1)']);
  });

  it('fills in the implied value true and keeps head structure', () => {
    const r = onlyRule('p[x] if { x := 1 }');
    expect(r.head.ref.map(termToString)).toEqual(['p', 'x']);
    expect(r.head.key).toBeNull();
    expect(r.head.value).toMatchObject({ type: 'boolean', value: true, loc: r.head.loc });
    expect(r.head.assign).toBe(false);
    const set = onlyRule('p contains x if { x := 1 }');
    expect(set.head.value).toBeNull();
    expect(set.head.key).toMatchObject({ type: 'var', name: 'x' });
    expect(set.head.args).toBeNull();
    const fn = onlyRule('f(x) := 1');
    expect(fn.head.args?.map(termToString)).toEqual(['x']);
    expect(fn.head.assign).toBe(true);
  });

  it('parses default rules', () => {
    const r = onlyRule('default p := false');
    expect(r.default).toBe(true);
    expect(r.body).toEqual([]);
    expect(ruleToString(r)).toBe('default complete p := false');
    expect(rules('default f(_, _) := {"a": [1, -2]}')).toEqual(['default function f(_, _) := {"a": [1, -2]}']);
    expect(rules('default p = [x | x := 1]')).toEqual(['default complete p = [x | assign(x, 1)]']);
  });

  it('links the module to every rule of an else chain', () => {
    const m = mod('p := 1 if { false } else := 2');
    expect(m.rules[0]?.module).toBe(m);
    expect(m.rules[0]?.else?.module).toBe(m);
  });
});

describe('else chains', () => {
  it('builds nested else rules with their own values and bodies', () => {
    const r = onlyRule('p := 1 if { input.a } else := 2 if { input.b } else := 3');
    expect(ruleToString(r)).toBe('complete p := 1 if { input.a } else := 2 if { input.b } else := 3');
    const e1 = r.else as Rule;
    const e2 = e1.else as Rule;
    expect(e1.head.value).toMatchObject({ type: 'number', value: '2' });
    expect(e1.loc).toMatchObject({ row: 2, col: 23 });
    expect(e1.head.kind).toBe('complete');
    expect(e2.body).toEqual([]);
    expect(e2.else).toBeNull();
  });

  it('defaults the else value to true and copies function args', () => {
    const r = onlyRule('f(x) := 1 if { x > 0 } else if { x < -5 } else := 2');
    const e1 = r.else as Rule;
    expect(e1.head.value).toMatchObject({ type: 'boolean', value: true });
    expect(e1.head.args?.map(termToString)).toEqual(['x']);
    expect(e1.head.args?.[0]).not.toBe(r.head.args?.[0]);
    expect(e1.head.kind).toBe('function');
    expect(bodyToString(e1.body)).toBe('lt(x, -5)');
    expect(e1.else?.head.value).toMatchObject({ type: 'number', value: '2' });
  });

  it('accepts one-line else bodies and multi-line layouts', () => {
    expect(rules('p := 1 if input.a else := 2 if input.b')).toEqual(['complete p := 1 if { input.a } else := 2 if { input.b }']);
    expect(rules('p := 1 if {\n  input.a\n}\nelse = 2')).toEqual(['complete p := 1 if { input.a } else = 2']);
  });

  it('treats extra blocks after a body as more rules with the same head', () => {
    const m = mod('p if { input.a } { input.b }');
    expect(m.rules.map(ruleToString)).toEqual(['complete p = true if { input.a }', 'complete p = true if { input.b }']);
    expect(m.rules[1]?.head.ref[0]).not.toBe(m.rules[0]?.head.ref[0]);
    expect(m.rules[1]?.loc).toMatchObject({ row: 2, col: 18 });
  });
});

describe('operators and precedence', () => {
  it('binds like OPA: assignment < in < relations < | < & < +- < */%', () => {
    expect(q('x := 1 + 2 * 3')).toBe('assign(x, plus(1, mul(2, 3)))');
    expect(q('a + b * c - d / e % f')).toBe('minus(plus(a, mul(b, c)), rem(div(d, e), f))');
    expect(q('a | b & c')).toBe('or(a, and(b, c))');
    expect(q('a & b | c')).toBe('or(and(a, b), c)');
    expect(q('x - 1 < 2 == true')).toBe('equal(lt(minus(x, 1), 2), true)');
    expect(q('a | b == c & d')).toBe('equal(or(a, b), and(c, d))');
    expect(q('x == y in z')).toBe('internal.member_2(equal(x, y), z)');
    expect(q('x in xs == y')).toBe('internal.member_2(x, equal(xs, y))');
    expect(q('x in {1} in y')).toBe('internal.member_2(internal.member_2(x, {1}), y)');
    expect(q('(1 + 2) * 3')).toBe('mul(plus(1, 2), 3)');
    expect(q('y = x != 1')).toBe('eq(y, neq(x, 1))');
    expect(q('a <= b; a >= b; a > b')).toBe('lte(a, b); gte(a, b); gt(a, b)');
  });

  it('names operator calls per OPERATOR_NAMES, in/member as a two-part ref', () => {
    const e = firstExpr('x in xs');
    expect(e.kind).toBe('term');
    if (e.kind !== 'term' || e.term.type !== 'call') throw new Error('expected a call');
    expect(e.term.op.terms).toMatchObject([{ type: 'var', name: 'internal' }, { type: 'string', value: 'member_2' }]);
    expect(q('k, v in xs')).toBe('internal.member_3(k, v, xs)');
    expect(q('[k, v in xs]')).toBe('[k, internal.member_2(v, xs)]');
  });

  it('treats minus before a number literal as a negative number', () => {
    expect(q('1 - -1')).toBe('minus(1, -1)');
    expect(q('x-1')).toBe('minus(x, 1)');
    expect(q('x := -1.5e3')).toBe('assign(x, -1.5e3)');
    expect(() => parseQuery('x := -y')).toThrow(/unexpected identifier token: expected number/);
  });

  it('gives the call the location of its left operand and the op the operator location', () => {
    const e = firstExpr('abc  ==  1');
    if (e.kind !== 'term' || e.term.type !== 'call') throw new Error('expected a call');
    expect(e.term.loc).toMatchObject({ row: 1, col: 1, offset: 0 });
    expect(e.term.op.loc).toMatchObject({ row: 1, col: 6, offset: 5 });
  });
});

describe('newlines', () => {
  it('separates body expressions with newlines or semicolons', () => {
    expect(q('x := 1\ny := 2; z := 3')).toBe('assign(x, 1); assign(y, 2); assign(z, 3)');
    expect(() => parseQuery('x := 1 y := 2')).toThrow(/unexpected identifier token: expected \\n or ; or eof/);
  });

  it('continues expressions across newlines inside brackets and around operators (as OPA)', () => {
    expect(q('x := [\n 1,\n 2\n]')).toBe('assign(x, [1, 2])');
    expect(q('x := 1 +\n 2')).toBe('assign(x, plus(1, 2))');
    expect(q('x := 1\n+ 2')).toBe('assign(x, plus(1, 2))');
    expect(q('x := {\n"a": 1,\n}')).toBe('assign(x, {"a": 1})');
    expect(q('f(\n1,\n2)')).toBe('f(1, 2)');
  });

  it('ends references and calls at whitespace', () => {
    expect(() => parseQuery('f (x)')).toThrow(/unexpected \( token/);
    expect(q('x := a\n[1][0] == 1')).toBe('assign(x, a); equal([1][0], 1)');
  });
});

describe('terms', () => {
  it('parses scalars', () => {
    expect(parseTerm('null')).toMatchObject({ type: 'null' });
    expect(parseTerm('true')).toMatchObject({ type: 'boolean', value: true });
    expect(parseTerm('false')).toMatchObject({ type: 'boolean', value: false });
    expect(parseTerm('"x"')).toMatchObject({ type: 'string', value: 'x' });
  });

  it('keeps number literal text', () => {
    for (const n of ['0', '100', '-1', '1e6', '1.1e6', '-1e-6', '1E6', '0.1', '1e400', '0e1', '123456789012345678901234567890']) {
      expect(parseTerm(n)).toMatchObject({ type: 'number', value: n });
    }
    expect(parseTerm('.1')).toMatchObject({ type: 'number', value: '0.1' });
    expect(parseTerm('-.25')).toMatchObject({ type: 'number', value: '-0.25' });
  });

  it('decodes JSON string escapes, including surrogate pairs', () => {
    expect(parseTerm(String.raw`"a\n\t\"\\\/\b\f\r"`)).toMatchObject({ value: 'a\n\t"\\/\b\f\r' });
    expect(parseTerm(String.raw`"\u00e9\u4e2d"`)).toMatchObject({ value: 'é中' });
    expect(parseTerm(String.raw`"\ud83d\ude00!"`)).toMatchObject({ value: '😀!' });
    expect(parseTerm(String.raw`"\ud83d"`)).toMatchObject({ value: '\ufffd' });
    expect(parseTerm('"héllo 😀"')).toMatchObject({ value: 'héllo 😀' });
  });

  it('keeps raw strings verbatim, across lines', () => {
    const s = parseTerm('`a\\nb\n"c"`');
    expect(s).toMatchObject({ type: 'string', value: 'a\\nb\n"c"', raw: true });
    const m = mod('p := `x\ny`\nq := 1');
    expect(m.rules[1]?.loc).toMatchObject({ row: 4, col: 1 });
  });

  it('parses collections', () => {
    expect(t('[1, "a", [true]]')).toBe('[1, "a", [true]]');
    expect(parseTerm('{}')).toMatchObject({ type: 'object', items: [] });
    expect(parseTerm('set()')).toMatchObject({ type: 'set', items: [] });
    expect(parseTerm('{1, 2}')).toMatchObject({ type: 'set' });
    expect(t('{"foo": {{1}}}')).toBe('{"foo": {{1}}}');
    expect(t('{[1]: 2, {3}: {"a": null}}')).toBe('{[1]: 2, {3}: {"a": null}}');
    expect(t('[1, 2,]')).toBe('[1, 2]');
    expect(t('{1, 2,}')).toBe('{1, 2}');
  });

  it('parses comprehensions and resolves their ambiguities like OPA', () => {
    expect(t('[x | x := input[_]]')).toBe('[x | assign(x, input[_])]');
    expect(t('{x | some x in [1, 2]; x > 1}')).toBe('{x | some x in [1, 2]; gt(x, 1)}');
    expect(t('{k: v | some k, v in input}')).toBe('{k: v | some k, v in input}');
    expect(t('[x |\n  x := 1\n  x > 0\n]')).toBe('[x | assign(x, 1); gt(x, 0)]');
    expect(t('{a + 1: b | b := 1}')).toBe('{plus(a, 1): b | assign(b, 1)}');
    // A lone head followed by `|` is a comprehension; an operator expression is a set holding `or`.
    expect(t('{a | b}')).toBe('{a | b}');
    expect(t('{a + 1 | b}')).toBe('{or(plus(a, 1), b)}');
    expect(t('[a | b, c]')).toBe('[or(a, b), c]');
    expect(t('{a: b | c, d: e}')).toBe('{a: or(b, c), d: e}');
  });

  it('parses references', () => {
    expect(parseTerm('input.x[0].y')).toMatchObject({
      type: 'ref',
      terms: [{ type: 'var', name: 'input' }, { type: 'string', value: 'x' }, { type: 'number', value: '0' }, { type: 'string', value: 'y' }],
    });
    expect(parseTerm('a[_]')).toMatchObject({ type: 'ref', terms: [{ type: 'var', name: 'a' }, { type: 'var', name: '_' }] });
    expect(t('a["x"][y]')).toBe('a.x[y]');
    expect(t('a[1 + 2]')).toBe('a[plus(1, 2)]');
    expect(t('input.in.if')).toBe('input.in.if');
    expect(t('[1, 2][0]')).toBe('[1, 2][0]');
    expect(parseTerm('input')).toMatchObject({ type: 'ref', terms: [{ type: 'var', name: 'input' }] });
    expect(parseTerm('data')).toMatchObject({ type: 'ref', terms: [{ type: 'var', name: 'data' }] });
    expect(parseTerm('x')).toMatchObject({ type: 'var', name: 'x' });
  });

  it('parses calls, with refs as function names and calls as ref heads', () => {
    const c = parseTerm('count(x)');
    expect(c).toMatchObject({ type: 'call', op: { type: 'ref', terms: [{ type: 'var', name: 'count' }] }, args: [{ type: 'var', name: 'x' }] });
    expect(parseTerm('time.now_ns()')).toMatchObject({ type: 'call', op: { terms: [{ name: 'time' }, { value: 'now_ns' }] }, args: [] });
    expect(t('data.lib.f(x)')).toBe('data.lib.f(x)');
    expect(t('a.b.c(x, 1)')).toBe('a.b.c(x, 1)');
    const r = parseTerm('f(x).y');
    expect(r.type).toBe('ref');
    if (r.type !== 'ref') return;
    expect(r.terms[0]).toMatchObject({ type: 'call' });
    expect(r.terms[1]).toMatchObject({ type: 'string', value: 'y' });
    expect(t('f(x)[0]')).toBe('f(x)[0]');
    expect(t('contains(x, "a")')).toBe('contains(x, "a")');
  });
});

describe('expressions', () => {
  it('parses not, some and every', () => {
    expect(exprToString(firstExpr('not input.x'))).toBe('not input.x');
    expect(firstExpr('some x, y')).toMatchObject({ kind: 'some', vars: [{ name: 'x' }, { name: 'y' }] });
    expect(firstExpr('some x in xs')).toMatchObject({ kind: 'somein', key: null, value: { name: 'x' }, collection: { name: 'xs' } });
    expect(firstExpr('some k, v in xs')).toMatchObject({ kind: 'somein', key: { name: 'k' }, value: { name: 'v' } });
    expect(firstExpr('some [a, b] in xs')).toMatchObject({ kind: 'somein', value: { type: 'array' } });
    const every = firstExpr('every k, v in {"a": 1} {\n  k == "a"\n  v > 0\n}');
    expect(every).toMatchObject({ kind: 'every', key: { name: 'k' }, value: { name: 'v' }, domain: { type: 'object' } });
    if (every.kind !== 'every') return;
    expect(bodyToString(every.body)).toBe('equal(k, "a"); gt(v, 0)');
    expect(firstExpr('every x in xs { x }')).toMatchObject({ kind: 'every', key: null });
  });

  it('locates declared variables and every/some expressions', () => {
    const body = parseQuery('x := 1\n  some a, b\n  every v in [1] { v }');
    expect(body.map((e) => [e.loc.row, e.loc.col])).toEqual([[1, 1], [2, 3], [3, 3]]);
    const decl = body[1];
    if (decl?.kind !== 'some') throw new Error('expected some');
    expect(decl.vars.map((v) => [v.name, v.loc.col])).toEqual([['a', 8], ['b', 11]]);
    expect(parseQuery('')).toEqual([]);
    expect(parseQuery('# just a comment\n')).toEqual([]);
  });

  it('attaches with modifiers to any expression', () => {
    const e = firstExpr('not p with input.x as 1 with data.y as z with count as f');
    expect(e.negated).toBe(true);
    expect(e.with.map((w) => [termToString(w.target), termToString(w.value)])).toEqual([
      ['input.x', '1'],
      ['data.y', 'z'],
      ['count', 'f'],
    ]);
    expect(e.with[2]?.target).toMatchObject({ type: 'ref', terms: [{ type: 'var', name: 'count' }] });
    expect(e.with[1]?.loc).toMatchObject({ row: 1, col: 25 });
    expect(exprToString(firstExpr('every x in xs { x } with input as 1'))).toBe('every x in xs { x } with input as 1');
    expect(exprToString(firstExpr('some x in xs with input as 1'))).toBe('some x in xs with input as 1');
    expect(q('x := f(1) with f as g + 1')).toBe('assign(x, f(1)) with f as plus(g, 1)');
  });
});

describe('locations', () => {
  it('records file, row, col and offset of the first character of every node', () => {
    const src = 'package test\n\nallow if {\n\tx := input.a[0]\n}\n';
    const m = parseModule(src, 'loc.rego');
    const r = m.rules[0] as Rule;
    expect(r.loc).toEqual({ file: 'loc.rego', row: 3, col: 1, offset: 14 });
    expect(r.head.loc).toEqual(r.loc);
    const e = r.body[0] as Expr;
    expect(e.loc).toEqual({ file: 'loc.rego', row: 4, col: 2, offset: 26 });
    if (e.kind !== 'term' || e.term.type !== 'call') throw new Error('expected assign');
    const [lhs, rhs] = e.term.args as [Term, Term];
    expect(lhs.loc).toMatchObject({ row: 4, col: 2 });
    expect(rhs.loc).toMatchObject({ row: 4, col: 7, offset: 31 });
    if (rhs.type !== 'ref') throw new Error('expected ref');
    expect(rhs.terms.map((x) => x.loc.col)).toEqual([7, 13, 15]);
    expect(src.slice(rhs.terms[1]?.loc.offset)).toMatch(/^a\[0\]/);
  });

  it('counts columns in UTF-16 code units and locates defaults at the keyword', () => {
    const m = parseModule('package t\nx := ["😀", y]\ndefault r := 1', 'u.rego');
    const value = m.rules[0]?.head.value;
    if (value?.type !== 'array') throw new Error('expected array');
    expect(value.items[1]?.loc).toEqual({ file: 'u.rego', row: 2, col: 13, offset: 22 });
    const d = m.rules[1] as Rule;
    expect(d.loc).toMatchObject({ row: 3, col: 1 });
    expect(d.head.loc).toMatchObject({ row: 3, col: 9 });
  });
});
