// `junction policy <check|build|eval|test>`: the compliance team's toolchain, nothing but npm needed.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildBundle, readBundle } from './bundle.js';
import { checkPolicies, compilePolicies, formatErrors, RegoCompileErrors, sourceMap } from './compiler/index.js';
import { instantiatePolicy } from './engine/instance.js';
import { loadPolicyDir } from './sources.js';
import { runPolicyTests } from './testing.js';

const USAGE = `usage:
  junction policy check <dir>
  junction policy build <dir> -e <entrypoint>... -o <bundle.tar.gz> [--revision <rev>]
  junction policy eval -d <dir|bundle.tar.gz> [-i <input.json>] <query>
  junction policy test <dir> [-v]`;

export class UsageError extends Error {}

type Out = { log: (s: string) => void; error: (s: string) => void };

async function check(args: string[], out: Out): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  const dir = positionals[0];
  if (!dir) throw new UsageError('policy check needs a directory');
  const { sources, tests } = loadPolicyDir(dir);
  const all = [...sources, ...tests];
  const errors = checkPolicies(all);
  if (errors.length === 0) {
    out.log(`${all.length} file(s) OK`);
    return 0;
  }
  out.error(formatErrors(errors, sourceMap(all)));
  return 1;
}

async function build(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { entrypoint: { type: 'string', short: 'e', multiple: true }, output: { type: 'string', short: 'o' }, revision: { type: 'string' } },
  });
  const dir = positionals[0];
  if (!dir) throw new UsageError('policy build needs a directory');
  if (!values.entrypoint?.length) throw new UsageError('policy build needs at least one -e <entrypoint>');
  const output = values.output ?? 'bundle.tar.gz';
  const { sources, data } = loadPolicyDir(dir);
  const { bytes, bundle } = await buildBundle({ sources, data, entrypoints: values.entrypoint, ...(values.revision ? { revision: values.revision } : {}) });
  writeFileSync(output, bytes);
  out.log(`wrote ${output} (revision ${bundle.manifest.revision}, ${bundle.wasmDigest}, ${bytes.length} bytes)`);
  return 0;
}

async function evaluate(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { data: { type: 'string', short: 'd' }, input: { type: 'string', short: 'i' } },
  });
  const query = positionals.join(' ').trim();
  if (!values.data) throw new UsageError('policy eval needs -d <dir|bundle.tar.gz>');
  if (!query) throw new UsageError('policy eval needs a query, e.g. data.telco.entitlement.allow');
  let input: unknown;
  if (values.input) {
    try {
      input = JSON.parse(readFileSync(values.input, 'utf8'));
    } catch (err) {
      throw new UsageError(`${values.input}: invalid JSON input: ${(err as Error).message}`);
    }
  }
  let instance;
  if (statSync(values.data).isDirectory()) {
    const { sources, data } = loadPolicyDir(values.data);
    const compiled = compilePolicies(sources, { entrypoints: [], queries: [{ name: 'eval', query }] });
    instance = await instantiatePolicy({ wasm: compiled.wasm, data });
    out.log(JSON.stringify(instance.evaluate('eval', input), null, 2));
  } else {
    // A built bundle answers its entrypoints: the query must name one (data.a.b or a/b).
    const bundle = await readBundle(readFileSync(values.data));
    instance = await instantiatePolicy(bundle);
    const name = query.replace(/^data\./, '').split('.').join('/');
    out.log(JSON.stringify(instance.evaluate(name, input), null, 2));
  }
  return 0;
}

async function test(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { verbose: { type: 'boolean', short: 'v' } } });
  const dir = positionals[0];
  if (!dir) throw new UsageError('policy test needs a directory');
  const { sources, tests, data } = loadPolicyDir(dir);
  const outcomes = await runPolicyTests([...sources, ...tests], data);
  for (const o of outcomes) {
    const ms = (o.durationNs / 1e6).toFixed(3);
    if (o.status !== 'pass' || values.verbose) {
      out.log(`${o.status.toUpperCase().padEnd(5)} ${o.name} (${ms} ms)${o.message ? `: ${o.message}` : ''}`);
    }
  }
  const failed = outcomes.filter((o) => o.status !== 'pass').length;
  out.log(`${'-'.repeat(40)}\nPASS: ${outcomes.length - failed}/${outcomes.length}${failed ? `\nFAIL: ${failed}/${outcomes.length}` : ''}`);
  if (outcomes.length === 0) {
    out.error('no test_* rules found');
    return 1;
  }
  return failed === 0 ? 0 : 2;
}

/** Returns the process exit code. */
export async function policyCommand(argv: string[], out: Out = console): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'check':
        return await check(rest, out);
      case 'build':
        return await build(rest, out);
      case 'eval':
        return await evaluate(rest, out);
      case 'test':
        return await test(rest, out);
      default:
        throw new UsageError(sub ? `unknown policy command "${sub}"` : 'missing policy command');
    }
  } catch (err) {
    if (err instanceof RegoCompileErrors) {
      out.error(err.message);
      return 1;
    }
    if (err instanceof UsageError) {
      out.error(`${err.message}\n${USAGE}`);
      return 2;
    }
    out.error(`error: ${(err as Error)?.message ?? String(err)}`);
    return 1;
  }
}
