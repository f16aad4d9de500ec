// Recursive-descent parser for Rego terms, expressions and bodies (the statement level, i.e.
// package/import/rules, is in statements.ts).
//
// Grammar facts taken from OPA's parser (so the same source means the same thing here):
// - Binding, loosest first: `:=`/`=` (expression level only), `in`, `== != < <= > >=`, `|`, `&`,
//   `+ -`, `* / %`; all left-associative. `-` directly before a number literal makes a negative
//   number; `-x` on a non-literal is a syntax error (OPA: "expected number").
// - Newlines only matter between the expressions of a body: inside an expression they are plain
//   whitespace, so `x := 1 +\n 2` and `x := 1\n+ 2` both continue the expression.
// - Whitespace ends a reference or call: `a.b` and `f(x)` must not contain spaces before `.`,
//   `[` or `(`.
// - In `[...]` and `{...}` a lone first term followed by `|` starts a comprehension; otherwise
//   the first element is a full expression (`{a + 1 | b}` is a set holding `or(a + 1, b)`).
import type {
  Body, Expr, Location, RefTerm, StringTerm, Term, VarTerm, With,
} from '../ast.js';
import { OPERATOR_NAMES } from '../ast.js';
import { KEYWORDS, ParseAbort, TokenCursor, type Mark } from './cursor.js';
import type { Token } from './lexer.js';

/** Bare `data` and `input` are references to the root documents, as in OPA. */
const ROOT_DOCUMENTS: ReadonlySet<string> = new Set(['data', 'input']);

const BINARY_PRECEDENCE: ReadonlyMap<string, number> = new Map([
  ['==', 1], ['!=', 1], ['<', 1], ['<=', 1], ['>', 1], ['>=', 1],
  ['|', 2],
  ['&', 3],
  ['+', 4], ['-', 4],
  ['*', 5], ['/', 5], ['%', 5],
]);

/** Nesting deeper than this is rejected instead of overflowing the JavaScript stack. */
const MAX_DEPTH = 1000;

type OperatorSymbol = keyof typeof OPERATOR_NAMES;

