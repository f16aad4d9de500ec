// Pass: whole-program checks OPA's compiler makes before planning — calls name a known function
// with a valid arity, rule paths do not conflict, and no rule depends on itself.
import type { Body, Expr, RefTerm, Term } from '../ast.js';
import { BUILTINS } from '../builtins.js';
import { hasArgumentTypeError } from './argtypes.js';
import type { RegoError } from '../errors.js';
import { pathString, type CompiledRule, type RuleNode, type RuleTree } from './ruletree.js';

export function checkTree(tree: RuleTree, errors: RegoError[]): void {
  for (const node of tree.allNodes()) {
    if (!node.rules.length) continue;
    checkNodeConflicts(node, errors);
    for (const r of node.rules) for (let l: CompiledRule | null = r; l; l = l.else) checkCallsInRule(l, tree, errors);
  }
  checkRecursion(tree, errors);
}

function checkNodeConflicts(node: RuleNode, errors: RegoError[]): void {
  const fns = node.rules.filter((r) => r.kind === 'function');
  const first = node.rules[0]!;
  if (fns.length && fns.length !== node.rules.length) {
    errors.push({ code: 'rego_type_error', message: `conflicting rules ${pathString(node.path)} found`, location: first.loc });
    return;
  }
  if (fns.length) {
    const arities = new Set(fns.map((f) => f.args!.length));
    if (arities.size > 1) errors.push({ code: 'rego_type_error', message: `conflicting rules ${pathString(node.path)} found`, location: first.loc });
  }
  const defaults = node.rules.filter((r) => r.isDefault);
  if (defaults.length > 1) {
    errors.push({ code: 'rego_type_error', message: `multiple default rules ${pathString(node.path)} found`, location: defaults[1]!.loc });
  }
  const completes = node.rules.filter((r) => r.kind === 'complete' && r.rest.length === 0);
  const sets = node.rules.filter((r) => r.kind === 'partialset' && r.rest.length === 0);
  if (completes.length && (sets.length || node.rules.some((r) => r.rest.length > 0))) {
    errors.push({ code: 'rego_type_error', message: `conflicting rules ${pathString(node.path)} found`, location: first.loc });
  }
  if ((completes.length || fns.length) && node.children.size) {
    const below: string[] = [];
    const walk = (n: RuleNode) => { if (n.rules.length) below.push(pathString(n.path)); n.children.forEach(walk); };
    node.children.forEach(walk);
    if (below.length) errors.push({ code: 'rego_type_error', message: `rule ${pathString(node.path)} conflicts with [${below.join(' ')}]`, location: first.loc });
  }
}

function opDisplayName(op: RefTerm): string {
  return op.terms.map((t) => (t.type === 'var' ? t.name : t.type === 'string' ? t.value : '?')).join('.');
}

/** Every call in the rule must name a built-in or a function rule and pass arity or arity+1 args. */
export function checkCallsInRule(rule: CompiledRule, tree: RuleTree, errors: RegoError[]): void {
  checkCalls(rule.body, [...rule.rest, rule.key, rule.value].filter((t): t is Term => t !== null), tree, errors);
}

/** The checks of checkCallsInRule for a query body. */
export function checkCallsInBody(body: Body, tree: RuleTree, errors: RegoError[]): void {
  checkCalls(body, [], tree, errors);
}

function checkCalls(body: Body, heads: Term[], tree: RuleTree, errors: RegoError[]): void {
  // A call may pass one extra (output) argument only when it is the whole expression: nested, OPA
  // rewrites it to pass its own result as yet another argument, one too many.
  let statement: Term | null = null;
  const visit = (t: Term): void => {
    switch (t.type) {
      case 'ref': t.terms.forEach(visit); return;
      case 'array': case 'set': t.items.forEach(visit); return;
      case 'object': t.items.forEach(([k, v]) => { visit(k); visit(v); }); return;
      case 'arraycomp': case 'setcomp': visit(t.term); visitBody(t.body); return;
      case 'objectcomp': visit(t.key); visit(t.value); visitBody(t.body); return;
      case 'call': {
        t.args.forEach(visit);
        const name = opDisplayName(t.op);
        const arity = callArity(t.op, tree);
        if (arity === undefined) {
          errors.push({ code: 'rego_type_error', message: `undefined function ${name}`, location: t.loc });
        } else if (name !== 'print' && t.args.length !== arity && t.args.length !== arity + 1) {
          errors.push({ code: 'rego_type_error', message: `${name}: arity mismatch: have ${t.args.length} arguments, want ${arity}`, location: t.loc });
        } else if (name !== 'print' && t.args.length === arity + 1 && t !== statement) {
          errors.push({ code: 'rego_type_error', message: `${name}: too many arguments`, location: t.loc });
        } else if (t.op.terms[0]?.type === 'var' && t.op.terms[0].name !== 'data' && hasArgumentTypeError(name, t.args)) {
          errors.push({ code: 'rego_type_error', message: `${name}: invalid argument(s)`, location: t.loc });
        }
        return;
      }
      default: return;
    }
  };
  const visitExpr = (e: Expr) => {
    if (e.kind === 'term') {
      const outer = statement;
      statement = e.term;
      visit(e.term);
      statement = outer;
    }
    else if (e.kind === 'somein') { visit(e.collection); }
    else if (e.kind === 'every') { visit(e.domain); visitBody(e.body); }
    for (const w of e.with) {
      visit(w.value);
      const head = w.target.terms[0];
      const name = opDisplayName(w.target);
      if (head?.type === 'var' && head.name !== 'input' && head.name !== 'data' && !BUILTINS.has(name)) {
        errors.push({ code: 'rego_compile_error', message: 'with keyword target must reference existing input, data, or a function', location: w.loc });
      }
      if (head?.type === 'var' && head.name === 'data' && replacesPartOfRule(w.target, tree)) {
        errors.push({ code: 'rego_compile_error', message: 'with keyword cannot partially replace virtual document(s)', location: w.target.loc });
      }
    }
  };
  const visitBody = (b: Body) => b.forEach(visitExpr);
  visitBody(body);
  heads.forEach(visit);
}

