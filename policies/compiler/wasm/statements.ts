// Compiles the statements of one plan or function into a binaryen expression tree.
// Every IR Block becomes a labelled wasm `block`; a failing statement branches to the end of its
// innermost Block. `with` saves the replaced local and restores it on every way out of its block
// (falling through, failing, or a `break` that leaves it).
import binaryen from 'binaryen';
import type { Block, Local, Operand, Stmt } from '../ir.js';
import type { ConstantPool } from './constants.js';

const i32 = binaryen.i32;

/** Runtime helper functions by internal name (see policies/runtime/assembly/rt-exports.ts). */
export interface RuntimeHelpers {
  makeArray: string;
  makeObject: string;
  makeSet: string;
  makeNumber: string;
  arrayAppend: string;
  equal: string;
  objectInsert: string;
  objectInsertOnce: string;
  setAdd: string;
  dot: string;
  length: string;
  iterCount: string;
  iterKey: string;
  iterValue: string;
  objectMerge: string;
  upsert: string;
  abortValue: string;
}

/** How a `call` statement reaches its target. */
export type CallTarget =
  | { kind: 'func'; wasmName: string; arity: number }
  | { kind: 'runtime'; wasmName: string; arity: number }
  /** filter: a runtime function every host result passes through (error markers → OPA errors). */
  | { kind: 'host'; importName: string; id: number; arity: number; filter?: string };

export interface StatementContext {
  module: binaryen.Module;
  constants: ConstantPool;
  rt: RuntimeHelpers;
  resolveCall(name: string): CallTarget;
  /** Global holding the result set of the running evaluation. */
  resultSetGlobal: string;
  /** Message for assignvaronce conflicts in this body. */
  conflictMessage: string;
}

type Frame =
  | { kind: 'block'; label: string }
  | { kind: 'with'; local: number; saved: number };

/** Compiles one body; owns the wasm local numbering of that body. */
export class BodyCompiler {
  /** The IR local a returnlocal writes (functions only). */
  resultLocal: Local | undefined;
  private readonly frames: Frame[] = [];
  private readonly localIndex: number[];
  private readonly varTypes: binaryen.Type[] = [];
  private readonly paramCount: number;
  private labelCounter = 0;

  /**
   * params: IR locals passed as wasm params, in order. irLocals: the body's local count. Every
   * other IR local becomes a wasm var.
   */
  constructor(private readonly ctx: StatementContext, params: Local[], irLocals: number) {
    const count = Math.max(irLocals, ...params.map((p) => p + 1), 2);
    this.localIndex = new Array<number>(count).fill(-1);
    params.forEach((p, i) => {
      this.localIndex[p] = i;
    });
    this.paramCount = params.length;
    for (let l = 0; l < count; l++) {
      if (this.localIndex[l] === -1) this.localIndex[l] = this.newTemp();
    }
  }

  /** Types of the wasm vars (non-param locals) allocated so far. */
  get vars(): binaryen.Type[] {
    return this.varTypes;
  }

  newTemp(type: binaryen.Type = i32): number {
    this.varTypes.push(type);
    return this.paramCount + this.varTypes.length - 1;
  }

  /** The wasm local index of an IR local. */
  local(l: Local): number {
    const idx = this.localIndex[l];
    if (idx === undefined) throw new Error(`local ${l} is out of range (body declares ${this.localIndex.length})`);
    return idx;
  }

  private get m(): binaryen.Module {
    return this.ctx.module;
  }

  private get(l: Local): binaryen.ExpressionRef {
    return this.m.local.get(this.local(l), i32);
  }

  private set(l: Local, value: binaryen.ExpressionRef): binaryen.ExpressionRef {
    return this.m.local.set(this.local(l), value);
  }

  operand(op: Operand): binaryen.ExpressionRef {
    const c = this.ctx.constants;
    switch (op.kind) {
      case 'local': return this.get(op.local);
      case 'bool': return c.bool(op.value);
      case 'string': return c.string(op.value);
      case 'number': return c.number(op.value);
      case 'null': return c.null();
    }
  }

  /** A sequence of IR blocks run one after another (plan/func bodies, `block` statements). */
  blocks(blocks: Block[]): binaryen.ExpressionRef {
    return this.m.block(null, blocks.map((b) => this.block(b)), binaryen.none);
  }

  /** One IR Block: a labelled wasm block; failures inside branch to its end. */
  block(b: Block, prefix: binaryen.ExpressionRef[] = []): binaryen.ExpressionRef {
    const label = `B${this.labelCounter++}`;
    this.frames.push({ kind: 'block', label });
    const body = [...prefix, ...b.stmts.map((s) => this.stmt(s))];
    this.frames.pop();
    return this.m.block(label, body.length ? body : [this.m.nop()], binaryen.none);
  }

