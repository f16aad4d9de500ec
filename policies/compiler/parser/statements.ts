// Statement level of the Rego parser: package, imports and rules, plus the Rego v1 checks OPA
// makes right after parsing (`if` before bodies, `contains` for multi-value rules, ...).
import type {
  Body, Import, Location, Package, RefTerm, Rule, RuleHead, RuleKind, Term,
} from '../ast.js';
import { KEYWORDS, ParseAbort } from './cursor.js';
import { type Parser, refName, valueName } from './parser.js';

export interface Statements {
  package: Package | null;
  imports: Import[];
  rules: Rule[];
}

const IMPORT_ROOTS = ['data', 'future', 'input', 'rego'];
const FUTURE_KEYWORDS = ['contains', 'every', 'if', 'in'];

/** Parses every statement, recovering at the next statement after a syntax error. */
export function parseStatements(p: Parser): Statements {
  const out: Statements = { package: null, imports: [], rules: [] };
  let first = true;
  while (p.tok.type !== 'eof') {
    const start = p.pos;
    try {
      if (p.atKeyword('package')) {
        const pkg = parsePackage(p);
        if (first) out.package = pkg;
        else p.error(pkg.loc, 'unexpected package');
      } else {
        if (first) p.error(p.loc(p.tok), 'package expected');
        if (p.atKeyword('import')) out.imports.push(parseImport(p));
        else parseRule(p, out.rules);
      }
    } catch (e) {
      if (!(e instanceof ParseAbort)) throw e;
      p.recover(start, e.at);
    }
    first = false;
  }
  return out;
}

// ---- package and import ----------------------------------------------------------------------

function parsePackage(p: Parser): Package {
  const loc = p.loc(p.next());
  if (!p.atVarStart()) p.illegal();
  const term = p.parsePrimary();
  const path: Term[] = [];
  if (term.type === 'var') {
    path.push({ type: 'var', name: 'data', loc: term.loc }, { type: 'string', value: term.name, loc: term.loc });
  } else if (term.type === 'ref') {
    const [head, ...rest] = term.terms;
    if (head?.type !== 'var') p.fail(term.loc, `unexpected ${head ? valueName(head) : 'empty'} token: expecting var`);
    path.push({ type: 'var', name: 'data', loc: head.loc }, { type: 'string', value: head.name, loc: head.loc });
    for (const t of rest) {
      if (t.type !== 'string') p.fail(t.loc, `unexpected ${valueName(t)} token: expecting string`);
      path.push(t);
    }
  } else {
    p.fail(term.loc, 'expected path');
  }
  return { path, loc };
}

function parseImport(p: Parser): Import {
  const loc = p.loc(p.next());
  if (p.tok.type !== 'ident') p.illegal();
  const term = p.parsePrimary();
  let path: RefTerm;
  if (term.type === 'var') path = { type: 'ref', loc: term.loc, terms: [term] };
  else if (term.type === 'ref' && term.terms[0]?.type === 'var') path = term;
  else p.fail(term.loc, 'expected path');
  for (const t of path.terms.slice(1)) {
    if (t.type !== 'string') p.fail(t.loc, `unexpected ${valueName(t)} token: expecting string`);
  }
  const root = path.terms[0]?.type === 'var' ? path.terms[0].name : '';
  if (!IMPORT_ROOTS.includes(root)) {
    p.fail(path.loc, `unexpected import path, must begin with one of: {${IMPORT_ROOTS.join(', ')}}, got: ${root}`);
  }
  let alias: string | null = null;
  if (p.atKeyword('as')) {
    p.next();
    const t = p.tok;
    if (t.type !== 'ident' || KEYWORDS.has(t.text)) p.illegal('expected var');
    p.next();
    alias = t.text;
  }
  const names = path.terms.map((t) => (t.type === 'var' ? t.name : t.type === 'string' ? t.value : ''));
  const text = names.join('.');
  if (root === 'future') {
    if (names[1] !== 'keywords') p.error(path.loc, 'invalid import, must be `future.keywords`');
    else if (alias !== null) p.error(path.loc, '`future` imports cannot be aliased');
    else if (names.length === 3 && !FUTURE_KEYWORDS.includes(names[2] ?? '')) {
      p.error(path.loc, `unexpected keyword, must be one of [${FUTURE_KEYWORDS.join(' ')}]`);
    } else if (names.length > 3) {
      p.error(path.loc, 'invalid import, must be `future.keywords.x`, e.g. `import future.keywords.in`');
    }
  } else if (root === 'rego') {
    if (text !== 'rego.v1') p.error(path.loc, `invalid import \`${text}\`, must be \`rego.v1\``);
  } else if (alias === null) {
    const last = names[names.length - 1] ?? '';
    const lastTerm = path.terms[path.terms.length - 1] ?? path;
    if (KEYWORDS.has(last)) {
      p.error(lastTerm.loc, `unexpected import path, must not end with a keyword, got: ${last} (hint: import a different path or use an alias)`);
    }
  }
  return { path, alias, loc };
}

