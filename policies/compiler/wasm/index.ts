// The Wasm back end: plan IR (../ir.ts) → a module the unmodified opa-wasm SDK loads.
// The runtime (policies/runtime, AssemblyScript) is read into binaryen; the policy's plans and
// functions are added next to it, calls to built-ins are linked to runtime exports or host
// imports, the entry hooks (policy.eval, builtins, entrypoints) are generated, every non-ABI
// export is dropped, and binaryen validates and optimises the result.
import binaryen from 'binaryen';
import type { Func, Policy } from '../ir.js';
import { ConstantPool } from './constants.js';
import { BodyCompiler, type CallTarget, type RuntimeHelpers, type StatementContext } from './statements.js';
import { createBuiltinRegistry, type BuiltinRegistry } from './builtin-registry.js';
import { loadRuntimeWasm } from './runtime-loader.js';

export { createBuiltinRegistry, RUNTIME_BUILTINS, HOST_BUILTINS } from './builtin-registry.js';

export interface EmitOptions {
  /** Built-in errors abort with eval_builtin_error instead of making the call undefined. */
  strictBuiltinErrors?: boolean;
  /** Override the built-in registry (tests, custom host built-ins). */
  builtins?: BuiltinRegistry;
  /** Override the runtime module bytes (default: policies/runtime/build/runtime.wasm). */
  runtimeWasm?: Uint8Array;
  /** Run binaryen's optimiser (default true). */
  optimize?: boolean;
}

/** Thrown when the policy calls built-ins this target does not implement. */
export class UnsupportedBuiltinsError extends Error {
  constructor(readonly names: string[]) {
    super(`unsupported built-in function${names.length === 1 ? '' : 's'}: ${names.join(', ')}`);
    this.name = 'UnsupportedBuiltinsError';
  }
}

/** Exports the opa-wasm SDK (or OPA's ABI) uses; everything else the runtime exports is removed. */
const ABI_EXPORTS = new Set([
  'opa_wasm_abi_version', 'opa_wasm_abi_minor_version', 'builtins', 'entrypoints', 'opa_malloc',
  'opa_free', 'opa_json_parse', 'opa_json_dump',
  'opa_heap_ptr_get', 'opa_heap_ptr_set', 'opa_eval_ctx_new', 'opa_eval_ctx_set_input',
  'opa_eval_ctx_set_data', 'opa_eval_ctx_set_entrypoint', 'opa_eval_ctx_get_result', 'eval', 'opa_eval',
]);

const CONFLICT_RULE = 'eval_conflict_error: complete rules must not produce multiple outputs';
const CONFLICT_FUNCTION = 'eval_conflict_error: functions must not produce multiple outputs for same inputs';

const i32 = binaryen.i32;

export function emitWasm(policy: Policy, opts: EmitOptions = {}): Uint8Array {
  const registry = opts.builtins ?? createBuiltinRegistry();
  checkBuiltins(policy, registry);

  const module = binaryen.readBinary(opts.runtimeWasm ?? loadRuntimeWasm());
  try {
    module.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.BulkMemory
      | binaryen.Features.BulkMemoryOpt | binaryen.Features.SignExt | binaryen.Features.NontrappingFPToInt);
    return link(module, policy, registry, opts);
  } finally {
    module.dispose();
  }
}

function checkBuiltins(policy: Policy, registry: BuiltinRegistry): void {
  const funcNames = new Set(policy.funcs.map((f) => f.name));
  const missing = new Set<string>();
  const visit = (stmts: import('../ir.js').Stmt[]): void => {
    for (const s of stmts) {
      if (s.type === 'call' && !funcNames.has(s.func) && !registry.resolve(s.func)) missing.add(s.func);
      if (s.type === 'block') s.blocks.forEach((b) => visit(b.stmts));
      if (s.type === 'scan' || s.type === 'not' || s.type === 'with') visit(s.block.stmts);
    }
  };
  for (const body of [...policy.plans, ...policy.funcs]) body.blocks.forEach((b) => visit(b.stmts));
  if (missing.size) throw new UnsupportedBuiltinsError([...missing].sort());
}

/** Internal name of a runtime export (throws when the runtime lacks it). */
function runtimeFunction(module: binaryen.Module, exportName: string): string {
  const ref = module.getExport(exportName);
  if (!ref) throw new Error(`runtime does not export ${exportName} (rebuild it: npm run build:runtime)`);
  return binaryen.getExportInfo(ref).value;
}

