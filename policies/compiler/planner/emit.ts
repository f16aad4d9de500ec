// Statement emission shared by the planner's parts: the per-func planning context and small
// statement patterns (nested blocks, scans, assign-once with a conflict error, nested inserts).
import type { Block, Local, Operand, Stmt } from '../ir.js';
import type { Env } from './env.js';

export type Cont = () => void;
export type ValueCont = (op: Operand) => void;

/** Planning state of one plan or func: its locals, the statement list being filled, var bindings. */
export class Ctx {
  out: Stmt[] = [];
  scope = new Map<string, Local>();
  /** How many IR Blocks enclose the statements being emitted (for `break` indexes). */
  depth = 0;
  constructor(public nlocals: number, public env: Env) {}
  newLocal(): Local {
    return this.nlocals++;
  }
}

export const local = (l: Local): Operand => ({ kind: 'local', local: l });

export function toLocal(ctx: Ctx, op: Operand): Local {
  if (op.kind === 'local') return op.local;
  const l = ctx.newLocal();
  ctx.out.push({ type: 'assignvar', source: op, target: l });
  return l;
}

export function inBlock(ctx: Ctx, block: Block, f: () => void, extraDepth = 0): void {
  const saved = ctx.out;
  ctx.out = block.stmts;
  ctx.depth += 1 + extraDepth;
  try {
    f();
  } finally {
    ctx.out = saved;
    ctx.depth -= 1 + extraDepth;
  }
}

/**
 * Runs f inside a new nested block and hands it a function that emits a `break` leaving that
 * block from wherever the statements are being emitted (e.g. deep inside scans): used to stop
 * iterating once the answer is known (a negated expression found a solution).
 */
export function inExitableBlock(ctx: Ctx, f: (exit: () => void) => void): void {
  const level = ctx.depth + 1;
  inNewBlock(ctx, () => f(() => ctx.out.push({ type: 'break', index: ctx.depth - level })));
}

/** Runs f with statements going into a fresh nested block (a failure inside ends only it). */
export function inNewBlock(ctx: Ctx, f: () => void): void {
  const block: Block = { stmts: [] };
  ctx.out.push({ type: 'block', blocks: [block] });
  inBlock(ctx, block, f);
}

export function scan(ctx: Ctx, op: Operand, body: (key: Local, value: Local) => void): void {
  const source = toLocal(ctx, op);
  const key = ctx.newLocal();
  const value = ctx.newLocal();
  const block: Block = { stmts: [] };
  ctx.out.push({ type: 'scan', source, key, value, block });
  inBlock(ctx, block, () => body(key, value));
}

export function dots(ctx: Ctx, op: Operand, path: readonly string[], k: ValueCont): void {
  let cur = op;
  for (const p of path) {
    const l = ctx.newLocal();
    ctx.out.push({ type: 'dot', source: cur, key: { kind: 'string', value: p }, target: l });
    cur = local(l);
  }
  k(cur);
}

/** target := v, or eval_conflict_error(msg) when target already holds a different value. */
export function assignOnce(ctx: Ctx, target: Local, v: Operand, msg: string): void {
  ctx.out.push({
    type: 'block',
    blocks: [{
      stmts: [
        {
          type: 'block',
          blocks: [
            { stmts: [{ type: 'isdefined', source: target }, { type: 'equal', a: local(target), b: v }, { type: 'break', index: 1 }] },
            { stmts: [{ type: 'isdefined', source: target }, { type: 'abort', code: 'eval_conflict_error', message: msg }] },
          ],
        },
        { type: 'assignvar', source: v, target },
      ],
    }],
  });
}

/** Walks/creates nested objects below obj along keys; the last level is an object or a set. */
export function ensureAt(ctx: Ctx, obj: Local, keys: Operand[], leaf: 'object' | 'set'): Local {
  let cur = obj;
  keys.forEach((key, i) => {
    const next = ctx.newLocal();
    const make: Stmt = i === keys.length - 1 && leaf === 'set' ? { type: 'makeset', target: next } : { type: 'makeobject', target: next };
    ctx.out.push({ type: 'resetlocal', target: next });
    ctx.out.push({
      type: 'block',
      blocks: [
        { stmts: [{ type: 'dot', source: local(cur), key, target: next }] },
        { stmts: [{ type: 'isundefined', source: next }, make, { type: 'objectinsert', key, value: local(next), object: cur }] },
      ],
    });
    cur = next;
  });
  return cur;
}
