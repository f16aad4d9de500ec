// Entry point of the middle of the compiler: compiled modules + entrypoints → plan IR.
import type { Body, Module } from '../ast.js';
import { compileModules, compileQuery } from '../compile/index.js';
import { RegoCompileErrors, type RegoError } from '../errors.js';
import type { Plan, Policy } from '../ir.js';
import { Planner } from './planner.js';

export { COMPLETE_CONFLICT, FUNCTION_CONFLICT, OBJECT_CONFLICT } from './planner.js';
export { validatePolicy } from './validate.js';

export type EntrypointSpec =
  /** path without "data", e.g. ['test','p']; may name a package (object of everything below) or base data. */
  | { kind: 'rule'; name: string; path: string[] }
  /** e.g. parseQuery('data.test.p = x'); one result per solution, binding the query's user vars. */
  | { kind: 'query'; name: string; query: Body };

/** Compiles modules and plans each entrypoint. Throws RegoCompileErrors carrying every error found. */
export function planPolicy(modules: Module[], entrypoints: EntrypointSpec[]): Policy {
  const errors: RegoError[] = [];
  const cm = compileModules(modules, errors);
  const queries = entrypoints.map((ep) => (ep.kind === 'query' ? compileQuery(ep.query, cm, errors) : null));
  if (errors.length) throw new RegoCompileErrors(sortErrors(errors), sourcesOf(modules));
  const planner = new Planner(cm);
  const plans: Plan[] = entrypoints.map((ep, i) =>
    ep.kind === 'rule' ? planner.planRuleEntrypoint(ep.name, ep.path) : planner.planQueryEntrypoint(ep.name, queries[i]!),
  );
  return planner.policy(plans);
}

/** Errors in source order (file, row, column), as OPA reports them. */
function sortErrors(errors: RegoError[]): RegoError[] {
  return errors.slice().sort((a, b) =>
    a.location.file.localeCompare(b.location.file) || a.location.row - b.location.row || a.location.col - b.location.col);
}

function sourcesOf(modules: Module[]): Map<string, string> {
  return new Map(modules.map((m) => [m.file, m.source]));
}
