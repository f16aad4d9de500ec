// Pass: rename `_` to unique wildcards and `:=`/`some`/argument vars to unique locals (so
// shadowing in nested bodies is explicit), then resolve the remaining free vars that name a rule
// of the package or an import into full `data...`/`input...` refs.
import type { Body, Expr, Location, Term, VarTerm, With } from '../ast.js';
import type { RegoError } from '../errors.js';
import { NameGen, patternVars } from './terms.js';

class Scope {
  private readonly names = new Map<string, string>();
  /** Free (undeclared) var names read in this scope so far: `:=` may not declare them afterwards. */
  readonly used = new Set<string>();
  constructor(readonly parent: Scope | null) {}
  lookup(name: string): string | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
  hasOwn(name: string): boolean {
    return this.names.has(name);
  }
  declare(name: string, renamed: string): void {
    this.names.set(name, renamed);
  }
}

export class LocalRewriter {
  constructor(private readonly names: NameGen, private readonly errors: RegoError[]) {}

  newScope(parent: Scope | null = null): Scope {
    return new Scope(parent);
  }

  /** Declares every var of an argument/pattern term as a fresh local of scope; returns the term renamed. */
  declarePattern(t: Term, scope: Scope, assign: boolean, role: 'variables' | 'args' = 'variables'): Term {
    // OPA rejects local names that would hide the root documents (parsed as refs `input`/`data`).
    for (const root of rootDocumentNames(t)) {
      this.errors.push({ code: 'rego_compile_error', message: `${role} must not shadow ${root.name} (use a different variable name)`, location: root.loc });
    }
    for (const v of patternVars(t)) {
      if (v.name === '_') continue;
      if (assign && scope.hasOwn(v.name)) {
        this.errors.push({ code: 'rego_compile_error', message: `var ${v.name} assigned above`, location: v.loc });
        continue;
      }
      if (assign && scope.used.has(v.name)) {
        this.errors.push({ code: 'rego_compile_error', message: `var ${v.name} referenced above`, location: v.loc });
        continue;
      }
      if (!scope.hasOwn(v.name)) scope.declare(v.name, this.names.local(v.name));
    }
    return this.term(t, scope);
  }

  body(body: Body, scope: Scope): Body {
    return body.map((e) => this.expr(e, scope));
  }

  private expr(e: Expr, scope: Scope): Expr {
    const withs: With[] = e.with.map((w) => ({ ...w, value: this.term(w.value, scope) }));
    const base = { negated: e.negated, with: withs, loc: e.loc };
    switch (e.kind) {
      case 'some':
        for (const v of e.vars) scope.declare(v.name, this.names.local(v.name));
        return { ...base, kind: 'some', vars: e.vars.map((v) => this.term(v, scope) as VarTerm) };
      case 'somein': {
        const collection = this.term(e.collection, scope);
        const key = e.key ? this.declarePattern(e.key, scope, false) : null;
        const value = this.declarePattern(e.value, scope, false);
        return { ...base, kind: 'somein', key, value, collection };
      }
      case 'every': {
        const domain = this.term(e.domain, scope);
        const inner = new Scope(scope);
        const key = e.key ? this.declarePattern(e.key, inner, false) : null;
        const value = this.declarePattern(e.value, inner, false);
        return { ...base, kind: 'every', key, value, domain, body: this.body(e.body, inner) };
      }
      case 'term': {
        const t = e.term;
        if (t.type === 'call' && t.op.terms.length === 1 && t.op.terms[0]!.type === 'var' && t.op.terms[0]!.name === 'assign' && t.args.length === 2) {
          const rhs = this.term(t.args[1]!, scope);
          const lhs = this.declarePattern(t.args[0]!, scope, true);
          return { ...base, kind: 'term', term: { ...t, args: [lhs, rhs] } };
        }
        return { ...base, kind: 'term', term: this.term(t, scope) };
      }
    }
  }

