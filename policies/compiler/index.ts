// The compiler's front door: Rego source files in, a Wasm module the opa-wasm SDK loads out.
// parse → compile passes + plan (planner) → Wasm (codegen), with every error of every file
// collected before giving up, so an author sees all of them at once.
import type { Body, Location, Module, Term } from './ast.js';
import { RegoCompileErrors, type RegoError } from './errors.js';
import { parseModule, parseQuery } from './parser/index.js';
import { planPolicy, type EntrypointSpec } from './planner/index.js';
import { emitWasm, UnsupportedBuiltinsError } from './wasm/index.js';

export { RegoCompileErrors, formatError, formatErrors, type RegoError } from './errors.js';

export interface PolicySource {
  /** Shown in error messages, e.g. "policies/rego/entitlement.rego". */
  file: string;
  source: string;
}

export interface QueryEntrypoint {
  name: string;
  query: string;
}

export interface CompileOptions {
  /** Rule or package paths, "telco/entitlement/allow" or "data.telco.entitlement.allow". */
  entrypoints: string[];
  /** Ad-hoc queries (`data.x.p = y`) compiled as extra entrypoints whose results are bindings. */
  queries?: QueryEntrypoint[];
  /** Built-in errors raise eval_builtin_error instead of making the expression undefined. */
  strictBuiltinErrors?: boolean;
  /** Run binaryen's optimizer over the module (default true; off compiles ~4x faster). */
  optimize?: boolean;
}

export interface CompiledPolicy {
  wasm: Uint8Array;
  /** Entrypoint names in id order, as the module's `entrypoints()` maps them. */
  entrypoints: string[];
}

/** Normalise "data.a.b", "a.b" or "a/b" to the path segments below data. */
export function entrypointPath(entrypoint: string): string[] {
  const trimmed = entrypoint.trim();
  const parts = trimmed.includes('/') ? trimmed.split('/') : trimmed.split('.');
  const path = parts[0] === 'data' ? parts.slice(1) : parts;
  if (path.length === 0 || path.some((p) => p === '')) {
    throw new Error(`invalid entrypoint "${entrypoint}": expected a path like "pkg/rule" or "data.pkg.rule"`);
  }
  return path;
}

/** Entrypoint name as OPA's SDK addresses it: path segments joined by "/". */
export function entrypointName(entrypoint: string): string {
  return entrypointPath(entrypoint).join('/');
}

/** Parse every file; throws one RegoCompileErrors with the errors of all files. */
export function parseSources(sources: PolicySource[]): Module[] {
  const errors: RegoError[] = [];
  const modules: Module[] = [];
  for (const { file, source } of sources) {
    try {
      modules.push(parseModule(source, file));
    } catch (err) {
      if (err instanceof RegoCompileErrors) errors.push(...err.errors);
      else throw err;
    }
  }
  if (errors.length > 0) throw new RegoCompileErrors(errors, sourceMap(sources));
  return modules;
}

export function sourceMap(sources: PolicySource[]): Map<string, string> {
  return new Map(sources.map((s) => [s.file, s.source]));
}

/** Parse and compile, reporting every error found; returns the module's plan without emitting Wasm. */
export function checkPolicies(sources: PolicySource[], entrypoints: string[] = []): RegoError[] {
  try {
    plan(sources, { entrypoints });
    return [];
  } catch (err) {
    if (err instanceof RegoCompileErrors) return err.errors;
    throw err;
  }
}

function plan(sources: PolicySource[], opts: CompileOptions) {
  const modules = parseSources(sources);
  const specs: EntrypointSpec[] = opts.entrypoints.map((e) => ({
    kind: 'rule',
    name: entrypointName(e),
    path: entrypointPath(e),
  }));
  const queryErrors: RegoError[] = [];
  for (const q of opts.queries ?? []) {
    try {
      const query: Body = parseQuery(q.query, q.name);
      specs.push({ kind: 'query', name: q.name, query });
    } catch (err) {
      if (err instanceof RegoCompileErrors) queryErrors.push(...err.errors);
      else throw err;
    }
  }
  if (queryErrors.length > 0) throw new RegoCompileErrors(queryErrors);
  try {
    return { policy: planPolicy(modules, specs), names: specs.map((s) => s.name), modules };
  } catch (err) {
    // Re-wrap so the message quotes the offending source lines.
    if (err instanceof RegoCompileErrors) throw new RegoCompileErrors(err.errors, sourceMap(sources));
    throw err;
  }
}

export function compilePolicies(sources: PolicySource[], opts: CompileOptions): CompiledPolicy {
  const { policy, names, modules } = plan(sources, opts);
  try {
    const wasm = emitWasm(policy, { strictBuiltinErrors: opts.strictBuiltinErrors ?? false, optimize: opts.optimize ?? true });
    return { wasm, entrypoints: names };
  } catch (err) {
    if (!(err instanceof UnsupportedBuiltinsError)) throw err;
    // Known to Rego but not to the Wasm target: a compile error at each call site, like OPA's
    // capabilities check, so the author learns it before deploying.
    const errors: RegoError[] = err.names.map((name) => ({
      code: 'rego_type_error',
      message: `unsupported built-in function ${name}: not available in Junction's Wasm target (see policies/README.md)`,
      location: findCall(modules, name) ?? { file: sources[0]?.file ?? 'policy', row: 1, col: 1, offset: 0 },
    }));
    throw new RegoCompileErrors(errors, sourceMap(sources));
  }
}

/** Where a built-in is first called, for error messages. */
function findCall(modules: Module[], name: string): Location | undefined {
  let found: Location | undefined;
  const visit = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const t = node as Term & { module?: unknown };
    if (t.type === 'call' && refName(t.op.terms) === name) {
      found = t.loc;
      return;
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'module' && k !== 'loc') visit(v);
  };
  modules.forEach((m) => visit(m.rules));
  return found;
}

function refName(terms: Term[]): string {
  return terms.map((t) => (t.type === 'var' ? t.name : t.type === 'string' ? t.value : '?')).join('.');
}