export class Parser extends TokenCursor {
  private depth = 0;

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      this.depth--; // the caller's `finally` is not reached when entering fails
      this.fail(this.loc(this.tok), 'max parsing recursion depth exceeded');
    }
  }

  // ---- bodies and literals -----------------------------------------------------------------

  /** Expressions up to (not including) the closing token `end` (`}` or `]`). */
  parseBody(end: string): Body {
    this.enter();
    try {
      if (this.isPunct(this.tok, end)) this.fail(this.loc(this.tok), 'found empty body');
      const body: Body = [];
      for (;;) {
        body.push(this.parseLiteral());
        if (this.isPunct(this.tok, ';')) {
          this.next();
          continue;
        }
        if (this.isPunct(this.tok, end)) return body;
        if (!this.tok.nl) this.illegal(`expected \\n or ; or ${end}`);
      }
    } finally {
      this.depth--;
    }
  }

  /** One expression of a body: `[not] expr [with ...]`, `some ...`, `every ...`. */
  parseLiteral(): Expr {
    const start = this.tok;
    const loc = this.loc(start);
    let negated = false;
    if (this.atKeyword('not')) {
      this.next();
      negated = true;
    }
    if (this.atKeyword('some')) {
      if (negated) this.illegal("illegal negation of 'some'");
      return this.parseSome(loc);
    }
    if (this.atKeyword('every')) {
      if (negated) this.illegal("illegal negation of 'every'");
      return this.parseEvery(loc);
    }
    let term = this.parseIn(true);
    if (this.isPunct(this.tok, ':=') || this.isPunct(this.tok, '=')) {
      const opTok = this.next();
      const rhs = this.parseIn(true);
      term = this.operatorCall(opTok.text as OperatorSymbol, opTok, [term, rhs]);
    }
    const expr: Expr = { kind: 'term', term, negated, with: [], loc };
    if (this.atKeyword('with')) expr.with = this.parseWiths();
    return expr;
  }

  private parseSome(loc: Location): Expr {
    this.next(); // some
    const mark = this.save();
    let decl: Term | null = null;
    try {
      decl = this.parseIn(true);
    } catch (e) {
      if (!(e instanceof ParseAbort)) throw e;
    }
    if (decl !== null && decl.type === 'call') {
      const name = refName(decl.op);
      const [a, b, c] = decl.args;
      let expr: Expr;
      if (name === OPERATOR_NAMES.in2 && a && b) {
        expr = { kind: 'somein', key: null, value: a, collection: b, negated: false, with: [], loc };
      } else if (name === OPERATOR_NAMES.in3 && a && b && c) {
        expr = { kind: 'somein', key: a, value: b, collection: c, negated: false, with: [], loc };
      } else {
        this.illegal('expected `x in xs` or `x, y in xs` expression');
      }
      if (this.atKeyword('with')) expr.with = this.parseWiths();
      return expr;
    }
    // `some x, y`: a list of variable names.
    this.restore(mark);
    const vars: VarTerm[] = [];
    for (;;) {
      const t = this.tok;
      if (t.type !== 'ident' || KEYWORDS.has(t.text)) this.illegal('expected var');
      this.next();
      vars.push({ type: 'var', name: t.text, loc: this.loc(t) });
      if (!this.isPunct(this.tok, ',')) break;
      this.next();
    }
    return { kind: 'some', vars, negated: false, with: [], loc };
  }

  private parseEvery(loc: Location): Expr {
    this.next(); // every
    const decl = this.parseIn(true);
    const shape = 'expected `x[, y] in xs { ... }` expression';
    if (decl.type !== 'call') this.illegal(shape);
    const name = refName(decl.op);
    const [a, b, c] = decl.args;
    let key: Term | null = null;
    let value: Term;
    let domain: Term;
    if (name === OPERATOR_NAMES.in2 && a && b) {
      value = a;
      domain = b;
    } else if (name === OPERATOR_NAMES.in3 && a && b && c) {
      key = a;
      value = b;
      domain = c;
      if (key.type !== 'var') this.illegal('expected key to be a variable');
    } else {
      this.illegal(shape);
    }
    if (value.type !== 'var') this.illegal('expected value to be a variable');
    if (!this.isPunct(this.tok, '{')) this.illegal('missing body');
    this.next();
    const body = this.parseBody('}');
    this.next();
    const expr: Expr = { kind: 'every', key, value, domain, body, negated: false, with: [], loc };
    if (this.atKeyword('with')) expr.with = this.parseWiths();
    return expr;
  }

  private parseWiths(): With[] {
    const withs: With[] = [];
    while (this.atKeyword('with')) {
      const loc = this.loc(this.next());
      const t = this.tok;
      if (t.type !== 'ident' || (KEYWORDS.has(t.text) && this.atKeyword(t.text))) this.illegal('expected ident');
      const target = this.parsePrimary();
      let ref: RefTerm;
      if (target.type === 'var') ref = { type: 'ref', loc: target.loc, terms: [target] };
      else if (target.type === 'ref') ref = target;
      else this.illegal('expected with target path');
      if (!this.atKeyword('as')) this.illegal('expected as keyword');
      this.next();
      const value = this.parseIn(true);
      withs.push({ target: ref, value, loc });
    }
    return withs;
  }

  // ---- operators ---------------------------------------------------------------------------

  /**
   * An expression without `:=`/`=`: the `in` level and everything binding tighter.
   * keyVal allows `k, v in xs` (not inside lists, where the comma separates elements).
   * lhs is an already parsed leftmost operand (used after a comprehension head turned out not to be one).
   */
  parseIn(keyVal: boolean, lhs?: Term): Term {
    let left = this.parseBinary(lhs ?? this.parsePrimary(), 1);
    if (keyVal && this.isPunct(this.tok, ',')) {
      const mark = this.save();
      this.next();
      let membership: Term | null = null;
      try {
        const mid = this.parseBinary(this.parsePrimary(), 1);
        if (this.atKeyword('in')) {
          const inTok = this.next();
          const rhs = this.parseBinary(this.parsePrimary(), 1);
          membership = this.namedCall(OPERATOR_NAMES.in3, inTok, [left, mid, rhs]);
        }
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
      }
      if (membership) left = membership;
      else this.restore(mark);
    }
    while (this.atKeyword('in')) {
      const inTok = this.next();
      const rhs = this.parseBinary(this.parsePrimary(), 1);
      left = this.namedCall(OPERATOR_NAMES.in2, inTok, [left, rhs]);
    }
    return left;
  }

  /** Precedence climbing over the binary operators that bind at least as tight as minPrec. */
  private parseBinary(lhs: Term, minPrec: number): Term {
    let left = lhs;
    for (;;) {
      const opTok = this.tok;
      const prec = opTok.type === 'punct' ? BINARY_PRECEDENCE.get(opTok.text) : undefined;
      if (prec === undefined || prec < minPrec) return left;
      this.next();
      let right = this.parsePrimary();
      for (;;) {
        const t = this.tok;
        const p2 = t.type === 'punct' ? BINARY_PRECEDENCE.get(t.text) : undefined;
        if (p2 === undefined || p2 <= prec) break;
        right = this.parseBinary(right, prec + 1);
      }
      left = this.operatorCall(opTok.text as OperatorSymbol, opTok, [left, right]);
    }
  }

  private operatorCall(symbol: OperatorSymbol, opTok: Token, args: Term[]): Term {
    return this.namedCall(OPERATOR_NAMES[symbol], opTok, args);
  }

  private namedCall(name: string, opTok: Token, args: Term[]): Term {
    const loc = this.loc(opTok);
    const [first, ...rest] = name.split('.');
    const terms: Term[] = [{ type: 'var', name: first ?? name, loc }];
    for (const part of rest) terms.push({ type: 'string', value: part, loc });
    const head = args[0];
    return { type: 'call', loc: head ? head.loc : loc, op: { type: 'ref', loc, terms }, args };
  }

  // ---- terms -------------------------------------------------------------------------------

  /** A single term: scalar, var, composite, comprehension, parenthesized expression, with any ref/call suffix. */
  parsePrimary(): Term {
    this.enter();
    try {
      const t = this.tok;
      const loc = this.loc(t);
      let term: Term;
      switch (t.type) {
        case 'ident':
          if (this.atVarStart()) {
            this.next();
            term = { type: 'var', name: t.text, loc };
          } else if (t.text === 'null') {
            this.next();
            term = { type: 'null', loc };
          } else if (t.text === 'true' || t.text === 'false') {
            this.next();
            term = { type: 'boolean', value: t.text === 'true', loc };
          } else {
            this.illegal();
          }
          break;
        case 'number':
          term = this.parseNumber();
          break;
        case 'string':
          this.next();
          term = { type: 'string', value: t.value ?? '', loc };
          break;
        case 'rawstring':
          this.next();
          term = { type: 'string', value: t.value ?? '', raw: true, loc };
          break;
        case 'punct':
          switch (t.text) {
            case '-':
            case '.':
              term = this.parseNumber();
              break;
            case '[':
              term = this.parseArray();
              break;
            case '{':
              term = this.parseSetOrObject();
              break;
            case '(': {
              this.next();
              term = this.parseIn(true);
              if (!this.isPunct(this.tok, ')')) this.fail(this.loc(this.tok), 'non-terminated expression');
              this.next();
              break;
            }
            default:
              this.illegal();
          }
          break;
        default:
          this.illegal();
      }
      return this.finishTerm(term);
    } finally {
      this.depth--;
    }
  }

  /** A rule head: a name with an optional ref/call suffix; `data`/`input` stay plain vars. */
  parseHeadTerm(): Term {
    const t = this.next();
    const head: VarTerm = { type: 'var', name: t.text, loc: this.loc(t) };
    return this.atRefSuffix() ? this.parseRef(head) : head;
  }

  private atRefSuffix(): boolean {
    const t = this.tok;
    return !t.ws && t.type === 'punct' && (t.text === '.' || t.text === '[' || t.text === '(');
  }

  private finishTerm(head: Term): Term {
    if (this.atRefSuffix()) return this.parseRef(head);
    if (head.type === 'var' && ROOT_DOCUMENTS.has(head.name)) return { type: 'ref', loc: head.loc, terms: [head] };
    return head;
  }

  private parseRef(head: Term): Term {
    switch (head.type) {
      case 'var': case 'array': case 'object': case 'set': case 'call':
      case 'arraycomp': case 'setcomp': case 'objectcomp':
        break;
      default:
        this.fail(head.loc, `illegal ref (head cannot be ${valueName(head)})`);
    }
    const terms: Term[] = [head];
    while (this.atRefSuffix()) {
      const t = this.tok;
      if (t.text === '.') {
        this.next();
        const name = this.tok;
        if (name.ws) {
          // OPA's scanner sees a whitespace token right after the dot.
          const at: Location = { file: this.file, row: t.row, col: t.col + 1, offset: t.offset + 1 };
          this.fail(at, 'unexpected whitespace token: expected identifier');
        }
        if (name.type !== 'ident') this.illegal('expected identifier');
        this.next();
        terms.push({ type: 'string', value: name.text, loc: this.loc(name) } satisfies StringTerm);
      } else if (t.text === '[') {
        this.next();
        terms.push(this.parseIn(true));
        this.expectPunct(']', 'expected ]');
      } else {
        // `(`: the ref so far names a function.
        if (head.type !== 'var') this.illegal();
        const op: RefTerm = { type: 'ref', loc: head.loc, terms: terms.slice() };
        const call = this.parseCall(op);
        return this.atRefSuffix() && !this.isPunct(this.tok, '(') ? this.parseRef(call) : call;
      }
    }
    return terms.length === 1 ? head : { type: 'ref', loc: head.loc, terms };
  }

  private parseCall(op: RefTerm): Term {
    this.next(); // (
    if (this.isPunct(this.tok, ')')) {
      this.next();
      const [only] = op.terms;
      if (op.terms.length === 1 && only?.type === 'var' && only.name === 'set') return { type: 'set', loc: op.loc, items: [] };
      return { type: 'call', loc: op.loc, op, args: [] };
    }
    return { type: 'call', loc: op.loc, op, args: this.parseTermList(')', []) };
  }

  /** Comma-separated expressions up to and including `end`; a trailing comma is allowed. */
  private parseTermList(end: string, items: Term[]): Term[] {
    if (this.isPunct(this.tok, end)) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.parseIn(false));
      if (this.isPunct(this.tok, end)) {
        this.next();
        return items;
      }
      if (!this.isPunct(this.tok, ',')) this.illegal(`expected "," or "${end}"`);
      this.next();
      if (this.isPunct(this.tok, end)) {
        this.next();
        return items;
      }
    }
  }

  private parsePairList(items: Array<[Term, Term]>): Array<[Term, Term]> {
    if (this.isPunct(this.tok, '}')) {
      this.next();
      return items;
    }
    for (;;) {
      const key = this.parseIn(false);
      this.expectPunct(':', 'expected ":"');
      items.push([key, this.parseIn(false)]);
      if (this.isPunct(this.tok, '}')) {
        this.next();
        return items;
      }
      if (!this.isPunct(this.tok, ',')) this.illegal('expected "," or "}"');
      this.next();
      if (this.isPunct(this.tok, '}')) {
        this.next();
        return items;
      }
    }
  }

  private parseNumber(): Term {
    const loc = this.loc(this.tok);
    let prefix = '';
    if (this.isPunct(this.tok, '-')) {
      prefix = '-';
      this.next();
    }
    let leadingDot = false;
    if (this.isPunct(this.tok, '.')) {
      leadingDot = true;
      this.next();
    }
    const t = this.tok;
    if (t.type !== 'number') this.illegal('expected number');
    const lit = t.text;
    if (leadingDot && lit.includes('.')) this.illegal('invalid float');
    if (!leadingDot && lit.length > 1 && lit[0] === '0') {
      const decimal = lit[1] === '.';
      const scientific = lit.length > 2 && (lit[1] === 'e' || lit[1] === 'E');
      if (!decimal && !scientific) this.illegal('expected number without leading zero');
    }
    this.next();
    // `.5` is kept as `0.5` so every number literal is also valid JSON.
    const value = leadingDot ? `${prefix}0.${lit}` : prefix + lit;
    if (numberTooBig(value)) this.fail(loc, 'number too big');
    return { type: 'number', value, loc };
  }

  private parseArray(): Term {
    const loc = this.loc(this.next()); // [
    if (this.isPunct(this.tok, ']')) {
      this.next();
      return { type: 'array', loc, items: [] };
    }
    let comprehensionPossible = true;
    if (this.isPunct(this.tok, ',')) {
      comprehensionPossible = false; // OPA tolerates a leading comma: `[, x]`
      this.next();
    }
    const mark = this.save();
    const head = this.parsePrimary();
    if (this.isPunct(this.tok, '|') && comprehensionPossible) {
      return this.comprehensionOrList(']', mark, (body) => ({ type: 'arraycomp', loc, term: head, body }), (items) => ({ type: 'array', loc, items }));
    }
    const first = this.parseIn(false, head);
    if (this.isPunct(this.tok, ']')) {
      this.next();
      return { type: 'array', loc, items: [first] };
    }
    if (!this.isPunct(this.tok, ',')) this.illegal('expected "," or "]"');
    this.next();
    return { type: 'array', loc, items: this.parseTermList(']', [first]) };
  }

  /**
   * At `<head> |`: a comprehension body up to `close`. When that fails at a top-level comma the
   * brackets held a list whose first item is a set union (`[a | b, c]`), reparsed from mark, as OPA does.
   */
  private comprehensionOrList(close: string, mark: Mark, comprehension: (body: Body) => Term, list: (items: Term[]) => Term): Term {
    this.next(); // |
    try {
      const body = this.parseBody(close);
      this.next();
      return comprehension(body);
    } catch (e) {
      if (!(e instanceof ParseAbort) || !this.isPunct(this.tokens[e.at] as Token, ',')) throw e;
      this.restore(mark);
      return list(this.parseTermList(close, []));
    }
  }

  private parseSetOrObject(): Term {
    const loc = this.loc(this.next()); // {
    if (this.isPunct(this.tok, '}')) {
      this.next();
      return { type: 'object', loc, items: [] };
    }
    let comprehensionPossible = true;
    if (this.isPunct(this.tok, ',')) {
      comprehensionPossible = false;
      this.next();
    }
    const mark = this.save();
    const head = this.parsePrimary();
    if (this.isPunct(this.tok, '|') && comprehensionPossible) {
      return this.comprehensionOrList('}', mark, (body) => ({ type: 'setcomp', loc, term: head, body }), (items) => ({ type: 'set', loc, items }));
    }
    if (this.isPunct(this.tok, ':')) return this.parseObject(loc, head, comprehensionPossible);
    const first = this.parseIn(false, head);
    if (this.isPunct(this.tok, ':')) return this.parseObject(loc, first, comprehensionPossible);
    if (this.isPunct(this.tok, '}')) {
      this.next();
      return { type: 'set', loc, items: [first] };
    }
    if (!this.isPunct(this.tok, ',')) this.illegal('non-terminated set');
    this.next();
    return { type: 'set', loc, items: this.parseTermList('}', [first]) };
  }

  private parseObject(loc: Location, key: Term, comprehensionPossible: boolean): Term {
    this.next(); // :
    const mark = this.save();
    let value = this.parsePrimary();
    if (comprehensionPossible && this.isPunct(this.tok, '|')) {
      this.next();
      try {
        const body = this.parseBody('}');
        this.next();
        return { type: 'objectcomp', loc, key, value, body };
      } catch (e) {
        // Not a comprehension after all: `{k: a | b, c: d}` is an object whose value is `a | b`.
        // (Only a failure at a comma can mean that; retrying on any failure would make nested
        // broken comprehensions take exponential time.)
        if (!(e instanceof ParseAbort) || !this.isPunct(this.tokens[e.at] as Token, ',')) throw e;
        this.restore(mark);
        value = this.parseIn(false);
      }
    } else {
      value = this.parseIn(false, value);
    }
    if (this.isPunct(this.tok, '}')) {
      this.next();
      return { type: 'object', loc, items: [[key, value]] };
    }
    if (!this.isPunct(this.tok, ',')) this.illegal('non-terminated object');
    this.next();
    return { type: 'object', loc, items: this.parsePairList([[key, value]]) };
  }
}