function runtimeHelpers(module: binaryen.Module): RuntimeHelpers {
  const f = (n: string) => runtimeFunction(module, n);
  return {
    makeArray: f('rt_make_array'), makeObject: f('rt_make_object'), makeSet: f('rt_make_set'),
    makeNumber: f('rt_make_number'), arrayAppend: f('rt_array_append'), equal: f('rt_equal'),
    objectInsert: f('rt_object_insert'), objectInsertOnce: f('rt_object_insert_once'), setAdd: f('rt_set_add'),
    dot: f('rt_dot'), length: f('rt_length'), iterCount: f('rt_iter_count'), iterKey: f('rt_iter_key'),
    iterValue: f('rt_iter_value'), objectMerge: f('rt_object_merge'), upsert: f('rt_upsert'),
    abortValue: f('rt_abort_value'),
  };
}

function findImport(module: binaryen.Module, mod: string, base: string): string | undefined {
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
    if (info.module === mod && info.base === base) return info.name;
  }
  return undefined;
}

function link(module: binaryen.Module, policy: Policy, registry: BuiltinRegistry, opts: EmitOptions): Uint8Array {
  const rt = runtimeHelpers(module);
  const constants = new ConstantPool(module);
  const epoch = 'policy$epoch';
  const resultSet = 'policy$result_set';
  module.addGlobal(epoch, i32, true, module.i32.const(0));
  module.addGlobal(resultSet, i32, true, module.i32.const(0));

  // --- call targets: policy functions (memoised when they take only input and data), built-ins
  const funcNames = new Map<string, Func>(policy.funcs.map((f) => [f.name, f]));
  const hostIds = new Map<string, number>();
  // Host built-ins report errors as marker values (policies/runtime/host); the runtime maps them
  // to OPA's behaviour (undefined, or an abort under strict built-in errors).
  const hostFilter = module.getExport('rt_host_result') ? runtimeFunction(module, 'rt_host_result') : undefined;
  const hostImports = new Set<number>();
  const resolveCall = (name: string): CallTarget => {
    const fn = funcNames.get(name);
    if (fn) return { kind: 'func', wasmName: fn.params.length === 2 ? memoName(name) : funcName(name), arity: fn.params.length };
    const b = registry.resolve(name);
    if (!b) throw new UnsupportedBuiltinsError([name]);
    const arity = b.arity;
    if (b.kind === 'runtime') return { kind: 'runtime', wasmName: runtimeFunction(module, b.exportName), arity };
    let id = hostIds.get(name);
    if (id === undefined) {
      id = hostIds.size;
      hostIds.set(name, id);
    }
    if (arity > 4) throw new Error(`host built-in ${name} takes ${arity} arguments; the ABI allows at most 4`);
    hostImports.add(arity);
    return { kind: 'host', importName: `opa_builtin${arity}`, id, arity, ...(hostFilter ? { filter: hostFilter } : {}) };
  };

  const context = (conflictMessage: string): StatementContext => ({
    module, constants, rt, resolveCall, resultSetGlobal: resultSet, conflictMessage,
  });

  // --- functions
  for (const fn of policy.funcs) {
    const body = new BodyCompiler(context(fn.params.length > 2 ? CONFLICT_FUNCTION : CONFLICT_RULE), fn.params, fn.locals);
    body.resultLocal = fn.result;
    const code = body.blocks(fn.blocks);
    const ret = module.return(module.local.get(body.local(fn.result), i32));
    const params = binaryen.createType(fn.params.map(() => i32));
    module.addFunction(funcName(fn.name), params, i32, body.vars, module.block(null, [code, ret], binaryen.none));
    if (fn.params.length === 2) addMemoWrapper(module, fn.name, epoch);
  }

  // --- plans: (input, data) → results added to the result set
  policy.plans.forEach((plan, id) => {
    const body = new BodyCompiler(context(CONFLICT_RULE), [0, 1], plan.locals);
    const code = body.blocks(plan.blocks);
    module.addFunction(planName(id), binaryen.createType([i32, i32]), binaryen.none, body.vars, code);
  });

  // --- host built-in imports
  for (const arity of [...hostImports].sort()) {
    module.addFunctionImport(`opa_builtin${arity}`, 'env', `opa_builtin${arity}`,
      binaryen.createType(new Array(arity + 2).fill(i32)), i32);
  }

  // --- policy.eval: dispatch an entrypoint id to its plan, return the result set
  const evalImport = findImport(module, 'policy', 'eval');
  if (!evalImport) throw new Error('runtime lacks the policy.eval hook');
  module.removeFunction(evalImport);
  const strictFn = runtimeFunction(module, 'rt_set_strict_builtin_errors');
  const makeSet = rt.makeSet;
  const dispatch = policy.plans.map((_, id) =>
    module.if(
      module.i32.eq(module.local.get(0, i32), module.i32.const(id)),
      module.call(planName(id), [module.local.get(1, i32), module.local.get(2, i32)], binaryen.none),
    ));
  module.addFunction(evalImport, binaryen.createType([i32, i32, i32]), i32, [], module.block(null, [
    module.call(strictFn, [module.i32.const(opts.strictBuiltinErrors ? 1 : 0)], binaryen.none),
    module.global.set(epoch, module.i32.add(module.global.get(epoch, i32), module.i32.const(1))),
    module.global.set(resultSet, module.call(makeSet, [], i32)),
    ...dispatch,
    module.return(module.global.get(resultSet, i32)),
  ], binaryen.none));

  // --- builtins() and entrypoints(): JSON tables parsed on demand
  const parseString = runtimeFunction(module, 'rt_parse_json_string');
  const table = (name: string, value: Record<string, number>) => {
    module.addFunction(name, binaryen.none, i32, [],
      module.call(parseString, [constants.string(JSON.stringify(value))], i32));
    module.addFunctionExport(name, name);
  };
  table('policy$builtins', Object.fromEntries(hostIds));
  table('policy$entrypoints', Object.fromEntries(policy.plans.map((p, id) => [p.name, id])));
  renameExport(module, 'policy$builtins', 'builtins');
  renameExport(module, 'policy$entrypoints', 'entrypoints');

  // --- start: the runtime's own initialiser, then every constant
  const asStart = runtimeFunction(module, '_start');
  const constInit = constants.initializer({
    makeNull: runtimeFunction(module, 'rt_make_null'), makeBool: runtimeFunction(module, 'rt_make_bool'),
    makeNumber: rt.makeNumber, makeNumberText: runtimeFunction(module, 'rt_make_number_text'), allocString: runtimeFunction(module, 'rt_alloc_string'),
    makeArray: rt.makeArray, arrayAppend: rt.arrayAppend,
  }, 0);
  const start = module.addFunction('policy$start', binaryen.none, binaryen.none, [i32],
    module.block(null, [module.call(asStart, [], binaryen.none), ...constInit], binaryen.none));
  module.setStart(start);

  // --- keep only the ABI exports
  const exportNames: string[] = [];
  for (let i = 0; i < module.getNumExports(); i++) exportNames.push(binaryen.getExportInfo(module.getExportByIndex(i)).name);
  for (const name of exportNames) if (!ABI_EXPORTS.has(name)) module.removeExport(name);

  if (!module.validate()) throw new Error('internal error: generated module does not validate');
  if (opts.optimize !== false) optimizeModule(module);
  return module.emitBinary();
}