  term(t: Term, scope: Scope): Term {
    switch (t.type) {
      case 'var':
        if (t.name === '_') return { ...t, name: this.names.wildcard() };
        {
          const renamed = scope.lookup(t.name);
          if (renamed !== undefined) return { ...t, name: renamed };
          scope.used.add(t.name);
          return t;
        }
      case 'ref': return { ...t, terms: t.terms.map((x) => this.term(x, scope)) };
      case 'array': return { ...t, items: t.items.map((x) => this.term(x, scope)) };
      case 'set': return { ...t, items: t.items.map((x) => this.term(x, scope)) };
      case 'object': return { ...t, items: t.items.map(([k, v]) => [this.term(k, scope), this.term(v, scope)] as [Term, Term]) };
      case 'call': return { ...t, args: t.args.map((x) => this.term(x, scope)) };
      case 'arraycomp': case 'setcomp': {
        const inner = new Scope(scope);
        const body = this.body(t.body, inner);
        return { ...t, body, term: this.term(t.term, inner) };
      }
      case 'objectcomp': {
        const inner = new Scope(scope);
        const body = this.body(t.body, inner);
        return { ...t, body, key: this.term(t.key, inner), value: this.term(t.value, inner) };
      }
      default: return t;
    }
  }
}

/** Maps a free var name (a rule of the package, an import alias) to the ref terms it stands for. */
export type GlobalResolver = (name: string, loc: Location) => Term[] | null;

export function resolveGlobalsInBody(body: Body, resolve: GlobalResolver): Body {
  return body.map((e) => resolveGlobalsInExpr(e, resolve));
}

function resolveGlobalsInExpr(e: Expr, resolve: GlobalResolver): Expr {
  const withs = e.with.map((w) => ({ ...w, target: resolveGlobals(w.target, resolve) as typeof w.target, value: resolveGlobals(w.value, resolve) }));
  const base = { negated: e.negated, with: withs, loc: e.loc };
  switch (e.kind) {
    case 'some': return { ...base, kind: 'some', vars: e.vars };
    case 'somein':
      return { ...base, kind: 'somein', key: e.key ? resolveGlobals(e.key, resolve) : null, value: resolveGlobals(e.value, resolve), collection: resolveGlobals(e.collection, resolve) };
    case 'every':
      return { ...base, kind: 'every', key: e.key, value: e.value, domain: resolveGlobals(e.domain, resolve), body: resolveGlobalsInBody(e.body, resolve) };
    case 'term': return { ...base, kind: 'term', term: resolveGlobals(e.term, resolve) };
  }
}

export function resolveGlobals(t: Term, resolve: GlobalResolver): Term {
  const r = (x: Term) => resolveGlobals(x, resolve);
  switch (t.type) {
    case 'var': {
      const terms = resolve(t.name, t.loc);
      return terms ? { type: 'ref', terms, loc: t.loc } : t;
    }
    case 'ref': {
      const head = t.terms[0]!;
      const rest = t.terms.slice(1).map(r);
      if (head.type === 'var') {
        const terms = resolve(head.name, head.loc);
        if (terms) return { ...t, terms: [...terms, ...rest] };
        return { ...t, terms: [head, ...rest] };
      }
      return { ...t, terms: [r(head), ...rest] };
    }
    case 'array': return { ...t, items: t.items.map(r) };
    case 'set': return { ...t, items: t.items.map(r) };
    case 'object': return { ...t, items: t.items.map(([k, v]) => [r(k), r(v)] as [Term, Term]) };
    case 'call': {
      const op = resolveGlobals(t.op, resolve);
      return { ...t, op: op.type === 'ref' ? op : t.op, args: t.args.map(r) };
    }
    case 'arraycomp': case 'setcomp': return { ...t, term: r(t.term), body: resolveGlobalsInBody(t.body, resolve) };
    case 'objectcomp': return { ...t, key: r(t.key), value: r(t.value), body: resolveGlobalsInBody(t.body, resolve) };
    default: return t;
  }
}

/** `input`/`data` standing alone in a pattern (where a local variable is being declared). */
function rootDocumentNames(t: Term): Array<{ name: string; loc: Term['loc'] }> {
  switch (t.type) {
    case 'var': return t.name === 'input' || t.name === 'data' ? [{ name: t.name, loc: t.loc }] : [];
    case 'ref': {
      const head = t.terms[0];
      return t.terms.length === 1 && head?.type === 'var' ? rootDocumentNames(head) : [];
    }
    case 'array': return t.items.flatMap(rootDocumentNames);
    case 'object': return t.items.flatMap(([, v]) => rootDocumentNames(v));
    default: return [];
  }
}
