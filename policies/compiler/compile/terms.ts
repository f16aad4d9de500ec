// Small helpers over AST terms shared by the compile passes and the planner.
import type { Body, Expr, Location, Term, VarTerm } from '../ast.js';

/** Names the compiler invents contain '$', which Rego identifiers cannot, so they never collide. */
export const WILDCARD_PREFIX = '$_';

export function isWildcard(name: string): boolean {
  return name.startsWith(WILDCARD_PREFIX);
}

/** The name a user wrote for a (possibly renamed) var, or null for compiler-made vars. */
export function userVarName(name: string): string | null {
  if (isWildcard(name) || /^__local\d+__$/.test(name)) return null;
  const base = name.split('$')[0]!;
  return base === '' ? null : base;
}

/** Hands out unique suffixes for renamed vars; one per compilation. */
export class NameGen {
  private n = 0;
  wildcard(): string {
    return `${WILDCARD_PREFIX}${this.n++}`;
  }
  local(name: string): string {
    return `${name}$${this.n++}`;
  }
}

export function mkVar(name: string, loc: Location): VarTerm {
  return { type: 'var', name, loc };
}

export function mkString(value: string, loc: Location): Term {
  return { type: 'string', value, loc };
}

export function isGround(t: Term): boolean {
  switch (t.type) {
    case 'null': case 'boolean': case 'number': case 'string': return true;
    case 'array': case 'set': return t.items.every(isGround);
    case 'object': return t.items.every(([k, v]) => isGround(k) && isGround(v));
    default: return false;
  }
}

/** Calls f on every var of t, descending into refs, calls (args only) and comprehensions. */
export function forEachVar(t: Term, f: (v: VarTerm) => void, intoClosures = true): void {
  switch (t.type) {
    case 'var': f(t); return;
    case 'ref': t.terms.forEach((x) => forEachVar(x, f, intoClosures)); return;
    case 'array': case 'set': t.items.forEach((x) => forEachVar(x, f, intoClosures)); return;
    case 'object': t.items.forEach(([k, v]) => { forEachVar(k, f, intoClosures); forEachVar(v, f, intoClosures); }); return;
    case 'call': t.args.forEach((x) => forEachVar(x, f, intoClosures)); return;
    case 'arraycomp': case 'setcomp':
      if (intoClosures) { forEachVar(t.term, f); forEachVarInBody(t.body, f); }
      return;
    case 'objectcomp':
      if (intoClosures) { forEachVar(t.key, f); forEachVar(t.value, f); forEachVarInBody(t.body, f); }
      return;
    default: return;
  }
}

export function forEachVarInExpr(e: Expr, f: (v: VarTerm) => void, intoClosures = true): void {
  switch (e.kind) {
    case 'term': forEachVar(e.term, f, intoClosures); break;
    case 'some': e.vars.forEach(f); break;
    case 'somein':
      if (e.key) forEachVar(e.key, f, intoClosures);
      forEachVar(e.value, f, intoClosures);
      forEachVar(e.collection, f, intoClosures);
      break;
    case 'every':
      forEachVar(e.domain, f, intoClosures);
      if (intoClosures) {
        if (e.key) forEachVar(e.key, f);
        forEachVar(e.value, f);
        forEachVarInBody(e.body, f);
      }
      break;
  }
  for (const w of e.with) forEachVar(w.value, f, intoClosures);
}

export function forEachVarInBody(b: Body, f: (v: VarTerm) => void): void {
  for (const e of b) forEachVarInExpr(e, f);
}

/** Vars at pattern positions: the var itself or inside array/object(values)/set literals. */
export function patternVars(t: Term, out: VarTerm[] = []): VarTerm[] {
  if (t.type === 'var') out.push(t);
  else if (t.type === 'array' || t.type === 'set') t.items.forEach((x) => patternVars(x, out));
  else if (t.type === 'object') t.items.forEach(([, v]) => patternVars(v, out));
  return out;
}