/** OPA rejects a `with data...` target strictly below a rule: a rule's value is replaced whole or not at all. */
function replacesPartOfRule(target: RefTerm, tree: RuleTree): boolean {
  let node: RuleNode | undefined = tree.root;
  const keys = target.terms.slice(1);
  for (let i = 0; i < keys.length - 1; i++) {
    const t = keys[i]!;
    if (t.type !== 'string') return false;
    node = node.children.get(t.value);
    if (!node) return false;
    if (node.rules.length) return true;
  }
  return false;
}

function callArity(op: RefTerm, tree: RuleTree): number | undefined {
  const head = op.terms[0];
  if (head?.type === 'var' && head.name === 'data') {
    const path = op.terms.slice(1).map((t) => (t.type === 'string' ? t.value : '\0'));
    const fn = tree.find(path)?.rules.find((r) => r.kind === 'function');
    return fn ? fn.args!.length : undefined;
  }
  return BUILTINS.get(opDisplayName(op))?.arity;
}

/** The data refs a rule reads (refs and function calls), as their leading string paths. */
function dataRefs(rule: CompiledRule): string[][] {
  const out: string[][] = [];
  const fromRef = (terms: Term[]) => {
    const head = terms[0];
    if (head?.type !== 'var' || head.name !== 'data') return;
    const path: string[] = [];
    for (const t of terms.slice(1)) { if (t.type !== 'string') break; path.push(t.value); }
    out.push(path);
  };
  const visit = (t: Term): void => {
    switch (t.type) {
      case 'var': if (t.name === 'data') out.push([]); return;
      case 'ref': fromRef(t.terms); t.terms.slice(1).forEach(visit); if (t.terms[0]!.type !== 'var') visit(t.terms[0]!); return;
      case 'array': case 'set': t.items.forEach(visit); return;
      case 'object': t.items.forEach(([k, v]) => { visit(k); visit(v); }); return;
      case 'arraycomp': case 'setcomp': visit(t.term); visitBody(t.body); return;
      case 'objectcomp': visit(t.key); visit(t.value); visitBody(t.body); return;
      case 'call': fromRef(t.op.terms); t.args.forEach(visit); return;
      default: return;
    }
  };
  const visitBody = (b: Body) => b.forEach((e) => {
    if (e.kind === 'term') visit(e.term);
    else if (e.kind === 'somein') { visit(e.collection); if (e.key) visit(e.key); visit(e.value); }
    else if (e.kind === 'every') { visit(e.domain); visitBody(e.body); }
    for (const w of e.with) visit(w.value);
  });
  for (let l: CompiledRule | null = rule; l; l = l.else) {
    visitBody(l.body);
    for (const t of [...l.rest, l.key, l.value, ...(l.args ?? [])]) if (t) visit(t);
  }
  return out;
}

/** The node owning a path's value: the first node with rules on the way down. */
function owner(tree: RuleTree, path: string[]): RuleNode | undefined {
  let node: RuleNode | undefined = tree.root;
  for (const k of path) {
    node = node.children.get(k);
    if (!node) return undefined;
    if (node.rules.length) return node;
  }
  return undefined;
}

function ruleNodesBelow(node: RuleNode): RuleNode[] {
  if (node.rules.length) return [node];
  return [...node.children.values()].flatMap(ruleNodesBelow);
}

function checkRecursion(tree: RuleTree, errors: RegoError[]): void {
  const deps = new Map<RuleNode, Set<RuleNode>>();
  for (const node of tree.allNodes()) {
    if (!node.rules.length) continue;
    const top = owner(tree, node.path)!;
    const set = deps.get(top) ?? new Set<RuleNode>();
    deps.set(top, set);
    for (const r of node.rules) {
      for (const p of dataRefs(r)) {
        const o = owner(tree, p);
        if (o) { set.add(o); continue; }
        const n = tree.find(p);
        if (n) ruleNodesBelow(n).forEach((x) => set.add(x));
      }
    }
  }
  const state = new Map<RuleNode, 'active' | 'done'>();
  const stack: RuleNode[] = [];
  const reported = new Set<RuleNode>();
  const visit = (n: RuleNode): void => {
    state.set(n, 'active');
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const s = state.get(d);
      if (s === 'active') {
        if (!reported.has(d)) {
          reported.add(d);
          const cycle = stack.slice(stack.indexOf(d)).concat(d).map((x) => pathString(x.path));
          errors.push({ code: 'rego_recursion_error', message: `rule ${pathString(d.path)} is recursive: ${cycle.join(' -> ')}`, location: d.rules[0]!.loc });
        }
      } else if (!s) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of deps.keys()) if (!state.has(n)) visit(n);
}