// ---- rules -------------------------------------------------------------------------------------

interface HeadShape {
  ref: Term[];
  args: Term[] | null;
  kind: RuleKind;
}

/** Parses one rule (plus the extra rules of `p if {...} {...}`) and appends it to `rules`. */
function parseRule(p: Parser, rules: Rule[]): void {
  const ruleLoc = p.loc(p.tok);
  let isDefault = false;
  if (p.atKeyword('default')) {
    p.next();
    isDefault = true;
  }
  if (!p.atVarStart()) {
    if (isDefault) p.illegal('expected rule name');
    parseExpressionStatement(p);
    return;
  }
  const headLoc = p.loc(p.tok);
  const headTerm = p.parseHeadTerm();
  let ref: Term[];
  let args: Term[] | null = null;
  if (headTerm.type === 'var') ref = [headTerm];
  else if (headTerm.type === 'ref' && headTerm.terms[0]?.type === 'var') ref = headTerm.terms;
  else if (headTerm.type === 'call') {
    ref = headTerm.op.terms;
    args = headTerm.args;
  } else p.fail(headLoc, 'invalid rule head');
  const name = ref.map(termText).join('.');

  let key: Term | null = null;
  let value: Term | null = null;
  let assign = false;
  let usesContains = false;
  if (p.atKeyword('contains')) {
    if (args) p.illegal(`the contains keyword can only be used with multi-value rule definitions (e.g., ${name} contains <VALUE> { ... })`);
    p.next();
    key = p.parseIn(true);
    usesContains = true;
  } else if (p.isPunct(p.tok, ':=') || p.isPunct(p.tok, '=')) {
    assign = p.next().text === ':=';
    value = p.parseIn(true);
  }

  const kind: RuleKind = args ? 'function' : usesContains ? 'partialset' : ref.slice(1).every(isGround) ? 'complete' : 'partialobject';
  const implicitValue = value === null && !usesContains;
  const head: RuleHead = { ref, kind, args, key, value: usesContains ? null : (value ?? trueTerm(headLoc)), assign, loc: headLoc };

  if (isDefault) {
    checkRuleName(p, ref, ruleLoc);
    validateDefault(p, head, implicitValue || usesContains, ruleLoc);
    if (p.atKeyword('if') || p.isPunct(p.tok, '{')) p.illegal('default rules cannot have a body');
    rules.push({ head, body: [], default: true, else: null, loc: ruleLoc });
    return;
  }

  const what = args ? 'function' : 'rule';
  let body: Body = [];
  let hasBody = false;
  if (p.atKeyword('if')) {
    p.next();
    body = parseBodyAfterIf(p);
    hasBody = true;
  } else if (p.isPunct(p.tok, '{')) {
    p.error(ruleLoc, `\`if\` keyword is required before ${what} body`);
    if (implicitValue && !args && ref.length === 2) {
      p.error(ruleLoc, '`contains` keyword is required for partial set rules');
    }
    p.next();
    body = p.parseBody('}');
    p.next();
    hasBody = true;
  } else if (implicitValue) {
    // A bare head: OPA turns it into a rule only to reject it with one of these messages.
    if (args) p.error(ruleLoc, 'function must have value assignment and/or body declaration');
    else if (ref.length === 1) p.error(headLoc, 'var cannot be used for rule name');
    else if (ref.length === 2) p.error(ruleLoc, '`contains` keyword is required for partial set rules');
    else p.error(ruleLoc, 'rule must have value assignment and/or body declaration');
    if (!p.tok.nl && p.tok.type !== 'eof') p.abort();
    return;
  }

  checkRuleName(p, ref, ruleLoc);
  let elseRule: Rule | null = null;
  if (hasBody && p.atKeyword('else')) {
    if (!ref.slice(1).every(isGround)) p.fail(p.loc(p.tok), 'else keyword cannot be used on rules with variables in head');
    if (usesContains) p.fail(p.loc(p.tok), 'else keyword cannot be used on multi-value rules');
    elseRule = parseElse(p, { ref, args, kind });
  }
  rules.push({ head, body, default: false, else: elseRule, loc: ruleLoc });

  // `p if { a } { b }` defines p twice (OPA keeps this form): each extra body is a rule with the same head.
  while (hasBody && p.isPunct(p.tok, '{')) {
    const loc = p.loc(p.tok);
    if (elseRule) p.fail(loc, 'expected else keyword');
    p.next();
    const extra = p.parseBody('}');
    p.next();
    rules.push({ head: { ...cloneHead(head), loc }, body: extra, default: false, else: null, loc });
  }
}

