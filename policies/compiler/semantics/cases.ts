// Rego semantics cases written for Junction from OPA's policy-language reference (not copied from
// OPA's suite): each runs through both back ends — the reference IR interpreter and the Wasm
// module under the opa-wasm SDK — and both must give OPA's answer.
import type { ConformanceCaseSpec } from '../../conformance/cases.js';

export interface SemanticsCase extends ConformanceCaseSpec {
  /**
   * ir-eval holds numbers as doubles or bigints, so decimals beyond a double's precision or range
   * (1e400, 0.1234567890123456789) compare only in the Wasm runtime, which keeps literals exact.
   */
  wasmOnly?: boolean;
}

const mod = (src: string): string[] => [`package t\n${src}`];

export const SEMANTICS_CASES: Record<string, SemanticsCase[]> = {
  parsing: [
    // OPA parses `{a | b}` as a set comprehension (comprehensions win over the `|` operator).
    { note: 'set comprehension wins over set union', modules: mod('a := {1}\nb := {2}\np := {a | b}'), query: 'x = data.t.p', want_result: [{ x: [[1]] }] },
    { note: 'object comprehension key may be an expression', modules: mod('xs := [1, 2]\np := {a + 1: b | some a in xs; b := a * 10}'), query: 'x = data.t.p', want_result: [{ x: { 2: 10, 3: 20 } }] },
    // Comprehension heads are terms: `[x + 1 | ...]` is `[x + (1 | some ...)]`, a parse error in OPA.
    { note: 'array comprehension head cannot be an infix expression', modules: mod('xs := [1]\np := [x + 1 | some x in xs]'), query: 'x = data.t.p', want_error_code: 'rego_parse_error', want_error: 'unexpected some keyword' },
    { note: 'set comprehension head cannot be an infix expression', modules: mod('xs := [1]\np := {y * 2 | some y in xs}'), query: 'x = data.t.p', want_error_code: 'rego_parse_error' },
    { note: 'string escapes and raw strings', modules: mod('p := "a\\tb\\n\\u00e9\\"\\\\/"\nq := `raw\\n`'), query: 'x = [data.t.p, data.t.q, count(data.t.p)]', want_result: [{ x: ['a\tb\né"\\/', 'raw\\n', 8] }] },
    { note: 'a string cannot head a ref', modules: mod('p := "abc"[0]'), query: 'x = data.t.p', want_error_code: 'rego_parse_error', want_error: 'illegal ref (head cannot be string)' },
  ],
  rules: [
    { note: 'else chain in functions', modules: mod('f(x) := "a" if { x == 1 } else := "b" if { x == 2 } else := "c"\np := [f(1), f(2), f(3)]'), query: 'x = data.t.p', want_result: [{ x: ['a', 'b', 'c'] }] },
    { note: 'functions with different outputs conflict', modules: mod('f(x) := 1 if x > 0\nf(x) := 2 if x > 1\np := f(5)'), query: 'x = data.t.p', want_error_code: 'eval_conflict_error' },
    { note: 'functions with equal outputs do not conflict', modules: mod('f(x) := 1 if x > 0\nf(x) := 1 if x > 1\np := f(5)'), query: 'x = data.t.p', want_result: [{ x: 1 }] },
    { note: 'complete rules with different values conflict', modules: mod('p := 1 if true\np := 2 if true'), query: 'x = data.t.p', want_error_code: 'eval_conflict_error' },
    { note: 'partial object key with two values conflicts', modules: mod('p[k] := v if { some k, v in {"a": 1} }\np["a"] := 2'), query: 'x = data.t.p', want_error_code: 'eval_conflict_error' },
    { note: 'default applies when the rule is undefined', modules: mod('default p := false\np if input.x == 1'), query: 'x = data.t.p', input: { x: 2 }, want_result: [{ x: false }] },
    { note: 'default functions', modules: mod('default f(_) := 0\nf(x) := 1 if x > 1\np := [f(0), f(2)]'), query: 'x = data.t.p', want_result: [{ x: [0, 1] }] },
    { note: 'ref heads build nested documents', modules: mod('a.b.c := 1\na.b.d contains 2\na.e[x] := y if { some x, y in {"k": 3} }'), query: 'x = data.t.a', want_result: [{ x: { b: { c: 1, d: [2] }, e: { k: 3 } } }] },
    { note: 'ref head with a variable in the middle', modules: mod('users[name].age := a if { some name, a in {"bob": 3} }'), query: 'x = data.t.users', want_result: [{ x: { bob: { age: 3 } } }] },
    { note: 'partial sets deduplicate and iterate sorted', modules: mod('s contains x if some x in [3, 1, 2, 2]\np := count(s)\nq := [x | s[x]]'), query: 'x = [data.t.p, data.t.q]', want_result: [{ x: [3, [1, 2, 3]] }] },
  ],
  expressions: [
    { note: 'not of undefined is true', modules: mod('p if not input.missing'), query: 'x = data.t.p', input: {}, want_result: [{ x: true }] },
    { note: 'not of false is true', modules: mod('p if not input.f'), query: 'x = data.t.p', input: { f: false }, want_result: [{ x: true }] },
    { note: 'every over an empty domain holds', modules: mod('p if { every x in [] { x > 100 } }'), query: 'x = data.t.p', want_result: [{ x: true }] },
    { note: 'every fails on one counterexample', modules: mod('p if { every _, v in {"a": 1, "b": 2} { v < 2 } }'), query: 'x = data.t.p', want_result: [] },
    { note: 'some k, v over arrays binds indexes', modules: mod('p := {i: x | some i, x in ["a", "b"]}'), query: 'x = data.t.p', want_result: [{ x: { 0: 'a', 1: 'b' } }] },
    { note: 'membership over arrays, sets and object values', modules: mod('p := [1 in [1, 2], 3 in {1, 2}, "a" in {"a": 1}, 1 in {"a": 1}, "a", 1 in {"a": 1}]'), query: 'x = data.t.p', want_result: [{ x: [true, false, false, true, 'a', true] }] },
    { note: 'undefined elements drop out of comprehensions, false ones stay', modules: mod('p := [x | some x in [1, 2, 3]; x > 1]\nq := [b | some x in [1, 2, 3]; b := x > 1]'), query: 'x = [data.t.p, data.t.q]', want_result: [{ x: [[2, 3], [false, true, true]] }] },
    { note: 'unification destructures arrays and objects', modules: mod('p := [a, b] if { [a, {"k": b}] = [1, {"k": 2}] }'), query: 'x = data.t.p', want_result: [{ x: [1, 2] }] },
    { note: 'nested comprehensions see outer variables', modules: mod('p := {k: [v | some v in xs; v > 1] | some k, xs in {"a": [1, 2, 3], "b": [0]}}'), query: 'x = data.t.p', want_result: [{ x: { a: [2, 3], b: [] } }] },
    { note: 'object comprehension with two values for a key conflicts', modules: mod('p := {k: v | some v in [1, 2]; k := "a"}'), query: 'x = data.t.p', want_error_code: 'eval_conflict_error' },
    { note: 'negative and out-of-range indexes are undefined', modules: mod('p := [1, 2][-1]\nq := [1, 2][2]'), query: 'x = [data.t.p]', want_result: [] },
    { note: 'an integral float indexes an array', modules: mod('p := [1, 2][1.0]'), query: 'x = data.t.p', want_result: [{ x: 2 }] },
    { note: 'set and object equality ignore order', modules: mod('p if {1, 2, 3} == {3, 2, 1}\nq if {"a": [1, {2}], "b": 1} == {"b": 1, "a": [1, {2}]}'), query: 'x = [data.t.p, data.t.q]', want_result: [{ x: [true, true] }] },
    { note: 'set operators', modules: mod('p := [{1, 2} | {3}, {1, 2} & {2}, {1, 2} - {2}]'), query: 'x = data.t.p', want_result: [{ x: [[1, 2, 3], [2], [1]] }] },
  ],
  with: [
    { note: 'with replaces input below its root', modules: mod('p := input.x'), query: 'x = data.t.p with input.x as 5', want_result: [{ x: 5 }] },
    { note: 'with replaces a function by another', modules: mod('f(x) := x + 1\ng(x) := x * 10\np := y if { y := f(1) with f as g }'), query: 'x = data.t.p', want_result: [{ x: 10 }] },
    { note: 'with replaces a built-in by a value', modules: mod('p := y if { y := count([1, 2]) with count as 7 }'), query: 'x = data.t.p', want_result: [{ x: 7 }] },
    { note: 'with replaces a whole rule value', modules: [...mod('p := x if { x := data.a.b.d with data.a.b as {"d": 5} }'), 'package a\nb := {"c": 0, "d": 2}'], query: 'x = data.t.p', want_result: [{ x: 5 }] },
    { note: 'with above a rule replaces the rule too', modules: [...mod('p := x if { x := data.a with data.a as {"d": 5} }'), 'package a\nb := {"c": 0}'], query: 'x = data.t.p', want_result: [{ x: { d: 5 } }] },
    { note: 'with below base data patches it', modules: mod('p := x if { x := data.a with data.a.b.c as 1 }'), data: { a: { b: { c: 0, d: 1 } } }, query: 'x = data.t.p', want_result: [{ x: { b: { c: 1, d: 1 } } }] },
    // OPA: a rule's value is replaced whole or not at all.
    { note: 'with cannot replace part of a complete rule', modules: [...mod('p := x if { x := data.a.b with data.a.b.c as 1 }'), 'package a\nb := {"c": 0}'], query: 'x = data.t.p', want_error_code: 'rego_compile_error', want_error: 'with keyword cannot partially replace virtual document(s)' },
    { note: 'with cannot replace part of a partial object rule', modules: [...mod('p := x if { x := data.a.b with data.a.b.c as 1 }'), 'package a\nb[k] := 1 if { some k in ["x"] }'], query: 'x = data.t.p', want_error_code: 'rego_compile_error' },
  ],
  numbers: [
    { note: 'integer and float arithmetic', modules: mod('p := [1 + 2, 7 - 10, 3 * 4, 7 / 2, 7 % 3, -7 % 3, 13 % -4, 9.0 % 4, 10 / 4, 0.1 + 0.2]'), query: 'x = data.t.p', want_result: [{ x: [3, -3, 12, 3.5, 1, -1, 1, 1, 2.5, 0.30000000000000004] }] },
    { note: 'division by zero is undefined without strict errors', modules: mod('p := 1 / 0'), query: 'x = data.t.p', want_result: [] },
    { note: 'division by zero raises with strict errors', modules: mod('p := 1 / 0.0'), query: 'x = data.t.p', strict_error: true, want_error_code: 'eval_builtin_error', want_error: 'divide by zero' },
    { note: 'modulo on a fraction raises with strict errors', modules: mod('p := 5.5 % 2'), query: 'x = data.t.p', strict_error: true, want_error_code: 'eval_builtin_error', want_error: 'modulo on floating-point number' },
    { note: '1 equals 1.0, also as an object key', modules: mod('p if 1 == 1.0\nq := {1.0: "a"}[1]'), query: 'x = [data.t.p, data.t.q]', want_result: [{ x: [true, 'a'] }] },
    { note: 'integers beyond 2^64 add, subtract and multiply exactly', modules: mod('p := [sprintf("%v", [36893488147419103232 + 5]), sprintf("%v", [-36893488147419103232 - 7]), sprintf("%d", [36893488147419103232 * 3])]'), query: 'x = data.t.p', want_result: [{ x: ['36893488147419103237', '-36893488147419103239', '110680464442257309696'] }] },
    { note: 'big integer remainders follow the dividend sign', modules: mod('p := [sprintf("%v", [36893488147419103237 % 10]), sprintf("%v", [9 % 36893488147419103232]), sprintf("%v", [-36893488147419103237 % 36893488147419103232])]'), query: 'x = data.t.p', want_result: [{ x: ['7', '9', '-5'] }] },
    { note: 'results crossing 2^53 and 2^64 stay exact', modules: mod('p := [sprintf("%v", [4294967296 * 4294967296]), sprintf("%v", [9007199254740992 + 1]), sprintf("%v", [9223372036854775807 + 1]), sprintf("%v", [9007199254740991 + 2]), sprintf("%v", [-9007199254740991 - 2])]'), query: 'x = data.t.p', want_result: [{ x: ['18446744073709551616', '9007199254740993', '9223372036854775808', '9007199254740993', '-9007199254740993'] }] },
    { note: 'integers written with exponents or zero fractions are integers', modules: mod('p := [sprintf("%v", [1e25 + 3]), sprintf("%v", [20.0 + 2]), sprintf("%v", [round(7.00)]), sprintf("%v", [2.5e1 * 2])]'), query: 'x = data.t.p', want_result: [{ x: ['10000000000000000000000003', '22', '7', '50'] }] },
    { note: 'sum and product of big integers are exact', modules: mod('p := [sprintf("%v", [sum([36893488147419103232, 4])]), sprintf("%v", [product([36893488147419103232, 3])]), sprintf("%v", [sum({9223372036854775807, 9223372036854775806})])]'), query: 'x = data.t.p', want_result: [{ x: ['36893488147419103236', '110680464442257309696', '18446744073709551613'] }] },
    { note: 'abs of big negative integers', modules: mod('p := [sprintf("%v", [abs(-36893488147419103232)]), sprintf("%v", [abs(-9223372036854775808)])]'), query: 'x = data.t.p', want_result: [{ x: ['36893488147419103232', '9223372036854775808'] }] },
    { note: 'integer division is exact when the divisor divides', modules: mod('p := [sprintf("%v", [9 / 3]), sprintf("%v", [-9 / 3]), sprintf("%v", [1 / 8]), sprintf("%v", [36893488147419103232 / 2])]'), query: 'x = data.t.p', want_result: [{ x: ['3', '-3', '0.125', '18446744073709551616'] }] },
    { note: 'big integers compare exactly', modules: mod('p := [36893488147419103233 > 36893488147419103232, 36893488147419103233 == 36893488147419103232, 3.50 == 3.5, 1e2 == 100]'), query: 'x = data.t.p', want_result: [{ x: [true, false, true, true] }] },
    { note: 'decimals beyond a double compare exactly', wasmOnly: true, modules: mod('p := [1e400 > 1e399, 0.1234567890123456789 > 0.1234567890123456788, 1e-400 > 0]'), query: 'x = data.t.p', want_result: [{ x: [true, true, true] }] },
    // OPA hands sprintf an integer literal as *big.Int but 1e30 (not integer syntax) as float64.
    { note: 'sprintf sees exponent literals as floats, computed big integers exactly', wasmOnly: true, modules: mod('p := [sprintf("%v", [1e30]), sprintf("%v", [1e30 + 1]), sprintf("%v", [2e308])]'), query: 'x = data.t.p', want_result: [{ x: ['1e+30', '1000000000000000000000000000001', '2e308'] }] },
    { note: 'round is half away from zero, exactly', modules: mod('p := [round(0.49999999999999994), round(2.5), round(-2.5), round(1.5), round(4503599627370497.0)]'), query: 'x = data.t.p', want_result: [{ x: [0, 3, -3, 2, 4503599627370497] }] },
    {"note": "decimals order like the numbers they denote, beyond double precision and range too", "modules": ["package t\npairs := [[7, 7.25], [7.75, 7.5], [4.20, 4.2], [1E+3, 1000.0], [2e-2, 0.020], [0.2, 0.20000000000001], [-3.5, 3.5], [-0, 0.0], [0, -0.01], [0.0000000000000003, 0.0000000000000004], [888888888888888, 888888888888888.5], [1e350, 1e349], [-1e350, -1e349], [2e-350, 0], [0.98765432109876543211, 0.98765432109876543210], [98765432109876543210987, 98765432109876543210986]]\nord(a, b) := -1 if a < b\nord(a, b) := 1 if a > b\nord(a, b) := 0 if a == b\np := [ord(x[0], x[1]) | some x in pairs]\nq := [count({4.5, 4.50, 45e-1, 0.45e1}), 4.50 in {4.5}, {4.5: 1}[4.50], sort([4.5, 4, 4.25, -1.5, 4.50, 2e0, 0.5]), max([4, 4.5, 4.25, 4.4999]), min([4, 4.5, 3.75, 3.7499])]"], "query": "x = [data.t.p, data.t.q]", "want_result": [{"x": [[-1, 1, 0, 0, 0, -1, -1, 0, 1, -1, -1, 1, -1, 1, 1, 1], [1, true, 1, [-1.5, 0.5, 2, 4, 4.25, 4.5, 4.5], 4.5, 3.7499]]}], "wasmOnly": true},
    { note: 'sprintf reports a mismatched verb with the signed value as Go does', modules: mod('p := [sprintf("%d", [-1.25]), sprintf("%s", [3]), sprintf("%d", ["x"]), sprintf("%v", [[1, "a", {2}]])]'), query: 'x = data.t.p', want_result: [{ x: ['%!d(float64=-1.25)', '%!s(int=3)', '%!d(string=x)', '[1, "a", {2}]'] }] },
    { note: 'equal decimals are one set member and one object key', modules: mod('p := [count({2.5, 2.50, 25e-1}), {2.5: 1}[2.50], sort([2.50, 1, 2])]'), query: 'x = data.t.p', want_result: [{ x: [1, 1, [1, 2, 2.5]] }] },
  ],
  errors: [
    { note: 'built-in type errors are undefined without strict errors', modules: mod('p := count(input.x)'), query: 'x = data.t.p', input: { x: 1 }, want_result: [] },
    { note: 'built-in type errors raise with strict errors', modules: mod('p := count(input.x)'), query: 'x = data.t.p', input: { x: 1 }, strict_error: true, want_error_code: 'eval_type_error' },
  ],
  withModifiers: [
    {"note": "with input replaces whole", "modules": ["package t\nq := input\np := x if { x := q with input.a as {\"d\": 3} }"], "query": "x = data.t.p", "input": {"a": {"b": 1}, "z": 1}, "want_result": [{"x": {"a": {"d": 3}, "z": 1}}]},
    {"note": "with input whole", "modules": ["package t\nq := input.a\np := x if { x := q with input as {\"a\": 9} }"], "query": "x = data.t.p", "input": {"a": 1}, "want_result": [{"x": 9}]},
    {"note": "with nested stack", "modules": ["package t\nq := [input.a, input.b]\nr := x if { x := q with input.b as 2 }\np := x if { x := r with input.a as 1 }"], "query": "x = data.t.p", "input": {"a": 0, "b": 0}, "want_result": [{"x": [1, 2]}]},
    {"note": "with data base doc used by rule", "modules": ["package t\nq := data.cfg.limit * 2\np := x if { x := q with data.cfg.limit as 21 }"], "data": {"cfg": {"limit": 1}}, "query": "x = data.t.p", "want_result": [{"x": 42}]},
    {"note": "with rule used indirectly", "modules": ["package t\nbase := 1\nmid := base + 1\np := x if { x := mid with base as 10 }"], "query": "x = data.t.p", "want_result": [{"x": 11}]},
    {"note": "with rule used indirectly data path", "modules": ["package t\nbase := 1\nmid := base + 1\np := x if { x := mid with data.t.base as 10 }"], "query": "x = data.t.p", "want_result": [{"x": 11}]},
    {"note": "with function mock in other rule", "modules": ["package t\nf(x) := x\nq := f(5)\np := x if { x := q with f as 7 }"], "query": "x = data.t.p", "want_result": [{"x": 7}]},
    {"note": "with builtin mock by function", "modules": ["package t\nmyupper(s) := concat(\"\", [s, \"!\"])\nq := upper(\"a\")\np := x if { x := q with upper as myupper }"], "query": "x = data.t.p", "want_result": [{"x": "a!"}]},
    {"note": "with partial set rule replaced", "modules": ["package t\ns contains 1\nq := count(s)\np := x if { x := q with s as {1,2,3} }"], "query": "x = data.t.p", "want_result": [{"x": 3}]},
    {"note": "with on query", "modules": ["package t\nq := input.x + 1"], "query": "data.t.q = x with input.x as 1", "want_result": [{"x": 2}]},
    {"note": "with var value", "modules": ["package t\nq := input.x\np := [y | some v in [1,2]; y := q with input.x as v]"], "query": "x = data.t.p", "want_result": [{"x": [1, 2]}]},
    {"note": "with not", "modules": ["package t\nq if input.x == 1\np if { not q with input.x as 2 }"], "query": "x = data.t.p", "input": {"x": 1}, "want_result": [{"x": true}]},
    {"note": "with every", "modules": ["package t\nq if input.x > 0\np if { every v in [1,2] { q with input.x as v } }"], "query": "x = data.t.p", "want_result": [{"x": true}]},
    {"note": "with builtin mock value in func", "modules": ["package t\nf(x) := count(x)\np := y if { y := f([1]) with count as 5 }"], "query": "x = data.t.p", "want_result": [{"x": 5}]},
    {"note": "with builtin mock time", "modules": ["package t\nq := time.now_ns()\np := y if { y := q with time.now_ns as 12 }"], "query": "x = data.t.p", "want_result": [{"x": 12}]},
    {"note": "with mock function with multiple outputs", "modules": ["package t\nf(x) := 1 if x > 0\ng(x) := 2 if x > 0\ng(x) := 3 if x > 1\np := y if { y := f(2) with f as g }"], "query": "x = data.t.p", "want_error_code": "eval_conflict_error"},
    {"note": "with data.t.q partial object", "modules": ["package t\nq[k] := 1 if { some k in [\"a\"] }\np := y if { y := q with q as {\"z\": 2} }"], "query": "x = data.t.p", "want_result": [{"x": {"z": 2}}]},
    {"note": "with input in rule called twice cache", "modules": ["package t\nq := input.x\np := [a, b, c] if { a := q with input.x as 1; b := q with input.x as 2; c := q }"], "query": "x = data.t.p", "input": {"x": 3}, "want_result": [{"x": [1, 2, 3]}]},
  ],
  language: [
    {"note": "generic ref heads two vars", "modules": ["package t\np[x][y] := 1 if { some x in [\"a\", \"b\"]; some y in [\"c\"] }"], "query": "x = data.t.p", "want_result": [{"x": {"a": {"c": 1}, "b": {"c": 1}}}]},
    {"note": "ref head conflict", "modules": ["package t\np.a := 1\np[x] := 2 if x := \"a\""], "query": "x = data.t.p", "want_error_code": "eval_conflict_error"},
    {"note": "ref head contains merge", "modules": ["package t\np.q.r contains 1\np.q.s := 2"], "query": "x = data.t.p.q", "want_result": [{"x": {"r": [1], "s": 2}}]},
    {"note": "func pattern args", "modules": ["package t\nf(1) := \"one\"\nf(2) := \"two\"\nf([a, b]) := a + b\np := [f(1), f(2), f([3, 4])]\nq := f(3)"], "query": "x = [data.t.p, data.t.q]", "want_result": []},
    {"note": "func pattern args 2", "modules": ["package t\nf(1) := \"one\"\nf(2) := \"two\"\nf([a, b]) := a + b\np := [f(1), f(2), f([3, 4])]"], "query": "x = data.t.p", "want_result": [{"x": ["one", "two", 7]}]},
    {"note": "else default", "modules": ["package t\ndefault p := 0\np := 1 if { input.x == 1 } else := 2 if { input.x == 2 }"], "query": "x = data.t.p", "input": {"x": 3}, "want_result": [{"x": 0}]},
    {"note": "else second", "modules": ["package t\np := 1 if { input.x == 1 } else := 2 if { input.x == 2 }"], "query": "x = data.t.p", "input": {"x": 2}, "want_result": [{"x": 2}]},
    {"note": "else bool", "modules": ["package t\np if { input.x == 1 } else := false"], "query": "x = data.t.p", "input": {"x": 2}, "want_result": [{"x": false}]},
    {"note": "compare types", "modules": ["package t\np := [null < false, false < 0, 0 < \"\", \"\" < [], [] < {}, {} < set(), [1,2] < [1,3], [1] < [1,0], {\"a\":1} < {\"a\":2}, \"a\" < \"b\", \"Z\" < \"a\", -0 == 0]"], "query": "x = data.t.p", "want_result": [{"x": [true, true, true, true, true, true, true, true, true, true, true, true]}]},
    {"note": "wildcard iteration", "modules": ["package t\np := [x | x := input.xs[_].v]"], "query": "x = data.t.p", "input": {"xs": [{"v": 1}, {"w": 2}, {"v": 3}]}, "want_result": [{"x": [1, 3]}]},
    {"note": "data refs with vars", "modules": ["package t\nusers := {\"a\": {\"age\": 3}, \"b\": {\"age\": 5}}\np := {n | data.t.users[n].age > 4}"], "query": "x = data.t.p", "want_result": [{"x": ["b"]}]},
    {"note": "sets of sets", "modules": ["package t\np := [{1} in {{1}, {2}}, {{1,2}} == {{2,1}}, count({[1], [1]})]"], "query": "x = data.t.p", "want_result": [{"x": [true, true, 1]}]},
    {"note": "not nested undefined", "modules": ["package t\np if not input.a.b.c"], "query": "x = data.t.p", "input": {"a": 1}, "want_result": [{"x": true}]},
    {"note": "unify object partial", "modules": ["package t\np := v if { {\"a\": v} = input }"], "query": "x = data.t.p", "input": {"a": 1, "b": 2}, "want_result": []},
    {"note": "some declared unify", "modules": ["package t\np := [x, y] if { some x, y; [x, y] = [1, 2] }"], "query": "x = data.t.p", "want_result": [{"x": [1, 2]}]},
    {"note": "assign twice error", "modules": ["package t\np if { x := 1; x := 2 }"], "query": "x = data.t.p", "want_error_code": "rego_compile_error"},
    {"note": "partial set index", "modules": ["package t\ns contains x if some x in [1, 2]\np := [s[1], s[2]]\nq := s[3]"], "query": "x = [data.t.p]", "want_result": [{"x": [[1, 2]]}]},
    {"note": "object count keys", "modules": ["package t\np := [count({\"a\": 1}), count(\"\"), count([])]"], "query": "x = data.t.p", "want_result": [{"x": [1, 0, 0]}]},
    {"note": "iterate string fails", "modules": ["package t\np := [x | some x in \"abc\"]"], "query": "x = data.t.p", "want_result": [{"x": []}]},
    {"note": "every over object values", "modules": ["package t\np if { every v in {\"a\": 1, \"b\": 2} { v > 0 } }"], "query": "x = data.t.p", "want_result": [{"x": true}]},
    {"note": "default partial rule value composite", "modules": ["package t\ndefault p := {\"a\": [1]}\np := 2 if false"], "query": "x = data.t.p", "want_result": [{"x": {"a": [1]}}]},
    {"note": "multiple output bindings query", "modules": ["package t\ns contains x if some x in [1, 2]"], "query": "data.t.s[x]", "want_result": [{"x": 1}, {"x": 2}]},
    {"note": "function calls function recursion error", "modules": ["package t\nf(x) := g(x)\ng(x) := f(x)\np := f(1)"], "query": "x = data.t.p", "want_error_code": "rego_recursion_error"},
    {"note": "comprehension in function", "modules": ["package t\nf(xs) := {x | some x in xs; x > 1}\np := f([1, 2, 3])"], "query": "x = data.t.p", "want_result": [{"x": [2, 3]}]},
    {"note": "unicode strings", "modules": ["package t\np := [upper(\"héllo\"), count(\"日本\"), substring(\"日本語\", 1, 1), indexof(\"日本語\", \"語\")]"], "query": "x = data.t.p", "want_result": [{"x": ["HÉLLO", 2, "本", 2]}]},
    {"note": "object key from var int", "modules": ["package t\np := {x: 1 | some x in [1, 2]}"], "query": "x = data.t.p", "want_result": [{"x": {"1": 1, "2": 1}}]},
    {"note": "array comprehension order", "modules": ["package t\np := [x | some x in {3, 1, 2}]\nq := [k | some k, _ in {\"b\": 1, \"a\": 2}]"], "query": "x = [data.t.p, data.t.q]", "want_result": [{"x": [[1, 2, 3], ["a", "b"]]}]},
  ],
  typeErrors: [
    {"note": "count literal", "modules": ["package t\np := count(1)"], "query": "x = data.t.p", "want_error_code": "rego_type_error", "want_error": "count: invalid argument(s)"},
    {"note": "plus string", "modules": ["package t\np := 1 + \"a\""], "query": "x = data.t.p", "want_error_code": "rego_type_error"},
    {"note": "minus set num ok", "modules": ["package t\np if { {1} - 1 }"], "query": "x = data.t.p", "strict_error": true, "want_error_code": "eval_type_error"},
    {"note": "upper comp", "modules": ["package t\np := upper([x | x := 1])"], "query": "x = data.t.p", "want_error_code": "rego_type_error"},
    {"note": "format_int ok", "modules": ["package t\np if { format_int(4.1, 199, x) }"], "query": "x = data.t.p", "want_error_code": "eval_type_error", "strict_error": true},
    {"note": "two errors", "modules": ["package t\np := count(1)\nq := upper(2)"], "query": "x = data.t.p", "want_error_code": "rego_type_error"},
  ],
  outputArguments: [
    {"note": "output arg top", "modules": ["package t\np := y if { union({{1}, {2}}, y) }"], "query": "x = data.t.p", "want_result": [{"x": [1, 2]}]},
    {"note": "output arg nested", "modules": ["package t\np := y if { y := count(union({{1}}, z)) }"], "query": "x = data.t.p", "want_error_code": "rego_type_error"},
    {"note": "output arg in comprehension", "modules": ["package t\np := [y | some s in [{{1}}]; union(s, y)]"], "query": "x = data.t.p", "want_result": [{"x": [[1]]}]},
    {"note": "output arg query", "modules": ["package t\n"], "query": "count([1,2], n)", "want_result": [{"n": 2}]},
  ],
  compileErrors: [
    { note: 'locals must not shadow input', modules: mod('p if { input := 1 }'), query: 'x = data.t.p', want_error_code: 'rego_compile_error', want_error: 'variables must not shadow input (use a different variable name)' },
    { note: 'locals must not shadow data, and nothing else is reported', modules: mod('p if { data := 1 }'), query: 'x = data.t.p', want_error_code: 'rego_compile_error', want_error: 'variables must not shadow data' },
    { note: 'function arguments must not shadow input', modules: mod('f(input) := 1\np := f(1)'), query: 'x = data.t.p', want_error_code: 'rego_compile_error', want_error: 'args must not shadow input' },
    { note: 'rules must not shadow input', modules: mod('input := 1'), query: 'x = data.t', want_error_code: 'rego_compile_error', want_error: 'rules must not shadow input (use a different rule name)' },
    { note: 'two imports must not bind one name', modules: mod('import data.x.y\nimport data.z.y\np := y'), query: 'x = data.t.p', want_error_code: 'rego_compile_error', want_error: 'import must not shadow import data.x.y' },
    { note: 'a variable is assigned once', modules: mod('p if { x := 1; x := 2 }'), query: 'x = data.t.p', want_error_code: 'rego_compile_error', want_error: 'var x assigned above' },
  ],
};
