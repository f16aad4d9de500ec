// A direct interpreter of the plan IR: the test harness for the planner and a differential oracle
// for the Wasm code generator. Statement results: NEXT to continue, or n >= 0 to leave the n-th
// enclosing block (a failing statement is n = 0).
import type { Block, Func, Operand, Plan, Policy, Stmt } from '../ir.js';
import { BUILTIN_IMPLS, EvalError } from './builtins.js';
import { RObject, RSet, equal, fromJson, parseNumber, sortValues, sortedEntries, toJson, type Json, type Value } from './values.js';

export { EvalError } from './builtins.js';

const NEXT = -1;
/** execBlock's result when the block ran to its end (as opposed to being left by a break). */
const COMPLETED = -2;

type Locals = Array<Value | undefined>;

/** Extra built-ins the caller provides (e.g. time.now_ns), by OPA name. */
export type BuiltinOverrides = ReadonlyMap<string, (args: Value[]) => Value | undefined>;

export interface EvalOptions {
  builtins?: BuiltinOverrides;
  /**
   * Built-in errors (eval_type_error, eval_builtin_error such as divide by zero) raise instead of
   * making the call undefined (OPA's strict-builtin-errors); without it they are undefined, as in topdown.
   */
  strictBuiltinErrors?: boolean;
  /** Guards against runaway plans. */
  maxSteps?: number;
}

export class IrInterpreter {
  private readonly funcs: Map<string, Func>;
  private steps = 0;
  /** time.now_ns is constant within one evaluation, as in OPA. */
  private nowNs = Date.now() * 1e6;
  private readonly maxSteps: number;

  constructor(private readonly policy: Policy, private readonly options: EvalOptions = {}) {
    this.funcs = new Map(policy.funcs.map((f) => [f.name, f]));
    this.maxSteps = options.maxSteps ?? 5_000_000;
  }

  /** Runs the named plan; returns its result set as JSON values (sets as sorted arrays). */
  evalPlan(name: string, input: Json | Value | undefined, data: Json | Value): Json[] {
    const plan = this.policy.plans.find((p) => p.name === name);
    if (!plan) throw new Error(`no plan named ${name}`);
    return this.run(plan, input === undefined ? undefined : fromJson(input), fromJson(data)).map(toJson);
  }

  run(plan: Plan, input: Value | undefined, data: Value): Value[] {
    this.nowNs = Date.now() * 1e6;
    const results: Value[] = [];
    const locals: Locals = new Array(plan.locals).fill(undefined);
    locals[0] = input;
    locals[1] = data;
    const frame: Frame = { locals, results, ret: undefined };
    for (const b of plan.blocks) {
      const r = this.execBlock(b, frame);
      if (r >= 0) break;
    }
    return results;
  }

  private execBlock(block: Block, frame: Frame): number {
    for (const s of block.stmts) {
      const r = this.exec(s, frame);
      if (r >= 0) return r - 1;
    }
    return COMPLETED;
  }

  private val(op: Operand, l: Locals): Value {
    switch (op.kind) {
      case 'local': {
        const v = l[op.local];
        if (v === undefined) throw new Error(`planner bug: local ${op.local} read while undefined`);
        return v;
      }
      case 'bool': return op.value;
      case 'string': return op.value;
      case 'number': return parseNumber(op.value);
      case 'null': return null;
    }
  }

