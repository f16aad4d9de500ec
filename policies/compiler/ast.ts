// Rego abstract syntax tree, as produced by the parser (policies/compiler/parser)
// and consumed by the compile passes and the planner.
//
// Conventions (they mirror OPA's own AST so OPA's documentation of semantics applies):
// - Operators are calls: `a + b` is call(plus, [a, b]), `a == b` is call(equal, ...),
//   `a = b` is call(eq, ...) (unification), `a := b` is call(assign, ...),
//   `x in xs` is call(internal.member_2, [x, xs]), `k, v in xs` is call(internal.member_3, [k, v, xs]).
//   The operator names are in OPERATOR_NAMES below.
// - A reference `a.b[c]` is { type: 'ref', terms: [var a, string "b", var c] }.
//   `data.x.y` is [var data, string x, string y]; `input.x` is [var input, string x].
//   A call used as a reference head (`f(x).y`) keeps the call term as terms[0].
// - A function name in a call is a ref: `count(x)` has op [var count]; `time.now_ns()`
//   has op [var time, string now_ns]; `data.lib.f(x)` has op [var data, string lib, string f].
// - `_` is kept as a var named "_" by the parser; the compiler gives each one a unique name.

export interface Location {
  file: string;
  /** 1-based line. */
  row: number;
  /** 1-based column, counted in UTF-16 code units of the source line. */
  col: number;
  /** 0-based offset of the first character in the source text. */
  offset: number;
}

interface TermBase {
  loc: Location;
}

export interface NullTerm extends TermBase { type: 'null' }
export interface BooleanTerm extends TermBase { type: 'boolean'; value: boolean }
/** value keeps the literal text (arbitrary precision, e.g. "1e400", "-3", "0.5"). */
export interface NumberTerm extends TermBase { type: 'number'; value: string }
export interface StringTerm extends TermBase { type: 'string'; value: string; raw?: boolean }
export interface VarTerm extends TermBase { type: 'var'; name: string }
export interface RefTerm extends TermBase { type: 'ref'; terms: Term[] }
export interface ArrayTerm extends TermBase { type: 'array'; items: Term[] }
export interface ObjectTerm extends TermBase { type: 'object'; items: Array<[Term, Term]> }
export interface SetTerm extends TermBase { type: 'set'; items: Term[] }
export interface ArrayComprehension extends TermBase { type: 'arraycomp'; term: Term; body: Body }
export interface SetComprehension extends TermBase { type: 'setcomp'; term: Term; body: Body }
export interface ObjectComprehension extends TermBase { type: 'objectcomp'; key: Term; value: Term; body: Body }
/** A function or operator call. op is a ref naming the function (see header comment). */
export interface CallTerm extends TermBase { type: 'call'; op: RefTerm; args: Term[] }

export type ScalarTerm = NullTerm | BooleanTerm | NumberTerm | StringTerm;
export type Term =
  | ScalarTerm
  | VarTerm
  | RefTerm
  | ArrayTerm
  | ObjectTerm
  | SetTerm
  | ArrayComprehension
  | SetComprehension
  | ObjectComprehension
  | CallTerm;

/** `with <target> as <value>`; target is a ref (input..., data..., or a function/built-in name). */
export interface With {
  target: RefTerm;
  value: Term;
  loc: Location;
}

/** A plain expression: a term (often a call such as eq/assign/equal or a built-in). */
export interface TermExpr { kind: 'term'; term: Term }
/** `some x, y` — declares local variables. */
export interface SomeDecl { kind: 'some'; vars: VarTerm[] }
/** `some x in xs` (key null) or `some k, v in xs`. */
export interface SomeIn { kind: 'somein'; key: Term | null; value: Term; collection: Term }
/** `every x in xs { ... }` (key null) or `every k, v in xs { ... }`. */
export interface Every { kind: 'every'; key: Term | null; value: Term; domain: Term; body: Body }

export type ExprKind = TermExpr | SomeDecl | SomeIn | Every;

export type Expr = ExprKind & {
  /** `not <expr>` */
  negated: boolean;
  with: With[];
  loc: Location;
};

export type Body = Expr[];

export type RuleKind =
  /** `p := 1`, `p if {...}`, `a.b.c := x if ...` (a ref head with no variable part). */
  | 'complete'
  /** `p contains x if ...` (and the v0 form `p[x] { ... }` is not accepted in v1). */
  | 'partialset'
  /** `p[k] := v if ...`, `a.b[k] := v`, `a[x].b := v`: a ref head whose path has a non-ground term. */
  | 'partialobject'
  /** `f(x) := y if ...`, `f(x) if ...` */
  | 'function';

export interface RuleHead {
  /** The rule's reference: first a var (rule name), then path terms. `a.b[x]` → [var a, string b, var x]. */
  ref: Term[];
  kind: RuleKind;
  /** Function parameters (kind 'function'), else null. */
  args: Term[] | null;
  /** The element of a partial set rule (`contains <key>`), else null. */
  key: Term | null;
  /**
   * The value: explicit (`:= v`, `= v`) or, when omitted, a boolean true term the parser makes
   * (loc = the head's loc). null only for partial set rules.
   */
  value: Term | null;
  /** true for `:=`, false for `=` or an implied value. */
  assign: boolean;
  loc: Location;
}

export interface Rule {
  head: RuleHead;
  /** Empty when the rule has no body (`p := 1`); the compiler treats that as `true`. */
  body: Body;
  default: boolean;
  /** The next rule of an else chain: its head has the else's value (args are the first rule's). */
  else: Rule | null;
  loc: Location;
  /** The source file's module, for error messages and package resolution. */
  module?: Module;
}

export interface Import {
  /** The imported ref: `data.a.b`, `input.x`, `future.keywords.in`, `rego.v1`. */
  path: RefTerm;
  alias: string | null;
  loc: Location;
}

export interface Package {
  /** [var data, string a, string b] for `package a.b`. */
  path: Term[];
  loc: Location;
}

export interface Comment {
  text: string;
  loc: Location;
}

export interface Module {
  file: string;
  /** The source text, kept so errors can quote the offending line. */
  source: string;
  package: Package;
  imports: Import[];
  rules: Rule[];
  comments: Comment[];
}

/** Names the parser uses for operator calls. */
export const OPERATOR_NAMES = {
  '=': 'eq',
  ':=': 'assign',
  '==': 'equal',
  '!=': 'neq',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
  '+': 'plus',
  '-': 'minus',
  '*': 'mul',
  '/': 'div',
  '%': 'rem',
  '&': 'and',
  '|': 'or',
  in2: 'internal.member_2',
  in3: 'internal.member_3',
} as const;
