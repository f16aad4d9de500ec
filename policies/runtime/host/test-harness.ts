// Test support: run one built-in call inside a real compiled policy module. The plan reads
// each argument from input[i] (or builds a set in the module), calls the built-in, and reports
// {"x": result}; the module is produced by the Wasm code generator and loaded by the opa-wasm
// SDK with hostBuiltins(), exactly as production policies are.
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import type { Operand, Plan, Stmt } from '../../compiler/ir.js';
import { BUILTINS } from '../../compiler/builtins.js';
import { createBuiltinRegistry, emitWasm, HOST_BUILTINS, RUNTIME_BUILTINS } from '../../compiler/wasm/index.js';
import { hostBuiltins, type HostBuiltinOptions } from './index.js';
import { FAMILY_HOST_BUILTINS, FAMILY_RUNTIME_BUILTINS } from './registry.js';

type Scalar = string | number | boolean | null;

/**
 * An argument: a JSON value (sent as input), or a collection built inside the module —
 * { set: [...] } or { array: [...] } whose members are scalars or such collections (sets cannot
 * arrive as JSON input).
 */
export type Arg = unknown | { set: Built[] } | { array: Built[] };
type Built = Scalar | { set: Built[] } | { array: Built[] };

function builtKind(a: unknown): 'set' | 'array' | undefined {
  if (typeof a !== 'object' || a === null || Array.isArray(a) || Object.keys(a).length !== 1) return undefined;
  if ('set' in a && Array.isArray((a as { set: unknown }).set)) return 'set';
  if ('array' in a && Array.isArray((a as { array: unknown }).array)) return 'array';
  return undefined;
}

function scalarOperand(v: Scalar): Operand {
  if (v === null) return { kind: 'null' };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'number') return { kind: 'number', value: String(v) };
  return { kind: 'string', value: v };
}

/** Statements that build `b` into a fresh local; returns the operand for it. */
function build(b: Built, stmts: Stmt[], alloc: () => number): Operand {
  const kind = builtKind(b);
  if (!kind) return scalarOperand(b as Scalar);
  const local = alloc();
  const members = kind === 'set' ? (b as { set: Built[] }).set : (b as { array: Built[] }).array;
  stmts.push(kind === 'set' ? { type: 'makeset', target: local } : { type: 'makearray', capacity: members.length, target: local });
  for (const m of members) {
    const value = build(m, stmts, alloc);
    stmts.push(kind === 'set' ? { type: 'setadd', value, set: local } : { type: 'arrayappend', value, array: local });
  }
  return { kind: 'local', local };
}

/** One plan "eval": x := name(args...) (or then(name(args...))), result set [{"x": x}]. */
export function callPlan(name: string, args: Arg[], then?: string): Plan {
  const decl = BUILTINS.get(name);
  if (!decl) throw new Error(`unknown built-in ${name}`);
  if (decl.arity !== args.length) throw new Error(`${name} takes ${decl.arity} arguments, got ${args.length}`);
  const stmts: Stmt[] = [];
  let next = 2;
  const alloc = () => next++;
  const operands: Operand[] = args.map((a, i) => {
    if (builtKind(a)) return build(a as Built, stmts, alloc);
    const local = alloc();
    stmts.push({ type: 'dot', source: { kind: 'local', local: 0 }, key: { kind: 'number', value: String(i) }, target: local });
    return { kind: 'local', local };
  });
  let result = alloc();
  stmts.push({ type: 'call', func: name, args: operands, result });
  if (then) {
    const inner = result;
    result = alloc();
    stmts.push({ type: 'call', func: then, args: [{ kind: 'local', local: inner }], result });
  }
  const obj = alloc();
  stmts.push(
    { type: 'makeobject', target: obj },
    { type: 'objectinsert', key: { kind: 'string', value: 'x' }, value: { kind: 'local', local: result }, object: obj },
    { type: 'resultsetadd', value: obj },
  );
  return { name: 'eval', blocks: [{ stmts }], locals: next };
}

const registry = createBuiltinRegistry(
  [...RUNTIME_BUILTINS, ...FAMILY_RUNTIME_BUILTINS],
  [...HOST_BUILTINS, ...FAMILY_HOST_BUILTINS],
);

const moduleCache = new Map<string, Uint8Array>();

function compiled(name: string, args: Arg[], strict: boolean, then?: string): Uint8Array {
  // Arguments only shape the plan through their count and which ones are sets.
  const shape = args.map((a) => (builtKind(a) ? JSON.stringify(a) : 'in')).join(',');
  const key = `${name}|${shape}|${strict}|${then ?? ''}`;
  let wasm = moduleCache.get(key);
  if (!wasm) {
    wasm = emitWasm({ plans: [callPlan(name, args, then)], funcs: [] }, { strictBuiltinErrors: strict, builtins: registry });
    moduleCache.set(key, wasm);
  }
  return wasm;
}

export interface CallOptions extends HostBuiltinOptions {
  strict?: boolean;
  /** A one-argument built-in applied to the result inside the module (e.g. "type_name"). */
  then?: string;
}

/** The built-in's result as the SDK reports it; undefined when the call is undefined. */
export async function callBuiltin(name: string, args: Arg[], opts: CallOptions = {}): Promise<unknown> {
  const policy = await loadPolicy(compiled(name, args, opts.strict ?? false, opts.then), undefined, hostBuiltins(opts));
  const input = args.map((a) => (builtKind(a) ? null : a));
  const rs = policy.evaluate(new TextEncoder().encode(JSON.stringify(input)).buffer as ArrayBuffer, 'eval') as Array<{ x: unknown }>;
  if (rs.length === 0) return undefined;
  return rs[0]!.x;
}

/**
 * OPA's error semantics for a failing call: undefined by default, an abort with `message` when
 * the module is compiled with strict built-in errors.
 */
export async function expectBuiltinError(name: string, args: Arg[], message: string, opts: CallOptions = {}): Promise<void> {
  const lenient = await callBuiltin(name, args, { ...opts, strict: false });
  if (lenient !== undefined) throw new Error(`${name}: expected undefined without strict errors, got ${JSON.stringify(lenient)}`);
  let thrown: unknown;
  try {
    await callBuiltin(name, args, { ...opts, strict: true });
  } catch (e) {
    thrown = e;
  }
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  if (thrown === undefined) throw new Error(`${name}: expected an error with strict errors, got a result`);
  if (!text.includes(message)) throw new Error(`${name}: expected error containing ${JSON.stringify(message)}, got ${JSON.stringify(text)}`);
}
