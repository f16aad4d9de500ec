// Pass: order each body so that every expression runs once its inputs are bound (OPA's
// reorderBodyForSafety), and report vars that can never be bound as rego_unsafe_var_error.
// The same "what does evaluating this bind" analysis is used by the planner to choose between
// evaluating a term and matching it as a pattern, so both agree by construction.
import type { Body, Expr, RefTerm, Term, VarTerm } from '../ast.js';
import type { RegoError } from '../errors.js';
import { forEachVar, forEachVarInBody, forEachVarInExpr, isWildcard, patternVars } from './terms.js';

/** Number of input arguments of a call's function, or undefined when unknown. */
export type ArityOf = (op: RefTerm) => number | undefined;

export type Bound = ReadonlySet<string>;

const ROOTS = new Set(['input', 'data']);

export function isBound(name: string, b: Bound): boolean {
  return b.has(name) || ROOTS.has(name);
}

function union(a: Bound, b: Iterable<string>): Set<string> {
  const s = new Set(a);
  for (const x of b) s.add(x);
  return s;
}

export function opName(op: RefTerm): string | null {
  if (op.terms.length === 1 && op.terms[0]!.type === 'var') return op.terms[0]!.name;
  return null;
}

export class SafetyAnalysis {
  constructor(readonly arityOf: ArityOf) {}

  /**
   * The vars evaluating t binds (ref positions iterate), or null if t needs a var that is not
   * bound. Comprehension bodies are closures: their vars shared with `outer` must be bound.
   */
  evalOutputs(t: Term, b: Bound, outer: Bound): Set<string> | null {
    switch (t.type) {
      case 'null': case 'boolean': case 'number': case 'string': return new Set();
      case 'var': return isBound(t.name, b) ? new Set() : null;
      case 'ref': {
        const head = t.terms[0]!;
        let out = this.evalOutputs(head, b, outer);
        if (!out) return null;
        let cur = union(b, out);
        for (let i = 1; i < t.terms.length; i++) {
          const x = t.terms[i]!;
          const o = this.evalOutputs(x, cur, outer) ?? this.patternOutputs(x, cur, outer);
          if (!o) return null;
          for (const v of o) out.add(v);
          cur = union(cur, o);
        }
        return out;
      }
      case 'array': case 'set': return this.seq(t.items, b, outer);
      case 'object': return this.seq(t.items.flat(), b, outer);
      case 'call': {
        // An unknown function is reported by the call checks; assuming its last argument is an
        // output keeps that one error from cascading into unsafe-var errors.
        const name = opName(t.op);
        const known = this.arityOf(t.op);
        const arity = known ?? (name === 'print' || t.args.length === 0 ? t.args.length : t.args.length - 1);
        const inputs = t.args.length > arity ? t.args.slice(0, arity) : t.args;
        const out = this.seq(inputs, b, outer);
        if (!out) return null;
        if (inputs.length < t.args.length) {
          const o = this.patternOutputs(t.args[t.args.length - 1]!, union(b, out), outer);
          if (!o) return null;
          for (const v of o) out.add(v);
        }
        return out;
      }
      case 'arraycomp': case 'setcomp': case 'objectcomp': {
        const needs = closureVars(t, outer);
        for (const v of needs) if (!isBound(v, b)) return null;
        return new Set();
      }
    }
  }

  private seq(ts: Term[], b: Bound, outer: Bound): Set<string> | null {
    const out = new Set<string>();
    let cur: Bound = b;
    for (const x of ts) {
      const o = this.evalOutputs(x, cur, outer);
      if (!o) return null;
      for (const v of o) out.add(v);
      if (o.size) cur = union(cur, o);
    }
    return out;
  }

  /** A `with` replacement naming a function or built-in (`with f as count`) rather than a value. */
  namesFunction(t: Term): boolean {
    if (t.type === 'var') return this.arityOf({ type: 'ref', terms: [t], loc: t.loc }) !== undefined;
    if (t.type === 'ref') return this.arityOf(t) !== undefined;
    return false;
  }

