// AST → plan IR. Bodies are planned in continuation-passing style, as OPA's planner does: each
// expression emits its statements and then calls the continuation *inside* whatever scan it
// opened, so the rest of the body runs once per binding. A failing statement leaves its block,
// which abandons that binding.
import type { Body, Expr, Location, ObjectComprehension, RefTerm, Term } from '../ast.js';
import { BUILTINS } from '../builtins.js';
import { RegoCompileErrors } from '../errors.js';
import type { Block, Func, Local, Operand, Plan, Policy } from '../ir.js';
import { DATA_LOCAL, INPUT_LOCAL } from '../ir.js';
import {
  nodeMode, opName, pathString, userVarName,
  type CompiledModules, type CompiledRule, type RuleNode,
} from '../compile/index.js';
import { forEachVarInExpr, isGround } from '../compile/terms.js';
import { Ctx, dots, inBlock, inExitableBlock, inNewBlock, local, scan, toLocal, type Cont, type ValueCont } from './emit.js';
import { EMPTY_ENV, MOCK_STASH, makeEnv, overridden, type Env, type Mock } from './env.js';
import { buildRuleFunc, type RulePlanning } from './rules.js';

export { COMPLETE_CONFLICT, FUNCTION_CONFLICT, OBJECT_CONFLICT } from './rules.js';

export class Planner implements RulePlanning {
  private readonly funcs: Func[] = [];
  private readonly funcNames = new Map<string, string>();

  constructor(private readonly cm: CompiledModules) {}

  policy(plans: Plan[]): Policy {
    return { plans, funcs: this.funcs };
  }

  planRuleEntrypoint(name: string, path: string[]): Plan {
    const ctx = new Ctx(2, EMPTY_ENV);
    const loc: Location = { file: name, row: 1, col: 1, offset: 0 };
    const terms: Term[] = [{ type: 'var', name: 'data', loc }, ...path.map((p): Term => ({ type: 'string', value: p, loc }))];
    this.planDataRef(ctx, terms, (v) => {
      const o = ctx.newLocal();
      ctx.out.push({ type: 'makeobject', target: o });
      ctx.out.push({ type: 'objectinsert', key: { kind: 'string', value: 'result' }, value: v, object: o });
      ctx.out.push({ type: 'resultsetadd', value: o });
    });
    return { name, blocks: [{ stmts: ctx.out }], locals: ctx.nlocals };
  }

  planQueryEntrypoint(name: string, body: Body): Plan {
    const ctx = new Ctx(2, EMPTY_ENV);
    const userVars: string[] = [];
    for (const e of body) {
      forEachVarInExpr(e, (v) => { if (userVarName(v.name) !== null && !userVars.includes(v.name)) userVars.push(v.name); }, false);
    }
    this.planBody(ctx, body, 0, () => {
      const o = ctx.newLocal();
      ctx.out.push({ type: 'makeobject', target: o });
      const seen = new Set<string>();
      for (const v of userVars) {
        const l = ctx.scope.get(v);
        const user = userVarName(v)!;
        if (l === undefined || seen.has(user) || user === 'input' || user === 'data') continue;
        seen.add(user);
        ctx.out.push({ type: 'objectinsert', key: { kind: 'string', value: user }, value: local(l), object: o });
      }
      ctx.out.push({ type: 'resultsetadd', value: o });
    });
    return { name, blocks: [{ stmts: ctx.out }], locals: ctx.nlocals };
  }

  // ---------------------------------------------------------------- rule funcs

  /** The Func computing a node's value under env, planned on first use. */
  private ensureFunc(node: RuleNode, env: Env): string {
    const key = `${node.id}#${env.key}`;
    const existing = this.funcNames.get(key);
    if (existing) return existing;
    const name = `g${this.funcNames.size}.${pathString(node.path)}`;
    this.funcNames.set(key, name);
    this.funcs.push(buildRuleFunc(this, node, env, name));
    return name;
  }

