// The Func of a rule-tree node: complete rules and functions (one value, conflicts are errors,
// else chains, defaults), partial sets, and 'general' nodes whose ref-head rules build one object.
import type { Term } from '../ast.js';
import { nodeMode, subtreeRules, type CompiledRule, type RuleNode } from '../compile/index.js';
import type { Func, Local, Operand } from '../ir.js';
import { Ctx, assignOnce, ensureAt, inNewBlock, local, type Cont, type ValueCont } from './emit.js';
import type { Env } from './env.js';

export const COMPLETE_CONFLICT = 'complete rules must not produce multiple outputs';
export const FUNCTION_CONFLICT = 'functions must not produce multiple outputs for same inputs';
export const OBJECT_CONFLICT = 'object keys must be unique';

/** What rule funcs need from the body planner. */
export interface RulePlanning {
  planRuleBody(ctx: Ctx, rule: CompiledRule, k: Cont): void;
  planTerm(ctx: Ctx, t: Term, k: ValueCont): void;
  planTerms(ctx: Ctx, ts: Term[], k: (ops: Operand[]) => void): void;
}

export function buildRuleFunc(p: RulePlanning, node: RuleNode, env: Env, name: string): Func {
  const mode = nodeMode(node);
  const arity = mode === 'function' ? node.rules[0]!.args!.length : 0;
  const ctx = new Ctx(2 + arity, env);
  const params = Array.from({ length: 2 + arity }, (_, i) => i);
  const r = ctx.newLocal();
  const top = ctx.out;
  if (mode === 'complete' || mode === 'function') {
    const msg = mode === 'function' ? FUNCTION_CONFLICT : COMPLETE_CONFLICT;
    for (const rule of node.rules.filter((x) => !x.isDefault)) planValueRule(p, ctx, rule, r, msg);
    for (const rule of node.rules.filter((x) => x.isDefault)) {
      inNewBlock(ctx, () => {
        ctx.scope = new Map();
        ctx.out.push({ type: 'isundefined', source: r });
        p.planTerm(ctx, rule.value!, (v) => ctx.out.push({ type: 'assignvar', source: v, target: r }));
      });
    }
  } else if (mode === 'set') {
    top.push({ type: 'makeset', target: r });
    for (const rule of node.rules) {
      inNewBlock(ctx, () => p.planRuleBody(ctx, rule, () =>
        p.planTerm(ctx, rule.key!, (v) => ctx.out.push({ type: 'setadd', value: v, set: r })),
      ));
    }
  } else {
    top.push({ type: 'makeobject', target: r });
    // Paths where a rule put a value: no other rule may insert below them.
    const leaves = ctx.newLocal();
    top.push({ type: 'makeset', target: leaves });
    for (const { rule, rel } of subtreeRules(node)) planGeneralRule(p, ctx, rule, rel, r, leaves);
  }
  top.push({ type: 'returnlocal', source: r });
  return { name, params, result: r, blocks: [{ stmts: top }], locals: ctx.nlocals, path: ['data', ...node.path] };
}

/** A complete rule or function definition (with its else chain) contributing one value to r. */
function planValueRule(p: RulePlanning, ctx: Ctx, rule: CompiledRule, r: Local, msg: string): void {
  if (!rule.else) {
    inNewBlock(ctx, () => p.planRuleBody(ctx, rule, () =>
      p.planTerm(ctx, rule.value!, (v) => assignOnce(ctx, r, v, msg)),
    ));
    return;
  }
  const c = planElseChain(p, ctx, rule, msg);
  inNewBlock(ctx, () => {
    ctx.out.push({ type: 'isdefined', source: c });
    assignOnce(ctx, r, local(c), msg);
  });
}

/**
 * An else chain: the first link whose body succeeds gives the value. Returns the local holding
 * it, undefined when no link succeeded; two values from one link are a conflict (msg).
 */
function planElseChain(p: RulePlanning, ctx: Ctx, rule: CompiledRule, msg: string): Local {
  const c = ctx.newLocal();
  ctx.out.push({ type: 'resetlocal', target: c });
  let first = true;
  for (let link: CompiledRule | null = rule; link; link = link.else) {
    const l = link;
    const guard = !first;
    inNewBlock(ctx, () => {
      if (guard) ctx.out.push({ type: 'isundefined', source: c });
      p.planRuleBody(ctx, l, () => p.planTerm(ctx, l.value!, (v) => assignOnce(ctx, c, v, msg)));
    });
    first = false;
  }
  return c;
}

/** A rule folded into a 'general' node's object: inserts its value at its relative path. */
function planGeneralRule(p: RulePlanning, ctx: Ctx, rule: CompiledRule, rel: string[], r: Local, leaves: Local): void {
  const loc = rule.loc;
  const relTerms: Term[] = [...rel.map((s): Term => ({ type: 'string', value: s, loc })), ...rule.rest];
  const insert = (v: Operand | null) => {
    p.planTerms(ctx, relTerms, (keys) => {
      const pathArray = (n: number): Local => {
        const a = ctx.newLocal();
        ctx.out.push({ type: 'makearray', capacity: n, target: a });
        for (const key of keys.slice(0, n)) ctx.out.push({ type: 'arrayappend', value: key, array: a });
        return a;
      };
      for (let n = 1; n < keys.length; n++) {
        const prefix = pathArray(n);
        const hit = ctx.newLocal();
        ctx.out.push({ type: 'block', blocks: [{ stmts: [
          { type: 'dot', source: local(leaves), key: local(prefix), target: hit },
          { type: 'abort', code: 'eval_conflict_error', message: OBJECT_CONFLICT },
        ] }] });
      }
      ctx.out.push({ type: 'setadd', value: local(pathArray(keys.length)), set: leaves });
      if (rule.kind === 'partialset') {
        const s = ensureAt(ctx, r, keys, 'set');
        if (v) ctx.out.push({ type: 'setadd', value: v, set: s });
      } else {
        const parent = ensureAt(ctx, r, keys.slice(0, -1), 'object');
        ctx.out.push({ type: 'objectinsertonce', key: keys[keys.length - 1]!, value: v!, object: parent });
      }
    });
  };
  if (rule.kind === 'partialset') {
    inNewBlock(ctx, () => p.planRuleBody(ctx, rule, () => p.planTerm(ctx, rule.key!, (v) => insert(v))));
    return;
  }
  if (rule.else) {
    const c = planElseChain(p, ctx, rule, COMPLETE_CONFLICT);
    inNewBlock(ctx, () => {
      ctx.scope = new Map();
      ctx.out.push({ type: 'isdefined', source: c });
      insert(local(c));
    });
    return;
  }
  inNewBlock(ctx, () => p.planRuleBody(ctx, rule, () => p.planTerm(ctx, rule.value!, (v) => insert(v))));
}
