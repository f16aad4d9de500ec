// Public API of the Rego v1 parser: source text in, AST (policies/compiler/ast.ts) out.
// Syntax errors are thrown as one RegoCompileErrors listing every error found (code
// rego_parse_error, 1-based row/col), recovering at the next statement after each one.
import type { Body, Module, Term } from '../ast.js';
import { RegoCompileErrors, type RegoError } from '../errors.js';
import { tokenize } from './lexer.js';
import { ParseAbort } from './cursor.js';
import { Parser, refName } from './parser.js';
import { parseStatements } from './statements.js';

export { isGround } from './statements.js';

/** Parses one Rego module (a .rego file). */
export function parseModule(source: string, file: string): Module {
  return withStackGuard(file, source, () => parseModuleUnguarded(source, file));
}

function parseModuleUnguarded(source: string, file: string): Module {
  const lexed = tokenize(source, file);
  const p: Parser = new Parser(lexed.tokens, file);
  const stmts = parseStatements(p);
  const errors = [...lexed.errors, ...p.errors];
  if (stmts.package === null && errors.length === 0) {
    errors.push({ code: 'rego_parse_error', message: 'empty module', location: { file, row: 1, col: 1, offset: 0 } });
  }
  throwIfAny(errors, file, source);
  if (stmts.package === null) throw new Error('unreachable: module without package');
  const module: Module = {
    file,
    source,
    package: stmts.package,
    imports: stmts.imports,
    rules: stmts.rules,
    comments: lexed.comments,
  };
  for (const rule of module.rules) {
    for (let r: typeof rule | null = rule; r; r = r.else) r.module = module;
  }
  return module;
}

/** Parses a query: expressions separated by `;` or newlines (e.g. `data.test.p = x`). */
export function parseQuery(source: string, file = 'query'): Body {
  return withStackGuard(file, source, () => parseQueryUnguarded(source, file));
}

function parseQueryUnguarded(source: string, file: string): Body {
  const lexed = tokenize(source, file);
  const p: Parser = new Parser(lexed.tokens, file);
  const body: Body = [];
  while (p.tok.type !== 'eof') {
    const start = p.pos;
    try {
      body.push(p.parseLiteral());
      const after = p.tok;
      if (p.isPunct(after, ';')) p.next();
      else if (after.type !== 'eof' && !after.nl) p.illegal('expected \\n or ; or eof');
    } catch (e) {
      if (!(e instanceof ParseAbort)) throw e;
      p.recover(start, e.at);
    }
  }
  throwIfAny([...lexed.errors, ...p.errors], file, source);
  return body;
}

/** Parses a single Rego term such as `{"foo": {{1}}}` or `set()`. */
export function parseTerm(source: string, file = 'term'): Term {
  return withStackGuard(file, source, () => parseTermUnguarded(source, file));
}

function parseTermUnguarded(source: string, file: string): Term {
  const lexed = tokenize(source, file);
  const p: Parser = new Parser(lexed.tokens, file);
  let term: Term | null = null;
  try {
    const first = p.tok;
    if (first.type === 'eof') p.fail(p.loc(first), 'expected a term');
    const expr = p.parseLiteral();
    if (p.tok.type !== 'eof') p.illegal('expected exactly one term');
    const isAssignment = (t: Term): boolean => t.type === 'call' && ['eq', 'assign'].includes(refName(t.op));
    if (expr.kind !== 'term' || expr.negated || expr.with.length > 0 || isAssignment(expr.term)) {
      p.fail(expr.loc, 'expected a term, not an expression');
    }
    term = expr.term;
  } catch (e) {
    if (!(e instanceof ParseAbort)) throw e;
  }
  throwIfAny([...lexed.errors, ...p.errors], file, source);
  if (term === null) throw new Error('unreachable: term parse failed without an error');
  return term;
}

/**
 * The parser limits nesting itself; this turns a JavaScript stack overflow that could still
 * happen on a small stack into the same parse error instead of a crash.
 */
function withStackGuard<T>(file: string, source: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const location = { file, row: 1, col: 1, offset: 0 };
    throw new RegoCompileErrors([{ code: 'rego_parse_error', message: 'max parsing recursion depth exceeded', location }], new Map([[file, source]]));
  }
}

function throwIfAny(errors: RegoError[], file: string, source: string): void {
  if (errors.length === 0) return;
  const sorted = dedupe(errors).sort((a, b) => a.location.offset - b.location.offset);
  throw new RegoCompileErrors(sorted, new Map([[file, source]]));
}

function dedupe(errors: RegoError[]): RegoError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.location.offset}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