  /** Leave the index-th enclosing Block, restoring locals of every `with` left on the way. */
  private breakOut(index: number): binaryen.ExpressionRef {
    const restores: binaryen.ExpressionRef[] = [];
    let remaining = index;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i]!;
      if (f.kind === 'with') {
        restores.push(this.m.local.set(f.local, this.m.local.get(f.saved, i32)));
        continue;
      }
      if (remaining === 0) {
        const br = this.m.br(f.label);
        return restores.length ? this.m.block(null, [...restores, br], binaryen.none) : br;
      }
      remaining--;
    }
    throw new Error(`break ${index} leaves more blocks than enclose it`);
  }

  /** Fail (leave the innermost Block) when cond is non-zero. */
  private failIf(cond: binaryen.ExpressionRef): binaryen.ExpressionRef {
    return this.m.if(cond, this.breakOut(0));
  }

  /** target := value unless value is undefined (0), in which case fail. */
  private assignDefined(target: Local, value: binaryen.ExpressionRef): binaryen.ExpressionRef {
    const tmp = this.newTemp();
    return this.m.block(null, [
      this.m.local.set(tmp, value),
      this.failIf(this.m.i32.eqz(this.m.local.get(tmp, i32))),
      this.set(target, this.m.local.get(tmp, i32)),
    ], binaryen.none);
  }

  private tagIs(op: Operand, tag: number): binaryen.ExpressionRef {
    return this.m.i32.eq(this.m.i32.load8_u(0, 1, this.operand(op)), this.m.i32.const(tag));
  }

  stmt(s: Stmt): binaryen.ExpressionRef {
    const m = this.m;
    const rt = this.ctx.rt;
    switch (s.type) {
      case 'block':
        return this.blocks(s.blocks);
      case 'break':
        return this.breakOut(s.index);
      case 'scan':
        return this.scan(s.source, s.key, s.value, s.block);
      case 'not': {
        // Inner block completes → the `not` fails (leave the enclosing Block = index 1 from
        // inside); inner block fails → continue after it.
        const label = `N${this.labelCounter++}`;
        this.frames.push({ kind: 'block', label });
        const body = s.block.stmts.map((x) => this.stmt(x));
        body.push(this.breakOut(1));
        this.frames.pop();
        return m.block(label, body, binaryen.none);
      }
      case 'isdefined':
        return this.failIf(m.i32.eqz(this.get(s.source)));
      case 'isundefined':
        return this.failIf(m.i32.ne(this.get(s.source), m.i32.const(0)));
      case 'isarray':
        return this.failIf(m.i32.eqz(this.tagIs(s.source, 5)));
      case 'isobject':
        return this.failIf(m.i32.eqz(this.tagIs(s.source, 6)));
      case 'isset':
        return this.failIf(m.i32.eqz(this.tagIs(s.source, 7)));
      case 'assignvar':
        return this.set(s.target, this.operand(s.source));
      case 'assignvaronce':
        return m.if(
          m.i32.eqz(this.get(s.target)),
          this.set(s.target, this.operand(s.source)),
          m.if(
            m.i32.eqz(m.call(rt.equal, [this.get(s.target), this.operand(s.source)], i32)),
            m.call(rt.abortValue, [this.ctx.constants.string(this.ctx.conflictMessage)], binaryen.none),
          ),
        );
      case 'resetlocal':
        return this.set(s.target, m.i32.const(0));
      case 'dot':
        return this.assignDefined(s.target, m.call(rt.dot, [this.operand(s.source), this.operand(s.key)], i32));
      case 'len': {
        const n = this.newTemp();
        return m.block(null, [
          m.local.set(n, m.call(rt.length, [this.operand(s.source)], i32)),
          this.failIf(m.i32.lt_s(m.local.get(n, i32), m.i32.const(0))),
          this.set(s.target, m.call(rt.makeNumber, [m.f64.convert_s.i32(m.local.get(n, i32))], i32)),
        ], binaryen.none);
      }
      case 'equal':
        return this.failIf(m.i32.eqz(m.call(rt.equal, [this.operand(s.a), this.operand(s.b)], i32)));
      case 'notequal':
        return this.failIf(m.call(rt.equal, [this.operand(s.a), this.operand(s.b)], i32));
      case 'call':
        return this.assignDefined(s.result, this.call(s.func, s.args));
      case 'makenull':
        return this.set(s.target, this.ctx.constants.null());
      case 'makenumber':
        return this.set(s.target, this.ctx.constants.number(s.value));
      case 'makearray':
        return this.set(s.target, m.call(rt.makeArray, [m.i32.const(Math.max(0, s.capacity | 0))], i32));
      case 'makeobject':
        return this.set(s.target, m.call(rt.makeObject, [], i32));
      case 'makeset':
        return this.set(s.target, m.call(rt.makeSet, [], i32));
      case 'arrayappend':
        return m.call(rt.arrayAppend, [this.get(s.array), this.operand(s.value)], binaryen.none);
      case 'objectinsert':
        return m.call(rt.objectInsert, [this.get(s.object), this.operand(s.key), this.operand(s.value)], binaryen.none);
      case 'objectinsertonce':
        return m.call(rt.objectInsertOnce, [this.get(s.object), this.operand(s.key), this.operand(s.value)], binaryen.none);
      case 'objectmerge':
        return this.set(s.target, m.call(rt.objectMerge, [this.get(s.a), this.get(s.b)], i32));
      case 'setadd':
        return m.call(rt.setAdd, [this.get(s.set), this.operand(s.value)], binaryen.none);
      case 'returnlocal':
        // The function returns its result local after the body (see emitWasm).
        if (this.resultLocal === undefined || this.resultLocal === s.source) return m.nop();
        return this.set(this.resultLocal, this.get(s.source));
      case 'resultsetadd':
        return m.call(rt.setAdd, [m.global.get(this.ctx.resultSetGlobal, i32), this.get(s.value)], binaryen.none);
      case 'with':
        return this.with(s.local, s.path, s.value, s.block);
      case 'abort':
        return m.call(rt.abortValue, [this.ctx.constants.string(`${s.code}: ${s.message}`)], binaryen.none);
      case 'nop':
        return m.nop();
    }
  }

  private call(name: string, args: Operand[]): binaryen.ExpressionRef {
    const m = this.m;
    const target = this.ctx.resolveCall(name);
    if (args.length !== target.arity) {
      throw new Error(`call to ${name} passes ${args.length} arguments, expected ${target.arity}`);
    }
    const ops = args.map((a) => this.operand(a));
    switch (target.kind) {
      case 'func':
      case 'runtime':
        return m.call(target.wasmName, ops, i32);
      case 'host': {
        const raw = m.call(target.importName, [m.i32.const(target.id), m.i32.const(0), ...ops], i32);
        return target.filter ? m.call(target.filter, [raw], i32) : raw;
      }
    }
  }

  private scan(source: Local, key: Local, value: Local, body: Block): binaryen.ExpressionRef {
    const m = this.m;
    const rt = this.ctx.rt;
    const n = this.newTemp();
    const i = this.newTemp();
    const coll = this.newTemp();
    const id = this.labelCounter++;
    const exit = `S${id}_exit`;
    const loop = `S${id}_loop`;
    const inner = this.block(body, [
      this.set(key, m.call(rt.iterKey, [m.local.get(coll, i32), m.local.get(i, i32)], i32)),
      this.set(value, m.call(rt.iterValue, [m.local.get(coll, i32), m.local.get(i, i32)], i32)),
    ]);
    return m.block(exit, [
      m.local.set(coll, this.get(source)),
      m.local.set(n, m.call(rt.iterCount, [m.local.get(coll, i32)], i32)),
      m.local.set(i, m.i32.const(0)),
      m.loop(loop, m.block(null, [
        m.br(exit, m.i32.ge_u(m.local.get(i, i32), m.local.get(n, i32))),
        inner,
        m.local.set(i, m.i32.add(m.local.get(i, i32), m.i32.const(1))),
        m.br(loop),
      ], binaryen.none)),
    ], binaryen.none);
  }

  private with(local: Local, path: string[], value: Operand, body: Block): binaryen.ExpressionRef {
    const m = this.m;
    const target = this.local(local);
    const saved = this.newTemp();
    const replacement = path.length === 0
      ? this.operand(value)
      : m.call(this.ctx.rt.upsert, [m.local.get(target, i32), this.ctx.constants.strings(path), this.operand(value)], i32);
    this.frames.push({ kind: 'with', local: target, saved });
    const inner = this.block(body);
    this.frames.pop();
    return m.block(null, [
      m.local.set(saved, m.local.get(target, i32)),
      m.local.set(target, replacement),
      inner,
      m.local.set(target, m.local.get(saved, i32)),
    ], binaryen.none);
  }
}
