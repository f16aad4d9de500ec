// Which built-ins a compiled policy can call, and where each one lives: inside the module (a
// b_* function of the AssemblyScript runtime, policies/runtime/assembly/builtins/) or on the
// host (called through env.opa_builtinN and dispatched by the opa-wasm SDK, which implements
// some itself and takes the rest as `customBuiltins`). See policies/runtime/VALUES.md.
import { BUILTINS } from '../builtins.js';
import { FAMILY_HOST_BUILTINS, FAMILY_RUNTIME_BUILTINS } from '../../runtime/host/registry.js';

/** Built-ins implemented by the runtime; the export is b_<name with "." replaced by "_">. */
export const RUNTIME_BUILTINS: readonly string[] = [
  // operators
  'eq', 'equal', 'neq', 'lt', 'lte', 'gt', 'gte', 'plus', 'minus', 'mul', 'div', 'rem', 'and', 'or',
  'internal.member_2', 'internal.member_3', 'set_diff', 'print', 'trace',
  // aggregates
  'count', 'sum', 'product', 'max', 'min', 'sort',
  // numbers / conversions
  'abs', 'round', 'ceil', 'floor', 'numbers.range', 'numbers.range_step', 'to_number', 'format_int',
  // types
  'is_number', 'is_string', 'is_boolean', 'is_array', 'is_set', 'is_object', 'is_null', 'type_name',
  // bits
  'bits.and', 'bits.or', 'bits.xor', 'bits.negate', 'bits.lsh', 'bits.rsh',
  // arrays, objects, sets
  'array.concat', 'array.slice', 'array.reverse',
  'object.get', 'object.keys', 'object.remove', 'object.union', 'object.union_n', 'object.filter',
  'union', 'intersection', 'walk', 'object.subset', 'graph.reachable', 'graph.reachable_paths',
  // strings
  'concat', 'contains', 'startswith', 'endswith', 'lower', 'upper', 'split', 'replace',
  'trim', 'trim_left', 'trim_right', 'trim_prefix', 'trim_suffix', 'trim_space', 'substring', 'indexof',
  // further families (strings_ext, encoding, ...) registered by policies/runtime/host/registry.ts
  ...FAMILY_RUNTIME_BUILTINS,
];

/**
 * Built-ins evaluated by the host. The opa-wasm SDK implements these itself; anything else
 * listed here must be passed to loadPolicy() as a custom built-in.
 */
export const HOST_BUILTINS: readonly string[] = [...new Set([
  // implemented by the SDK itself
  'sprintf', 'json.is_valid', 'regex.split', 'yaml.marshal', 'yaml.unmarshal', 'yaml.is_valid',
  // implemented by policies/runtime/host (pass its hostBuiltins() to loadPolicy)
  ...FAMILY_HOST_BUILTINS,
])];

/** Runtime function names whose Rego name differs from the b_<name> convention. */
const EXPORT_ALIASES: Readonly<Record<string, string>> = {
  eq: 'b_equal', // `eq` called as a function (not unification) is an equality test
};

export type BuiltinTarget =
  | { kind: 'runtime'; name: string; arity: number; exportName: string }
  | { kind: 'host'; name: string; arity: number };

export interface BuiltinRegistry {
  resolve(name: string): BuiltinTarget | undefined;
}

export function runtimeExportName(name: string): string {
  return EXPORT_ALIASES[name] ?? `b_${name.replace(/\./g, '_')}`;
}

/** A host built-in outside policies/compiler/builtins.ts (a Junction extension) with its arity. */
export interface CustomHostBuiltin {
  name: string;
  arity: number;
}

/**
 * The registry for the given lists (defaults: the lists above). Names must be known built-ins
 * (policies/compiler/builtins.ts) unless given with their arity.
 */
export function createBuiltinRegistry(
  runtime: readonly string[] = RUNTIME_BUILTINS,
  host: ReadonlyArray<string | CustomHostBuiltin> = HOST_BUILTINS,
): BuiltinRegistry {
  const table = new Map<string, BuiltinTarget>();
  for (const entry of host) {
    const name = typeof entry === 'string' ? entry : entry.name;
    const arity = typeof entry === 'string' ? BUILTINS.get(name)?.arity : entry.arity;
    if (arity === undefined) throw new Error(`host built-in ${name} is not a known built-in; give its arity`);
    table.set(name, { kind: 'host', name, arity });
  }
  for (const name of runtime) {
    const decl = BUILTINS.get(name);
    if (!decl) throw new Error(`runtime built-in ${name} is not a known built-in`);
    table.set(name, { kind: 'runtime', name, arity: decl.arity, exportName: runtimeExportName(name) });
  }
  return { resolve: (name) => table.get(name) };
}

/** Every built-in a policy may call by name (operators excluded), sorted: what the README lists. */
export function supportedBuiltinNames(): string[] {
  return [...new Set([...RUNTIME_BUILTINS, ...HOST_BUILTINS])].filter((n) => !BUILTINS.get(n)?.infix).sort();
}