/**
 * After `if`: either one expression (`p if x > 1`) or a block. Like OPA, the expression form is
 * tried first and a block is used when that fails or yields a bare set literal (`{ x }`).
 */
function parseBodyAfterIf(p: Parser): Body {
  const mark = p.save();
  try {
    const expr = p.parseLiteral();
    if (!(expr.kind === 'term' && expr.term.type === 'set')) return [expr];
  } catch (e) {
    if (!(e instanceof ParseAbort)) throw e;
  }
  p.restore(mark);
  if (!p.isPunct(p.tok, '{')) return [p.parseLiteral()];
  p.next();
  const body = p.parseBody('}');
  p.next();
  return body;
}

/** The `else` clauses after a rule body, as a linked chain (built in a loop: chains can be long). */
function parseElse(p: Parser, first: HeadShape): Rule {
  let chain: Rule | null = null;
  let last: Rule | null = null;
  while (p.atKeyword('else')) {
    const rule = parseElseClause(p, first);
    if (last) last.else = rule;
    else chain = rule;
    last = rule;
  }
  if (!chain) p.illegal();
  return chain;
}

function parseElseClause(p: Parser, first: HeadShape): Rule {
  const loc = p.loc(p.next()); // else
  let value: Term;
  let assign = false;
  if (p.isPunct(p.tok, '{') || p.atKeyword('if')) {
    value = trueTerm(loc);
  } else if (p.isPunct(p.tok, ':=') || p.isPunct(p.tok, '=')) {
    assign = p.next().text === ':=';
    value = p.parseIn(true);
  } else {
    p.illegal('expected else value term or rule body');
  }
  let body: Body = [];
  const hasIf = p.atKeyword('if');
  if (hasIf || p.isPunct(p.tok, '{')) {
    if (hasIf) p.next();
    else p.error(loc, `\`if\` keyword is required before ${first.args ? 'function' : 'rule'} body`);
    if (p.isPunct(p.tok, '{')) {
      p.next();
      body = p.parseBody('}');
      p.next();
    } else if (p.tok.type !== 'eof') {
      body = [p.parseLiteral()];
    } else {
      p.illegal('rule body expected');
    }
  }
  const head: RuleHead = {
    ref: first.ref.map(cloneTerm),
    kind: first.kind,
    args: first.args ? first.args.map(cloneTerm) : null,
    key: null,
    value,
    assign,
    loc,
  };
  return { head, body, default: false, else: null, loc };
}

