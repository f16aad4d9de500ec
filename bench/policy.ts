// npm run bench:policy — evaluations per second and p50/p99 latency for every shipped entrypoint,
// beside a floor: an `allow := true` policy evaluated through the same path (the SDK on a warm
// instance), and the parser's throughput over 1 MB of Rego. Prints JSON and writes it to bench/results/policy.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePolicies } from '../policies/compiler/index.js';
import { parseModule } from '../policies/compiler/parser/index.js';
import { instantiatePolicy, type PolicyInstance } from '../policies/engine/instance.js';
import { loadPolicyDir } from '../policies/sources.js';
import { SHIPPED_ENTRYPOINTS, sampleInputs } from './policy-inputs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2000);

interface Measurement {
  entrypoint: string;
  evaluations: number;
  evals_per_sec: number;
  p50_us: number;
  p99_us: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function measure(instance: PolicyInstance, entrypoint: string, inputs: unknown[]): Measurement {
  for (let i = 0; i < 2000; i++) instance.evaluate(entrypoint, inputs[i % inputs.length]); // warm-up
  const samples: number[] = [];
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < DURATION_MS) {
    const t0 = process.hrtime.bigint();
    instance.evaluate(entrypoint, inputs[n % inputs.length]);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    n++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const sorted = Float64Array.from(samples).sort();
  return {
    entrypoint,
    evaluations: n,
    evals_per_sec: Math.round(n / elapsed),
    p50_us: Math.round(percentile(sorted, 50) * 100) / 100,
    p99_us: Math.round(percentile(sorted, 99) * 100) / 100,
  };
}

/** A synthetic module of about `bytes` characters using most of the grammar. */
function syntheticModule(bytes: number): { source: string; rules: number } {
  const rule = (i: number) => `
allow_${i} if {
  input.user.roles[_] == "admin"
  some x in input.items
  x.price * 2 + 1 > 10
  not deny_${i}
  count([y | y := input.xs[_]; y > ${i}]) >= 1
}
deny_${i} contains msg if { msg := sprintf("bad %v", [input.x]) }
f_${i}(x) := y if { y := {"a": x, "b": [1, 2.5, -3e2], "c": {1, 2}} } else := 0
obj_${i}[k] := v if { some k, v in input.obj }
`;
  const parts = ['package bench\n'];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const r = rule(i);
    parts.push(r);
    size += r.length;
  }
  return { source: parts.join(''), rules: (parts.length - 1) * 4 };
}

/** Parser throughput: CPU time (not wall time, so a busy machine counts less) of the best of 5 runs over 1 MB. */
function measureParser() {
  const { source, rules } = syntheticModule(1_000_000);
  parseModule(source, 'warmup.rego'); // let the JIT compile the parser first
  let bestMs = Infinity;
  for (let run = 0; run < 5; run++) {
    const start = process.cpuUsage();
    const parsed = parseModule(source, 'bench.rego').rules.length;
    if (parsed !== rules) throw new Error(`parsed ${parsed} rules, expected ${rules}`);
    const used = process.cpuUsage(start);
    bestMs = Math.min(bestMs, (used.user + used.system) / 1000);
  }
  return { source_bytes: source.length, rules, best_cpu_ms: Math.round(bestMs), mb_per_cpu_second: Math.round((source.length / 1e6 / (bestMs / 1000)) * 100) / 100 };
}

async function main(): Promise<void> {
  const floorPolicy = compilePolicies([{ file: 'floor.rego', source: 'package floor\n\nallow := true\n' }], { entrypoints: ['floor/allow'] });
  const floor = measure(await instantiatePolicy({ wasm: floorPolicy.wasm, data: {} }), 'floor/allow', [sampleInputs['junction/entitlement/allow']![1]]);

  const dir = loadPolicyDir(resolve(root, 'policies/rego'));
  const compiled = compilePolicies(dir.sources, { entrypoints: SHIPPED_ENTRYPOINTS });
  const instance = await instantiatePolicy({ wasm: compiled.wasm, data: dir.data });
  const entrypoints = SHIPPED_ENTRYPOINTS.map((e) => {
    const m = measure(instance, e, sampleInputs[e]!);
    return { ...m, p50_vs_floor: Math.round((m.p50_us / floor.p50_us) * 100) / 100 };
  });
  const parser = measureParser();
  const report = { benchmark: 'policy', node: process.version, duration_ms_per_entrypoint: DURATION_MS, floor, entrypoints, parser };
  const out = resolve(root, 'bench/results/policy.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report, null, 2));
}

await main();