  planRuleBody(ctx: Ctx, rule: CompiledRule, k: Cont): void {
    ctx.scope = new Map();
    const args = rule.args ?? [];
    const bindArg = (i: number): void => {
      if (i === args.length) return this.planBody(ctx, rule.body, 0, k);
      this.unifyOp(ctx, args[i]!, local(2 + i), () => bindArg(i + 1));
    };
    bindArg(0);
  }

  // ---------------------------------------------------------------- bodies and expressions

  private planBody(ctx: Ctx, body: Body, i: number, k: Cont): void {
    if (i === body.length) return k();
    this.planExpr(ctx, body[i]!, () => this.planBody(ctx, body, i + 1, k));
  }

  private planExpr(ctx: Ctx, e: Expr, k: Cont): void {
    if (e.with.length) return this.planWith(ctx, e, k);
    this.planExprNoWith(ctx, e, k);
  }

  private planExprNoWith(ctx: Ctx, e: Expr, k: Cont): void {
    if (!e.negated) return this.planExprValue(ctx, e, k);
    // `not e`: run e in its own block, remember if any binding succeeded, then require none did.
    const found = ctx.newLocal();
    ctx.out.push({ type: 'resetlocal', target: found });
    const saved = ctx.scope;
    inExitableBlock(ctx, (exit) => {
      ctx.scope = new Map(saved);
      this.planExprValue(ctx, e, () => {
        ctx.out.push({ type: 'assignvar', source: { kind: 'bool', value: true }, target: found });
        exit();
      });
    });
    ctx.scope = saved;
    ctx.out.push({ type: 'isundefined', source: found });
    k();
  }

  private planExprValue(ctx: Ctx, e: Expr, k: Cont): void {
    switch (e.kind) {
      case 'some': return k();
      case 'somein':
        return this.planTerm(ctx, e.collection, (coll) => {
          scan(ctx, coll, (kl, vl) => {
            if (e.key) this.unifyOp(ctx, e.key, local(kl), () => this.unifyOp(ctx, e.value, local(vl), k));
            else this.unifyOp(ctx, e.value, local(vl), k);
          });
        });
      case 'every':
        return this.planTerm(ctx, e.domain, (dom) => {
          const failed = ctx.newLocal();
          ctx.out.push({ type: 'resetlocal', target: failed });
          const saved = ctx.scope;
          inExitableBlock(ctx, (exitAll) => {
            ctx.scope = new Map(saved);
            scan(ctx, dom, (kl, vl) => {
              const bindValue = () => this.unifyOp(ctx, e.value, local(vl), () => {
                const ok = ctx.newLocal();
                ctx.out.push({ type: 'resetlocal', target: ok });
                const inner = ctx.scope;
                inExitableBlock(ctx, (exitBody) => {
                  ctx.scope = new Map(inner);
                  this.planBody(ctx, e.body, 0, () => {
                    ctx.out.push({ type: 'assignvar', source: { kind: 'bool', value: true }, target: ok });
                    exitBody();
                  });
                });
                ctx.scope = inner;
                ctx.out.push({ type: 'isundefined', source: ok });
                ctx.out.push({ type: 'assignvar', source: { kind: 'bool', value: true }, target: failed });
                exitAll();
              });
              if (e.key) this.unifyOp(ctx, e.key, local(kl), bindValue);
              else bindValue();
            });
          });
          ctx.scope = saved;
          ctx.out.push({ type: 'isundefined', source: failed });
          k();
        });
      case 'term': {
        const t = e.term;
        if (t.type === 'call') {
          const name = opName(t.op);
          if ((name === 'eq' || name === 'assign') && t.args.length === 2) return this.unify(ctx, t.args[0]!, t.args[1]!, k);
          if (name === 'print') return k();
          const arity = this.cm.arityOf(t.op);
          if (arity !== undefined && t.args.length === arity + 1) {
            const out = t.args[arity]!;
            // A relation (walk) returns an array of its results; each one is a solution.
            const relation = name !== null && BUILTINS.get(name)?.relation === true && !ctx.env.mocks.has(name);
            return this.planCall(ctx, t.op, t.args.slice(0, arity), t.loc, (r) => relation
              ? scan(ctx, r, (_k, v) => this.unifyOp(ctx, out, local(v), k))
              : this.unifyOp(ctx, out, r, k));
          }
        }
        return this.planTerm(ctx, t, (v) => {
          ctx.out.push({ type: 'notequal', a: v, b: { kind: 'bool', value: false } });
          k();
        });
      }
    }
  }