/** A statement that does not start with a rule name: parsed as an expression to say what is wrong with it. */
function parseExpressionStatement(p: Parser): void {
  const expr = p.parseLiteral();
  let message: string;
  if (expr.negated) message = 'negated expressions cannot be used for rule head';
  else if (expr.with.length > 0) message = 'expressions using with keyword cannot be used for rule head';
  else if (expr.kind === 'some' || expr.kind === 'somein') message = "'some' declarations cannot be used for rule head";
  else if (expr.kind === 'every') message = 'expression cannot be used for rule head';
  else {
    const t = expr.term;
    const subject = t.type === 'call' && ['eq', 'assign'].includes(refName(t.op)) ? (t.args[0] ?? t) : t;
    message = subject.type === 'call' ? 'rule name conflicts with built-in function' : `${valueName(subject)} cannot be used for rule name`;
  }
  p.error(expr.loc, message);
}

// ---- checks ------------------------------------------------------------------------------------

function checkRuleName(p: Parser, ref: Term[], loc: Location): void {
  const [first] = ref;
  if (first?.type === 'var' && KEYWORDS.has(first.name)) p.error(loc, `${first.name} keyword cannot be used for rule name`);
}

/** A default rule's value must be a constant (closures aside) and its arguments distinct variables. */
function validateDefault(p: Parser, head: RuleHead, noValue: boolean, loc: Location): void {
  if (noValue || head.value === null) p.fail(loc, 'illegal default rule (must have a value)');
  const offending = findNonConstant(head.value);
  if (offending) p.error(loc, `illegal default rule (value cannot contain ${offending})`);
  const seen = new Set<string>();
  for (const arg of head.args ?? []) {
    if (arg.type !== 'var') {
      p.error(loc, `illegal default rule (arguments cannot contain ${valueName(arg)})`);
    } else if (arg.name !== '_' && seen.has(arg.name)) {
      p.error(loc, `illegal default rule (arguments cannot be repeated ${arg.name})`);
    } else {
      seen.add(arg.name);
    }
  }
}

function findNonConstant(t: Term): string | null {
  switch (t.type) {
    case 'var': case 'ref': case 'call':
      return t.type;
    case 'array': case 'set':
      for (const item of t.items) {
        const found = findNonConstant(item);
        if (found) return found;
      }
      return null;
    case 'object':
      for (const [k, v] of t.items) {
        const found = findNonConstant(k) ?? findNonConstant(v);
        if (found) return found;
      }
      return null;
    default:
      return null; // scalars, and comprehensions (closures are allowed)
  }
}

// ---- helpers -----------------------------------------------------------------------------------

/** True when the term holds no variables, references, calls or comprehensions. */
export function isGround(t: Term): boolean {
  switch (t.type) {
    case 'null': case 'boolean': case 'number': case 'string':
      return true;
    case 'array': case 'set':
      return t.items.every(isGround);
    case 'object':
      return t.items.every(([k, v]) => isGround(k) && isGround(v));
    default:
      return false;
  }
}

function trueTerm(loc: Location): Term {
  return { type: 'boolean', value: true, loc };
}

function termText(t: Term): string {
  switch (t.type) {
    case 'var':
      return t.name;
    case 'string':
      return t.value;
    case 'number':
      return t.value;
    default:
      return `[${valueName(t)}]`;
  }
}

/** Deep copy, so the rules of an else chain or of `p if {..} {..}` never share head terms. */
function cloneTerm<T extends Term>(t: T): T {
  return cloneAny(t) as T;
}

function cloneAny(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(cloneAny);
  if (x === null || typeof x !== 'object') return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) out[k] = cloneAny(v);
  return out;
}

function cloneHead(h: RuleHead): RuleHead {
  return {
    ...h,
    ref: h.ref.map(cloneTerm),
    args: h.args ? h.args.map(cloneTerm) : null,
    key: h.key ? cloneTerm(h.key) : null,
    value: h.value ? cloneTerm(h.value) : null,
  };
}