  private exec(s: Stmt, f: Frame): number {
    if (++this.steps > this.maxSteps) throw new Error('ir-eval: step limit exceeded');
    const l = f.locals;
    switch (s.type) {
      case 'block':
        for (const b of s.blocks) {
          const r = this.execBlock(b, f);
          if (r >= 0) return r;
        }
        return NEXT;
      case 'break': return s.index;
      case 'scan': {
        const src = l[s.source];
        for (const [k, v] of iterate(src)) {
          l[s.key] = k;
          l[s.value] = v;
          const r = this.execBlock(s.block, f);
          if (r >= 0) return r;
        }
        return NEXT;
      }
      case 'not': {
        const r = this.execBlock(s.block, f);
        if (r === COMPLETED) return 0;
        return r >= 0 ? r : NEXT;
      }
      case 'isdefined': return l[s.source] === undefined ? 0 : NEXT;
      case 'isundefined': return l[s.source] === undefined ? NEXT : 0;
      case 'isarray': return Array.isArray(this.val(s.source, l)) ? NEXT : 0;
      case 'isobject': return this.val(s.source, l) instanceof RObject ? NEXT : 0;
      case 'isset': return this.val(s.source, l) instanceof RSet ? NEXT : 0;
      case 'assignvar': l[s.target] = this.val(s.source, l); return NEXT;
      case 'assignvaronce': {
        const v = this.val(s.source, l);
        const old = l[s.target];
        if (old !== undefined && !equal(old, v)) throw new EvalError('eval_conflict_error', 'var assignment conflict');
        l[s.target] = v;
        return NEXT;
      }
      case 'resetlocal': l[s.target] = undefined; return NEXT;
      case 'dot': {
        const v = dot(this.val(s.source, l), this.val(s.key, l));
        if (v === undefined) return 0;
        l[s.target] = v;
        return NEXT;
      }
      case 'len': {
        const v = this.val(s.source, l);
        const n = Array.isArray(v) ? v.length : v instanceof RObject || v instanceof RSet ? v.size : typeof v === 'string' ? [...v].length : undefined;
        if (n === undefined) return 0;
        l[s.target] = n;
        return NEXT;
      }
      case 'equal': return equal(this.val(s.a, l), this.val(s.b, l)) ? NEXT : 0;
      case 'notequal': return equal(this.val(s.a, l), this.val(s.b, l)) ? 0 : NEXT;
      case 'call': {
        // input/data are passed to funcs as they are: input may be undefined.
        const isFunc = this.funcs.has(s.func);
        const args = s.args.map((a, i) => (isFunc && i < 2 && a.kind === 'local' ? l[a.local]! : this.val(a, l)));
        const v = this.call(s.func, args);
        if (v === undefined) return 0;
        l[s.result] = v;
        return NEXT;
      }
      case 'makenull': l[s.target] = null; return NEXT;
      case 'makenumber': l[s.target] = parseNumber(s.value); return NEXT;
      case 'makearray': l[s.target] = []; return NEXT;
      case 'makeobject': l[s.target] = new RObject(); return NEXT;
      case 'makeset': l[s.target] = new RSet(); return NEXT;
      case 'arrayappend': (l[s.array] as Value[]).push(this.val(s.value, l)); return NEXT;
      case 'objectinsert': {
        const o = l[s.object];
        if (!(o instanceof RObject)) throw new EvalError('eval_conflict_error', 'object keys must be unique');
        o.set(this.val(s.key, l), this.val(s.value, l));
        return NEXT;
      }
      case 'objectinsertonce': {
        const o = l[s.object];
        const k = this.val(s.key, l);
        const v = this.val(s.value, l);
        if (!(o instanceof RObject)) throw new EvalError('eval_conflict_error', 'object keys must be unique');
        const old = o.get(k);
        if (old !== undefined && !equal(old, v)) throw new EvalError('eval_conflict_error', 'object keys must be unique');
        o.set(k, v);
        return NEXT;
      }
      case 'objectmerge': l[s.target] = merge(l[s.a]!, l[s.b]!); return NEXT;
      case 'setadd': {
        const set = l[s.set];
        if (!(set instanceof RSet)) throw new EvalError('eval_conflict_error', 'object keys must be unique');
        set.add(this.val(s.value, l));
        return NEXT;
      }
      case 'returnlocal': f.ret = l[s.source]; return NEXT;
      case 'resultsetadd': f.results.push(l[s.value]!); return NEXT;
      case 'with': {
        const old = l[s.local];
        l[s.local] = upsert(old, s.path, this.val(s.value, l));
        try {
          const r = this.execBlock(s.block, f);
          return r >= 0 ? r : NEXT;
        } finally {
          l[s.local] = old;
        }
      }
      case 'abort': throw new EvalError(s.code, s.message);
      case 'nop': return NEXT;
    }
  }

  private call(name: string, args: Value[]): Value | undefined {
    const fn = this.funcs.get(name);
    if (fn) {
      const locals: Locals = new Array(fn.locals).fill(undefined);
      fn.params.forEach((p, i) => { locals[p] = args[i]; });
      const frame: Frame = { locals, results: [], ret: undefined };
      for (const b of fn.blocks) {
        const r = this.execBlock(b, frame);
        if (r >= 0) break;
      }
      return frame.ret ?? locals[fn.result];
    }
    const override = this.options.builtins?.get(name);
    if (!override && name === 'time.now_ns') return this.nowNs;
    if (override) return override(args);
    const impl = BUILTIN_IMPLS.get(name);
    if (!impl) throw new EvalError('eval_builtin_error', `${name}: built-in not implemented by ir-eval`);
    try {
      return impl(args, name);
    } catch (err) {
      const builtinError = err instanceof EvalError && (err.code === 'eval_type_error' || err.code === 'eval_builtin_error');
      if (builtinError && !this.options.strictBuiltinErrors) return undefined;
      throw err;
    }
  }
}

interface Frame {
  locals: Locals;
  results: Value[];
  ret: Value | undefined;
}

function* iterate(v: Value | undefined): Generator<[Value, Value]> {
  if (Array.isArray(v)) { for (let i = 0; i < v.length; i++) yield [i, v[i]!]; return; }
  // Objects and sets iterate in key order (OPA's Wasm runtime keeps both sorted), so the order of
  // array comprehension results matches the Wasm module's.
  if (v instanceof RObject) { for (const [k, x] of sortedEntries(v)) yield [k, x]; return; }
  if (v instanceof RSet) { for (const x of sortValues(v.values())) yield [x, x]; }
}

function dot(src: Value, key: Value): Value | undefined {
  if (Array.isArray(src)) return typeof key === 'number' && Number.isInteger(key) ? src[key] : undefined;
  if (src instanceof RObject) return src.get(key);
  if (src instanceof RSet) return src.has(key) ? key : undefined;
  return undefined;
}

function merge(a: Value, b: Value): Value {
  if (!(a instanceof RObject) || !(b instanceof RObject)) return b;
  const out = new RObject();
  for (const [k, v] of a.entries.values()) out.set(k, v);
  for (const [k, v] of b.entries.values()) {
    const old = out.get(k);
    out.set(k, old !== undefined ? merge(old, v) : v);
  }
  return out;
}

/** A copy of doc with value at path (objects created along the way). */
function upsert(doc: Value | undefined, path: readonly string[], value: Value): Value {
  if (path.length === 0) return value;
  const out = new RObject();
  if (doc instanceof RObject) for (const [k, v] of doc.entries.values()) out.set(k, v);
  const [head, ...rest] = path as [string, ...string[]];
  out.set(head, upsert(out.get(head), rest, value));
  return out;
}