/** OPA's name for the kind of a term ("var", "ref", "arraycomprehension", ...). */
export function valueName(t: Term): string {
  switch (t.type) {
    case 'arraycomp':
      return 'arraycomprehension';
    case 'setcomp':
      return 'setcomprehension';
    case 'objectcomp':
      return 'objectcomprehension';
    default:
      return t.type;
  }
}

/** `internal.member_2` for the ref [var internal, string member_2]; '' if the ref is not all names. */
export function refName(ref: RefTerm): string {
  const parts: string[] = [];
  for (const t of ref.terms) {
    if (t.type === 'var' && parts.length === 0) parts.push(t.name);
    else if (t.type === 'string' && parts.length > 0) parts.push(t.value);
    else return '';
  }
  return parts.join('.');
}

/**
 * OPA rejects numbers whose binary exponent exceeds ±1e5 (about 10^±30103) because printing
 * them is expensive; the decimal exponent is estimated from the literal's digits.
 */
function numberTooBig(text: string): boolean {
  if (text.length < 300 && !/[eE]/.test(text)) return false;
  const m = /^-?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return false;
  const intPart = m[1] ?? '';
  const fracPart = m[2] ?? '';
  const exp = m[3] ? Number(m[3]) : 0;
  const digits = intPart + fracPart;
  const firstNonZero = digits.search(/[1-9]/);
  if (firstNonZero < 0) return false;
  const magnitude = exp + intPart.length - firstNonZero - 1;
  return magnitude > 30102 || magnitude < -30103;
}