  /**
   * `e with target as value, ...`: input/data targets become `with` statements; function targets
   * become mocks, and every rule planned while they are in effect is planned again for them.
   * Bindings made inside the with block are carried out through a set of binding tuples.
   */
  private planWith(ctx: Ctx, e: Expr, k: Cont): void {
    const candidates: string[] = [];
    forEachVarInExpr(e, (v) => { if (!ctx.scope.has(v.name) && !candidates.includes(v.name) && v.name !== 'input' && v.name !== 'data') candidates.push(v.name); }, false);
    const layerSpecs: Array<{ local: Local; path: string[]; value: Term }> = [];
    const mocks = new Map(ctx.env.mocks);
    const overrides = [...ctx.env.overrides];
    for (const w of e.with) {
      const target = w.target.terms;
      const head = target[0]!;
      const path = target.slice(1).map((t) => (t.type === 'string' ? t.value : '?'));
      const headName = head.type === 'var' ? head.name : '?';
      if (headName === 'input') {
        layerSpecs.push({ local: INPUT_LOCAL, path, value: w.value });
        continue;
      }
      if (headName === 'data') {
        const node = this.cm.tree.find(path);
        if (!node || !node.rules.length || nodeMode(node) !== 'function') {
          layerSpecs.push({ local: DATA_LOCAL, path, value: w.value });
          overrides.push(path);
          continue;
        }
      }
      const mockName = [headName, ...path].join('.');
      const mock = this.mockFor(w.value, mockName);
      if (mock.kind === 'stash') layerSpecs.push({ local: DATA_LOCAL, path: [MOCK_STASH, mockName], value: w.value });
      mocks.set(mockName, mock);
    }
    this.planTerms(ctx, layerSpecs.map((l) => l.value), (values) => {
      const layers = layerSpecs.map((l, i) => ({ local: l.local, path: l.path, value: values[i]! }));
      const env = makeEnv(mocks, overrides);
      const collector = ctx.newLocal();
      ctx.out.push({ type: 'makeset', target: collector });
      let carried: string[] = [];
      const saved = ctx.scope;
      const savedEnv = ctx.env;
      const inner: Block = { stmts: [] };
      let outer: Block = inner;
      for (let i = layers.length - 1; i >= 0; i--) {
        const l = layers[i]!;
        outer = { stmts: [{ type: 'with', local: l.local, path: l.path, value: l.value, block: outer }] };
      }
      ctx.out.push({ type: 'block', blocks: [outer] });
      inBlock(ctx, inner, () => {
        ctx.scope = new Map(saved);
        ctx.env = env;
        this.planExprNoWith(ctx, e, () => {
          carried = candidates.filter((v) => ctx.scope.has(v));
          const tuple = ctx.newLocal();
          ctx.out.push({ type: 'makearray', capacity: carried.length, target: tuple });
          for (const v of carried) ctx.out.push({ type: 'arrayappend', value: local(ctx.scope.get(v)!), array: tuple });
          ctx.out.push({ type: 'setadd', value: local(tuple), set: collector });
        });
        // `inner` sits below the block statement's block and one block per with layer.
      }, layers.length);
      ctx.scope = saved;
      ctx.env = savedEnv;
      scan(ctx, local(collector), (_kl, tuple) => {
        carried.forEach((v, i) => {
          const l = ctx.newLocal();
          ctx.out.push({ type: 'dot', source: local(tuple), key: { kind: 'number', value: String(i) }, target: l });
          ctx.scope.set(v, l);
        });
        k();
      });
    });
  }