  /** Vars bound by matching t against a known value: unbound vars at pattern positions. */
  patternOutputs(t: Term, b: Bound, outer: Bound): Set<string> | null {
    switch (t.type) {
      case 'var': return isBound(t.name, b) ? new Set() : new Set([t.name]);
      case 'array': case 'set': {
        const out = new Set<string>();
        let cur: Bound = b;
        for (const x of t.items) {
          const o = this.patternOutputs(x, cur, outer);
          if (!o) return null;
          for (const v of o) out.add(v);
          cur = union(cur, o);
        }
        if (t.type === 'set' && out.size) return null;
        return out;
      }
      case 'object': {
        const out = new Set<string>();
        let cur: Bound = b;
        for (const [k, v] of t.items) {
          if (!this.evalOutputs(k, cur, outer)) return null;
          const o = this.patternOutputs(v, cur, outer);
          if (!o) return null;
          for (const x of o) out.add(x);
          cur = union(cur, o);
        }
        return out;
      }
      default: return this.evalOutputs(t, b, outer);
    }
  }

  /** Vars bound by unifying a and b, or null when neither side can be evaluated yet. */
  unifyOutputs(a: Term, c: Term, b: Bound, outer: Bound): Set<string> | null {
    for (const [x, y] of [[a, c], [c, a]] as const) {
      const o = this.evalOutputs(x, b, outer);
      if (o) {
        const p = this.patternOutputs(y, union(b, o), outer);
        if (p) return union(o, p);
      }
    }
    if (a.type === 'array' && c.type === 'array' && a.items.length === c.items.length) {
      const out = new Set<string>();
      let cur: Bound = b;
      for (let i = 0; i < a.items.length; i++) {
        const o = this.unifyOutputs(a.items[i]!, c.items[i]!, cur, outer);
        if (!o) return null;
        for (const v of o) out.add(v);
        cur = union(cur, o);
      }
      return out;
    }
    if (a.type === 'object' && c.type === 'object' && a.items.length === c.items.length) {
      const out = new Set<string>();
      let cur: Bound = b;
      for (const [k, v] of a.items) {
        const other = c.items.find(([k2]) => sameGroundKey(k, k2));
        if (!other) return null;
        const o = this.unifyOutputs(v, other[1], cur, outer);
        if (!o) return null;
        for (const x of o) out.add(x);
        cur = union(cur, o);
      }
      return out;
    }
    return null;
  }

  /** Vars an expression binds when scheduled with b bound, or null if it cannot run yet. */
  exprOutputs(e: Expr, b: Bound, outer: Bound): Set<string> | null {
    for (const w of e.with) if (!this.namesFunction(w.value) && !this.evalOutputs(w.value, b, outer)) return null;
    let out: Set<string> | null;
    switch (e.kind) {
      case 'some': return new Set();
      case 'somein': {
        out = this.evalOutputs(e.collection, b, outer);
        if (!out) return null;
        let cur = union(b, out);
        for (const p of e.key ? [e.key, e.value] : [e.value]) {
          const o = this.patternOutputs(p, cur, outer);
          if (!o) return null;
          for (const v of o) out.add(v);
          cur = union(cur, o);
        }
        break;
      }
      case 'every': {
        const o = this.evalOutputs(e.domain, b, outer);
        if (!o || o.size) return null;
        const needs = new Set<string>();
        const local = new Set<string>();
        if (e.key) patternVars(e.key).forEach((v) => local.add(v.name));
        patternVars(e.value).forEach((v) => local.add(v.name));
        forEachVarInBody(e.body, (v) => { if (outer.has(v.name) && !local.has(v.name)) needs.add(v.name); });
        for (const v of needs) if (!isBound(v, b)) return null;
        return new Set();
      }
      case 'term': {
        const t = e.term;
        const name = t.type === 'call' ? opName(t.op) : null;
        if (t.type === 'call' && (name === 'eq' || name === 'assign') && t.args.length === 2) {
          out = this.unifyOutputs(t.args[0]!, t.args[1]!, b, outer);
        } else {
          out = this.evalOutputs(t, b, outer);
        }
      }
    }
    if (!out) return null;
    if (e.negated) {
      for (const v of out) if (!isWildcard(v)) return null;
      return new Set();
    }
    return out;
  }

