// The compile passes, in OPA's order: resolve refs and rename locals (rewrite.ts), build the rule
// tree (ruletree.ts), check functions, arities, conflicts and recursion (checks.ts), reorder bodies
// for safety (safety.ts). The result is what the planner consumes.
import type { Body, Import, Module, RefTerm, Rule, Term } from '../ast.js';
import { BUILTINS } from '../builtins.js';
import type { RegoError } from '../errors.js';
import { checkCallsInBody, checkTree } from './checks.js';
import { LocalRewriter, resolveGlobals, resolveGlobalsInBody, type GlobalResolver } from './rewrite.js';
import { RuleTree, type CompiledRule } from './ruletree.js';
import { SafetyAnalysis, checkHeadSafe, type ArityOf } from './safety.js';
import { NameGen, mkString, mkVar, patternVars } from './terms.js';
import { termToString } from '../parser/print.js';

export { RuleTree, nodeMode, subtreeRules, pathString, type CompiledRule, type RuleNode, type NodeMode } from './ruletree.js';
export { SafetyAnalysis, opName } from './safety.js';
export { userVarName, isWildcard } from './terms.js';

export interface CompiledModules {
  tree: RuleTree;
  safety: SafetyAnalysis;
  names: NameGen;
  arityOf: ArityOf;
}

/** Runs every pass over the modules; errors are appended to `errors` (all of them, not the first). */
export function compileModules(modules: Module[], errors: RegoError[]): CompiledModules {
  const errorsBefore = errors.length;
  const names = new NameGen();
  const rewriter = new LocalRewriter(names, errors);
  const tree = new RuleTree();
  const packageRules = new Map<string, Set<string>>();
  for (const m of modules) {
    const key = packagePath(m).join('.');
    const set = packageRules.get(key) ?? new Set<string>();
    for (const r of m.rules) {
      const head = r.head.ref[0];
      if (head?.type === 'var') set.add(head.name);
      const rootName = head?.type === 'var' ? head.name : head?.type === 'ref' && head.terms.length === 1 && head.terms[0]?.type === 'var' ? head.terms[0].name : null;
      if (rootName === 'input' || rootName === 'data') {
        errors.push({ code: 'rego_compile_error', message: `rules must not shadow ${rootName} (use a different rule name)`, location: r.loc });
      }
    }
    packageRules.set(key, set);
  }
  for (const m of modules) {
    const pkg = packagePath(m);
    const resolve = moduleResolver(pkg, packageRules.get(pkg.join('.'))!, m.imports, errors);
    for (const r of m.rules) tree.insert(compileRule(r, r, pkg, m, rewriter, resolve));
  }
  const arityOf = makeArityOf(tree);
  const safety = new SafetyAnalysis(arityOf);
  // Like OPA's compiler stages: errors in imports and local variables (shadowing, reassignment)
  // stop compilation before the whole-program checks, which would only report their fallout.
  if (errors.length > errorsBefore) return { tree, safety, names, arityOf };
  checkTree(tree, errors);
  for (const node of tree.allNodes()) {
    for (const r of node.rules) {
      for (let link: CompiledRule | null = r; link; link = link.else) orderRule(link, safety, errors);
    }
  }
  return { tree, safety, names, arityOf };
}

/** Compiles an ad-hoc query (refs must be spelled `data...`/`input...`). */
export function compileQuery(body: Body, cm: CompiledModules, errors: RegoError[]): Body {
  const rewriter = new LocalRewriter(cm.names, errors);
  const rewritten = rewriter.body(body, rewriter.newScope());
  const r = cm.safety.reorder(rewritten, new Set(), new Set(), errors);
  checkCallsInBody(r.body, cm.tree, errors);
  return r.body;
}

function packagePath(m: Module): string[] {
  return m.package.path.slice(1).map((t) => (t.type === 'string' ? t.value : t.type === 'var' ? t.name : '?'));
}

