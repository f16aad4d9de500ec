// Turns an uploaded source bundle into an activatable one: runs its *_test.rego suite and
// compiles every package's `decision` rule to Wasm. Either step failing rejects the upload.
import { buildBundle } from '../bundle.js';
import type { Module } from '../compiler/ast.js';
import { parseSources } from '../compiler/index.js';
import { runPolicyTests, type TestOutcome } from '../testing.js';
import type { PolicySourceBundle } from './source-bundle.js';

export interface CompiledUpload {
  ok: boolean;
  entrypoints: string[];
  tests: Array<Pick<TestOutcome, 'name' | 'status' | 'message'>>;
  problems: string[];
  /** The compiled bundle (policies/bundle.ts format) when ok. */
  compiled?: Buffer;
}

function packagePath(m: Module): string[] {
  return m.package.path.slice(1).map((t) => (t.type === 'string' ? t.value : t.type === 'var' ? t.name : ''));
}

/** Entrypoints: data.<pkg>.decision for every non-test package that defines `decision`. */
export function decisionEntrypoints(sources: PolicySourceBundle['sources']): string[] {
  const found = new Set<string>();
  for (const m of parseSources(sources)) {
    if (m.rules.some((r) => r.head.ref.length === 1 && r.head.ref[0]!.type === 'var' && r.head.ref[0]!.name === 'decision')) {
      found.add([...packagePath(m), 'decision'].join('/'));
    }
  }
  return [...found].sort();
}

export async function compileUpload(upload: PolicySourceBundle, revision: string): Promise<CompiledUpload> {
  const problems: string[] = [];
  let entrypoints: string[] = [];
  let tests: CompiledUpload['tests'] = [];
  try {
    entrypoints = decisionEntrypoints(upload.sources);
    if (entrypoints.length === 0) problems.push('no package defines a `decision` rule, so the bundle would answer nothing');
  } catch (err) {
    return { ok: false, entrypoints, tests, problems: [`does not parse: ${(err as Error).message}`] };
  }
  try {
    const outcomes = await runPolicyTests([...upload.sources, ...upload.tests], upload.data);
    tests = outcomes.map((o) => ({ name: o.name, status: o.status, ...(o.message ? { message: o.message } : {}) }));
    if (upload.tests.length === 0) problems.push('the bundle has no *_test.rego suite; untested policy is not activated');
    for (const o of outcomes) if (o.status !== 'pass') problems.push(`test ${o.name} ${o.status}${o.message ? `: ${o.message}` : ''}`);
  } catch (err) {
    problems.push(`the test suite does not compile: ${(err as Error).message}`);
  }
  if (problems.length > 0) return { ok: false, entrypoints, tests, problems };
  try {
    const { bytes } = await buildBundle({ sources: upload.sources, data: upload.data, entrypoints, revision });
    return { ok: true, entrypoints, tests, problems, compiled: bytes };
  } catch (err) {
    return { ok: false, entrypoints, tests, problems: [`does not compile: ${(err as Error).message}`] };
  }
}
