// npm run bench:adapters — southbound call throughput and latency through the adapter runtime
// (registry routing, call guard, idempotency record, circuit breaker) on the in-process simulator:
// create+rollback pairs of transport services, and replays of recorded keys. Prints JSON and
// writes it to bench/results/adapters.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { builtinAdapters } from '../adapters/builtins.js';
import { loadAdapters } from '../adapters/runtime/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2000);

function summarise(name: string, samplesUs: number[], elapsedS: number) {
  const sorted = Float64Array.from(samplesUs).sort();
  const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 100) / 100;
  return { name, calls: samplesUs.length, calls_per_sec: Math.round(samplesUs.length / elapsedS), p50_us: at(50), p99_us: at(99) };
}

async function timeLoop(run: (i: number) => Promise<void>) {
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; performance.now() - start < DURATION_MS; i++) {
    const t0 = process.hrtime.bigint();
    await run(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return { samples, elapsed: (performance.now() - start) / 1000 };
}

async function main(): Promise<void> {
  const registry = await loadAdapters([{ name: 'sim', builtin: 'simulator' }], {
    logger: pino({ level: 'silent' }),
    events: async () => undefined,
    baseDir: root,
    builtins: builtinAdapters,
  });
  const action = (i: number) => ({
    domain: 'transport',
    operation: 'create' as const,
    target: { id: `svc-${i}`, type: 'transport-service' },
    parameters: { from: 'pe-north', to: 'pe-dc', bandwidthMbps: 10 },
  });

  const applyRollback = await timeLoop(async (i) => {
    const a = action(i);
    const applied = await registry.apply(a, { idempotencyKey: `apply-${i}` });
    if (applied.status !== 'success') throw new Error(`apply failed: ${applied.reason}`);
    await registry.rollback(a, { idempotencyKey: `apply-${i}` });
  });
  const replay = await timeLoop(async (i) => {
    await registry.apply(action(i % 100), { idempotencyKey: `apply-${i % 100}` });
  });
  await registry.close();

  const report = {
    benchmark: 'adapters',
    node: process.version,
    duration_ms_per_case: DURATION_MS,
    cases: [summarise('simulator apply+rollback (2 guarded calls)', applyRollback.samples, applyRollback.elapsed), summarise('replay of a recorded key', replay.samples, replay.elapsed)],
  };
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/adapters.json'), JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