function renameExport(module: binaryen.Module, from: string, to: string): void {
  const info = binaryen.getExportInfo(module.getExport(from));
  module.removeExport(from);
  module.addFunctionExport(info.value, to);
}

function funcName(name: string): string {
  return `func$${name}`;
}

function memoName(name: string): string {
  return `memo$${name}`;
}

function planName(id: number): string {
  return `plan$${id}`;
}

/**
 * memo$f(input, data): f's value is computed once per evaluation for the same input and data
 * pointers (the epoch changes with every evaluation, so a reset heap never leaks old results).
 */
function addMemoWrapper(module: binaryen.Module, name: string, epoch: string): void {
  const g = (suffix: string) => `memo$${name}$${suffix}`;
  for (const s of ['epoch', 'input', 'data', 'value']) module.addGlobal(g(s), i32, true, module.i32.const(0));
  const input = module.local.get(0, i32);
  const hit = module.i32.and(
    module.i32.eq(module.global.get(g('epoch'), i32), module.global.get(epoch, i32)),
    module.i32.and(
      module.i32.eq(module.global.get(g('input'), i32), input),
      module.i32.eq(module.global.get(g('data'), i32), module.local.get(1, i32)),
    ),
  );
  module.addFunction(memoName(name), binaryen.createType([i32, i32]), i32, [], module.block(null, [
    module.if(hit, module.return(module.global.get(g('value'), i32))),
    module.global.set(g('value'), module.call(funcName(name), [module.local.get(0, i32), module.local.get(1, i32)], i32)),
    module.global.set(g('epoch'), module.global.get(epoch, i32)),
    module.global.set(g('input'), module.local.get(0, i32)),
    module.global.set(g('data'), module.local.get(1, i32)),
    module.return(module.global.get(g('value'), i32)),
  ], binaryen.none));
}

/** binaryen's optimiser levels are process-global settings: set them for this run only. */
function optimizeModule(module: binaryen.Module): void {
  const level = binaryen.getOptimizeLevel();
  const shrink = binaryen.getShrinkLevel();
  try {
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(1);
    module.optimize();
  } finally {
    binaryen.setOptimizeLevel(level);
    binaryen.setShrinkLevel(shrink);
  }
}