  /**
   * Reorders body (in place semantics: returns a new array) and reorders nested closures.
   * `bound` are vars bound before the body runs; `outer` are all vars of enclosing bodies.
   * Returns the vars bound after the body.
   */
  reorder(body: Body, bound: Bound, outer: Bound, errors: RegoError[]): { body: Body; bound: Set<string> } {
    const own = new Set<string>();
    for (const e of body) forEachVarInExpr(e, (v) => own.add(v.name), false);
    const closureOuter = union(outer, own);
    const pending = body.slice();
    const out: Body = [];
    let b = new Set(bound);
    while (pending.length) {
      let idx = -1;
      let outs: Set<string> | null = null;
      for (let i = 0; i < pending.length; i++) {
        outs = this.exprOutputs(pending[i]!, b, closureOuter);
        if (outs) { idx = i; break; }
      }
      if (idx < 0) {
        reportUnsafe(pending, b, errors);
        out.push(...pending);
        break;
      }
      const e = pending.splice(idx, 1)[0]!;
      b = union(b, outs!);
      if (e.kind === 'every') {
        const inner = new Set(b);
        if (e.key) patternVars(e.key).forEach((v) => inner.add(v.name));
        patternVars(e.value).forEach((v) => inner.add(v.name));
        e.body = this.reorder(e.body, inner, closureOuter, errors).body;
      }
      // Negated expressions bind nothing outside, but their closures still need ordering.
      this.reorderClosuresInExpr(e, b, closureOuter, errors);
      out.push(e);
    }
    return { body: out, bound: b };
  }

  reorderClosuresInExpr(e: Expr, b: Bound, outer: Bound, errors: RegoError[]): void {
    const visit = (t: Term): void => {
      switch (t.type) {
        case 'ref': t.terms.forEach(visit); return;
        case 'array': case 'set': t.items.forEach(visit); return;
        case 'object': t.items.forEach(([k, v]) => { visit(k); visit(v); }); return;
        case 'call': t.args.forEach(visit); return;
        case 'arraycomp': case 'setcomp': case 'objectcomp': {
          const before = errors.length;
          const r = this.reorder(t.body, b, outer, errors);
          t.body = r.body;
          // The body's unsafe vars were reported; the head would only repeat them.
          if (errors.length > before) return;
          const heads = t.type === 'objectcomp' ? [t.key, t.value] : [t.term];
          for (const h of heads) checkHeadSafe(h, r.bound, errors, this, outer);
          return;
        }
        default: return;
      }
    };
    if (e.kind === 'term') visit(e.term);
    else if (e.kind === 'somein') visit(e.collection);
    else if (e.kind === 'every') visit(e.domain);
    for (const w of e.with) visit(w.value);
  }
}

/** Vars of a comprehension that also occur in the enclosing bodies (captured, must be bound). */
export function closureVars(t: Term, outer: Bound): Set<string> {
  const s = new Set<string>();
  forEachVar(t, (v) => { if (outer.has(v.name)) s.add(v.name); });
  return s;
}

function sameGroundKey(a: Term, b: Term): boolean {
  return (a.type === 'string' || a.type === 'number' || a.type === 'boolean') && a.type === b.type && a.value === b.value;
}

function reportUnsafe(pending: Body, b: Bound, errors: RegoError[]): void {
  const seen = new Set<string>();
  for (const e of pending) {
    forEachVarInExpr(e, (v) => {
      if (isBound(v.name, b) || seen.has(v.name)) return;
      seen.add(v.name);
      errors.push(unsafe(v));
    }, false);
  }
  if (seen.size === 0 && pending[0]) {
    errors.push({ code: 'rego_unsafe_var_error', message: 'expression is unsafe', location: pending[0].loc });
  }
}

export function unsafe(v: VarTerm): RegoError {
  const name = isWildcard(v.name) ? '_' : v.name.split('$')[0]!;
  return { code: 'rego_unsafe_var_error', message: `var ${name} is unsafe`, location: v.loc };
}

/** Reports the vars of a head term (rule value/key, comprehension term) not bound by the body. */
export function checkHeadSafe(t: Term, b: Bound, errors: RegoError[], sa: SafetyAnalysis, outer: Bound): void {
  if (sa.evalOutputs(t, b, outer)) return;
  const seen = new Set<string>();
  forEachVar(t, (v) => {
    if (isBound(v.name, b) || seen.has(v.name)) return;
    seen.add(v.name);
    errors.push(unsafe(v));
  }, false);
}