function moduleResolver(pkg: string[], ruleNames: Set<string>, imports: Import[], errors: RegoError[]): GlobalResolver {
  const aliases = new Map<string, Term[]>();
  const importedAs = new Map<string, Import>();
  for (const imp of imports) {
    const terms = imp.path.terms;
    const head = terms[0];
    if (!head || head.type !== 'var' || (head.name !== 'data' && head.name !== 'input')) continue;
    const last = terms[terms.length - 1]!;
    const alias = imp.alias ?? (last.type === 'string' ? last.value : last.type === 'var' ? last.name : null);
    if (!alias) continue;
    const earlier = importedAs.get(alias);
    if (earlier) {
      // OPA: two imports may not bind the same name in one module.
      const text = `import ${termToString(earlier.path)}${earlier.alias ? ` as ${earlier.alias}` : ''}`;
      errors.push({ code: 'rego_compile_error', message: `import must not shadow ${text}`, location: imp.loc });
      continue;
    }
    importedAs.set(alias, imp);
    aliases.set(alias, terms);
  }
  return (name, loc) => {
    if (name === 'input' || name === 'data') return null;
    if (ruleNames.has(name)) return [mkVar('data', loc), ...pkg.map((p) => mkString(p, loc)), mkString(name, loc)];
    const a = aliases.get(name);
    return a ? a.map((t) => ({ ...t, loc })) : null;
  };
}

function compileRule(rule: Rule, first: Rule, pkg: string[], m: Module, rw: LocalRewriter, resolve: GlobalResolver): CompiledRule {
  const scope = rw.newScope();
  const argsSrc = first.head.args;
  const args = argsSrc ? argsSrc.map((a) => resolveGlobals(rw.declarePattern(a, scope, false, 'args'), resolve)) : null;
  const body = resolveGlobalsInBody(rw.body(rule.body, scope), resolve);
  const h = rule.head;
  const headRef = first.head.ref;
  const name = headRef[0]!.type === 'var' ? headRef[0]!.name : '?';
  const refTail = headRef.slice(1).map((t) => resolveGlobals(rw.term(t, scope), resolve));
  let i = 0;
  const path = [...pkg, name];
  while (i < refTail.length && refTail[i]!.type === 'string') path.push((refTail[i++] as { value: string }).value);
  const term = (t: Term | null) => (t ? resolveGlobals(rw.term(t, scope), resolve) : null);
  return {
    path,
    rest: refTail.slice(i),
    kind: first.head.kind,
    args,
    key: term(h.key),
    value: term(h.value),
    body,
    isDefault: rule.default,
    else: rule.else ? compileRule(rule.else, first, pkg, m, rw, resolve) : null,
    loc: rule.loc,
    module: m,
  };
}

function orderRule(rule: CompiledRule, safety: SafetyAnalysis, errors: RegoError[]): void {
  const bound = new Set<string>();
  for (const a of rule.args ?? []) patternVars(a).forEach((v) => bound.add(v.name));
  const outer = new Set<string>(bound);
  const before = errors.length;
  const r = safety.reorder(rule.body, bound, outer, errors);
  rule.body = r.body;
  // Head vars left unbound by an unsafe body were already reported there.
  if (errors.length > before) return;
  const heads = [...rule.rest, ...(rule.key ? [rule.key] : []), ...(rule.value ? [rule.value] : [])];
  for (const t of heads) {
    safety.reorderClosuresInExpr({ kind: 'term', term: t, negated: false, with: [], loc: t.loc }, r.bound, outer, errors);
    checkHeadSafe(t, r.bound, errors, safety, outer);
  }
}

function makeArityOf(tree: RuleTree): ArityOf {
  return (op: RefTerm) => {
    const head = op.terms[0];
    if (head?.type === 'var' && head.name === 'data') {
      const path: string[] = [];
      for (const t of op.terms.slice(1)) if (t.type === 'string') path.push(t.value);
      const node = tree.find(path);
      const fn = node?.rules.find((r) => r.kind === 'function');
      return fn ? fn.args!.length : undefined;
    }
    const name = op.terms.map((t) => (t.type === 'var' ? t.name : t.type === 'string' ? t.value : '?')).join('.');
    // print is variadic: every argument is an input.
    if (name === 'print') return undefined;
    return BUILTINS.get(name)?.arity;
  };
}