  private mockFor(value: Term, mockName: string): Mock {
    if (value.type === 'ref' && value.terms[0]?.type === 'var' && value.terms[0].name === 'data') {
      const path = value.terms.slice(1).map((t) => (t.type === 'string' ? t.value : '\0'));
      const node = this.cm.tree.find(path);
      if (node && node.rules.length && nodeMode(node) === 'function') return { kind: 'func', node };
    }
    const builtinName = value.type === 'var' ? value.name
      : value.type === 'ref' ? value.terms.map((t) => (t.type === 'var' ? t.name : t.type === 'string' ? t.value : '\0')).join('.') : null;
    if (builtinName && BUILTINS.has(builtinName)) return { kind: 'builtin', name: builtinName };
    if (isGround(value) || (value.type === 'ref' && value.terms[0]?.type === 'var' && value.terms[0].name === 'data' && value.terms.slice(1).every((t) => t.type === 'string'))) {
      return { kind: 'const', term: value };
    }
    return { kind: 'stash', name: mockName };
  }

  // ---------------------------------------------------------------- unification

  private boundSet(ctx: Ctx): Set<string> {
    return new Set(ctx.scope.keys());
  }

  private unify(ctx: Ctx, a: Term, b: Term, k: Cont): void {
    const sa = this.cm.safety;
    const bound = this.boundSet(ctx);
    const none = new Set<string>();
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const o = sa.evalOutputs(x, bound, none);
      if (o && sa.patternOutputs(y, new Set([...bound, ...o]), none)) {
        return this.planTerm(ctx, x, (v) => this.unifyOp(ctx, y, v, k));
      }
    }
    if (a.type === 'array' && b.type === 'array' && a.items.length === b.items.length) {
      const step = (i: number): void => {
        if (i === a.items.length) return k();
        this.unify(ctx, a.items[i]!, b.items[i]!, () => step(i + 1));
      };
      return step(0);
    }
    if (a.type === 'object' && b.type === 'object' && a.items.length === b.items.length) {
      const step = (i: number): void => {
        if (i === a.items.length) return k();
        const [ka, va] = a.items[i]!;
        const other = b.items.find(([kb]) => kb.type === ka.type && 'value' in kb && 'value' in ka && kb.value === ka.value);
        if (!other) return;
        this.unify(ctx, va, other[1], () => step(i + 1));
      };
      return step(0);
    }
    throw this.internal(`cannot unify these terms`, a.loc);
  }

  /** Matches term t against the value op, binding t's unbound vars. */
  private unifyOp(ctx: Ctx, t: Term, op: Operand, k: Cont): void {
    const bound = this.boundSet(ctx);
    switch (t.type) {
      case 'var': {
        const l = ctx.scope.get(t.name);
        if (l !== undefined || t.name === 'input' || t.name === 'data') break;
        const nl = ctx.newLocal();
        ctx.out.push({ type: 'assignvar', source: op, target: nl });
        ctx.scope.set(t.name, nl);
        return k();
      }
      case 'array': {
        const outs = this.cm.safety.patternOutputs(t, bound, new Set());
        if (!outs || outs.size === 0) break;
        const n = ctx.newLocal();
        ctx.out.push({ type: 'isarray', source: op });
        ctx.out.push({ type: 'len', source: op, target: n });
        ctx.out.push({ type: 'equal', a: local(n), b: { kind: 'number', value: String(t.items.length) } });
        const step = (i: number): void => {
          if (i === t.items.length) return k();
          const el = ctx.newLocal();
          ctx.out.push({ type: 'dot', source: op, key: { kind: 'number', value: String(i) }, target: el });
          this.unifyOp(ctx, t.items[i]!, local(el), () => step(i + 1));
        };
        return step(0);
      }
      case 'object': {
        const outs = this.cm.safety.patternOutputs(t, bound, new Set());
        if (!outs || outs.size === 0) break;
        const n = ctx.newLocal();
        ctx.out.push({ type: 'isobject', source: op });
        ctx.out.push({ type: 'len', source: op, target: n });
        ctx.out.push({ type: 'equal', a: local(n), b: { kind: 'number', value: String(t.items.length) } });
        const step = (i: number): void => {
          if (i === t.items.length) return k();
          const [kt, vt] = t.items[i]!;
          this.planTerm(ctx, kt, (key) => {
            const el = ctx.newLocal();
            ctx.out.push({ type: 'dot', source: op, key, target: el });
            this.unifyOp(ctx, vt, local(el), () => step(i + 1));
          });
        };
        return step(0);
      }
      default: break;
    }
    this.planTerm(ctx, t, (v) => {
      ctx.out.push({ type: 'equal', a: v, b: op });
      k();
    });
  }

  // ---------------------------------------------------------------- terms

  planTerms(ctx: Ctx, ts: Term[], k: (ops: Operand[]) => void): void {
    const ops: Operand[] = [];
    const step = (i: number): void => {
      if (i === ts.length) return k(ops);
      this.planTerm(ctx, ts[i]!, (v) => { ops.push(v); step(i + 1); });
    };
    step(0);
  }

  planTerm(ctx: Ctx, t: Term, k: ValueCont): void {
    switch (t.type) {
      case 'null': return k({ kind: 'null' });
      case 'boolean': return k({ kind: 'bool', value: t.value });
      case 'number': return k({ kind: 'number', value: t.value });
      case 'string': return k({ kind: 'string', value: t.value });
      case 'var': {
        if (t.name === 'input') {
          ctx.out.push({ type: 'isdefined', source: INPUT_LOCAL });
          return k(local(INPUT_LOCAL));
        }
        if (t.name === 'data') return this.planDataRef(ctx, [t], k);
        const l = ctx.scope.get(t.name);
        if (l === undefined) throw this.internal(`var ${userVarName(t.name) ?? '_'} is unbound`, t.loc);
        return k(local(l));
      }
      case 'ref': return this.planRef(ctx, t, k);
      case 'array':
        return this.planTerms(ctx, t.items, (ops) => {
          const l = ctx.newLocal();
          ctx.out.push({ type: 'makearray', capacity: ops.length, target: l });
          for (const v of ops) ctx.out.push({ type: 'arrayappend', value: v, array: l });
          k(local(l));
        });
      case 'set':
        return this.planTerms(ctx, t.items, (ops) => {
          const l = ctx.newLocal();
          ctx.out.push({ type: 'makeset', target: l });
          for (const v of ops) ctx.out.push({ type: 'setadd', value: v, set: l });
          k(local(l));
        });
      case 'object':
        return this.planTerms(ctx, t.items.flat(), (ops) => {
          const l = ctx.newLocal();
          ctx.out.push({ type: 'makeobject', target: l });
          for (let i = 0; i < ops.length; i += 2) ctx.out.push({ type: 'objectinsert', key: ops[i]!, value: ops[i + 1]!, object: l });
          k(local(l));
        });
      case 'arraycomp': case 'setcomp': case 'objectcomp': return this.planComprehension(ctx, t, k);
      case 'call': return this.planCall(ctx, t.op, t.args, t.loc, k);
    }
  }

  private planComprehension(ctx: Ctx, t: Extract<Term, { type: 'arraycomp' | 'setcomp' }> | ObjectComprehension, k: ValueCont): void {
    const target = ctx.newLocal();
    ctx.out.push(t.type === 'arraycomp' ? { type: 'makearray', capacity: 0, target } : t.type === 'setcomp' ? { type: 'makeset', target } : { type: 'makeobject', target });
    const saved = ctx.scope;
    inNewBlock(ctx, () => {
      ctx.scope = new Map(saved);
      this.planBody(ctx, t.body, 0, () => {
        if (t.type === 'objectcomp') {
          this.planTerm(ctx, t.key, (key) => this.planTerm(ctx, t.value, (value) =>
            ctx.out.push({ type: 'objectinsertonce', key, value, object: target })));
        } else {
          this.planTerm(ctx, t.term, (v) => ctx.out.push(t.type === 'arraycomp' ? { type: 'arrayappend', value: v, array: target } : { type: 'setadd', value: v, set: target }));
        }
      });
    });
    ctx.scope = saved;
    k(local(target));
  }

  private planCall(ctx: Ctx, op: RefTerm, args: Term[], loc: Location, k: ValueCont): void {
    const name = op.terms.map((t) => (t.type === 'var' ? t.name : t.type === 'string' ? t.value : '?')).join('.');
    if (name === 'print') return k({ kind: 'bool', value: true });
    this.planTerms(ctx, args, (ops) => {
      const mock = ctx.env.mocks.get(name);
      if (mock) return this.callMock(ctx, mock, ops, k);
      if (op.terms[0]?.type === 'var' && op.terms[0].name === 'data') {
        const node = this.cm.tree.find(name.split('.').slice(1));
        if (!node || !node.rules.length) throw this.internal(`undefined function ${name}`, loc);
        return this.callFunc(ctx, this.ensureFunc(node, ctx.env), ops, k);
      }
      if (!BUILTINS.has(name)) throw this.internal(`undefined function ${name}`, loc);
      const r = ctx.newLocal();
      ctx.out.push({ type: 'call', func: name, args: ops, result: r });
      k(local(r));
    });
  }

  private callFunc(ctx: Ctx, func: string, ops: Operand[], k: ValueCont): void {
    const r = ctx.newLocal();
    ctx.out.push({ type: 'call', func, args: [local(INPUT_LOCAL), local(DATA_LOCAL), ...ops], result: r });
    k(local(r));
  }

  /** Replacements run without any function mock in effect (a mock calling the original gets the original). */
  private callMock(ctx: Ctx, mock: Mock, ops: Operand[], k: ValueCont): void {
    const plain = makeEnv(new Map(), ctx.env.overrides);
    switch (mock.kind) {
      case 'func': return this.callFunc(ctx, this.ensureFunc(mock.node, plain), ops, k);
      case 'builtin': {
        const r = ctx.newLocal();
        ctx.out.push({ type: 'call', func: mock.name, args: ops, result: r });
        return k(local(r));
      }
      case 'const': {
        const saved = ctx.env;
        ctx.env = plain;
        try {
          return this.planTerm(ctx, mock.term, (v) => { ctx.env = saved; k(v); });
        } finally {
          ctx.env = saved;
        }
      }
      case 'stash': return dots(ctx, local(DATA_LOCAL), [MOCK_STASH, mock.name], k);
    }
  }

  // ---------------------------------------------------------------- references

  private planRef(ctx: Ctx, ref: RefTerm, k: ValueCont): void {
    const head = ref.terms[0]!;
    if (head.type === 'var' && head.name === 'data') return this.planDataRef(ctx, ref.terms, k);
    this.planTerm(ctx, head, (v) => this.planRest(ctx, v, ref.terms, 1, k));
  }

  /** Applies ref terms from index i to the value op: ground keys dot, unbound vars scan. */
  private planRest(ctx: Ctx, op: Operand, terms: Term[], i: number, k: ValueCont): void {
    if (i === terms.length) return k(op);
    const t = terms[i]!;
    const bound = this.boundSet(ctx);
    const sa = this.cm.safety;
    const none = new Set<string>();
    if (sa.evalOutputs(t, bound, none)?.size === 0) {
      return this.planTerm(ctx, t, (key) => {
        const l = ctx.newLocal();
        ctx.out.push({ type: 'dot', source: op, key, target: l });
        this.planRest(ctx, local(l), terms, i + 1, k);
      });
    }
    if (t.type === 'var' && !bound.has(t.name)) {
      return scan(ctx, op, (kl, vl) => {
        ctx.scope.set(t.name, kl);
        this.planRest(ctx, local(vl), terms, i + 1, k);
      });
    }
    if (sa.evalOutputs(t, bound, none)) {
      // A key that itself iterates (a ref with unbound vars): evaluate, then look up.
      return this.planTerm(ctx, t, (key) => {
        const l = ctx.newLocal();
        ctx.out.push({ type: 'dot', source: op, key, target: l });
        this.planRest(ctx, local(l), terms, i + 1, k);
      });
    }
    scan(ctx, op, (kl, vl) => this.unifyOp(ctx, t, local(kl), () => this.planRest(ctx, local(vl), terms, i + 1, k)));
  }

  /** data.<terms...>: rule values (funcs) where rules are, base data elsewhere, merged documents in between. */
  private planDataRef(ctx: Ctx, terms: Term[], k: ValueCont): void {
    let node = this.cm.tree.root;
    const path: string[] = [];
    let i = 1;
    for (;;) {
      if (overridden(ctx.env, path)) return this.baseThen(ctx, path, terms, i, k);
      if (node.rules.length && node !== this.cm.tree.root) {
        if (nodeMode(node) === 'function') return;
        const r = ctx.newLocal();
        ctx.out.push({ type: 'call', func: this.ensureFunc(node, ctx.env), args: [local(INPUT_LOCAL), local(DATA_LOCAL)], result: r });
        return this.planRest(ctx, local(r), terms, i, k);
      }
      if (i === terms.length) return this.planDocument(ctx, node, path, k);
      const t = terms[i]!;
      if (t.type === 'string') {
        const child = node.children.get(t.value);
        if (!child) return this.baseThen(ctx, path, terms, i, k);
        node = child;
        path.push(t.value);
        i++;
        continue;
      }
      if (node.children.size === 0) return this.baseThen(ctx, path, terms, i, k);
      return this.planDocument(ctx, node, path, (doc) => this.planRest(ctx, doc, terms, i, k));
    }
  }

  private baseThen(ctx: Ctx, path: string[], terms: Term[], i: number, k: ValueCont): void {
    dots(ctx, local(DATA_LOCAL), path, (v) => this.planRest(ctx, v, terms, i, k));
  }

  /** The whole document at node: base data there merged with every virtual document below. */
  private planDocument(ctx: Ctx, node: RuleNode, path: string[], k: ValueCont): void {
    if (overridden(ctx.env, path)) return dots(ctx, local(DATA_LOCAL), path, k);
    if (node.rules.length && node !== this.cm.tree.root) {
      if (nodeMode(node) === 'function') return;
      const r = ctx.newLocal();
      ctx.out.push({ type: 'call', func: this.ensureFunc(node, ctx.env), args: [local(INPUT_LOCAL), local(DATA_LOCAL)], result: r });
      return k(local(r));
    }
    const virtual = ctx.newLocal();
    ctx.out.push({ type: 'makeobject', target: virtual });
    for (const [key, child] of node.children) {
      if (!hasDocumentRules(child)) continue;
      inNewBlock(ctx, () => this.planDocument(ctx, child, [...path, key], (v) =>
        ctx.out.push({ type: 'objectinsert', key: { kind: 'string', value: key }, value: v, object: virtual })));
    }
    const merged = ctx.newLocal();
    ctx.out.push({ type: 'assignvar', source: local(virtual), target: merged });
    inNewBlock(ctx, () => dots(ctx, local(DATA_LOCAL), path, (base) => {
      const b = toLocal(ctx, base);
      ctx.out.push({ type: 'isobject', source: local(b) });
      ctx.out.push({ type: 'objectmerge', a: b, b: virtual, target: merged });
    }));
    k(local(merged));
  }

  // ---------------------------------------------------------------- helpers

  private internal(message: string, loc: Location): RegoCompileErrors {
    return new RegoCompileErrors([{ code: 'rego_compile_error', message, location: loc }]);
  }
}

/** Function nodes are not part of documents; namespaces are (an empty object at least). */
function hasDocumentRules(node: RuleNode): boolean {
  return !node.rules.length || node.rules.some((r) => r.kind !== 'function');
}

