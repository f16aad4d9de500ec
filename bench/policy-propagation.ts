// npm run bench:policy-propagation — how long a policy activation takes to reach a second running
// instance: two whole Junctions share the local Postgres and NATS (policies/lifecycle/instance-pair.ts);
// bundles are activated alternately on A, and B's /policy/v1/status is polled until it runs the
// revision. Prints JSON and writes bench/results/policy-propagation.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPLIANCE_KEY, startInstancePair } from '../policies/lifecycle/instance-pair.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (n: number) => Math.round(n * 10) / 10;

const pair = await startInstancePair();
try {
  const revisions = [await pair.upload('one'), await pair.upload('two')];
  // B's first request builds its authorization engine (compiling the shipped policy, seconds):
  // paid once per instance, before it serves traffic; measured apart from propagation.
  const w0 = performance.now();
  await fetch(`${pair.b.url}/policy/v1/status`, { headers: { Authorization: `Bearer ${COMPLIANCE_KEY}` } });
  const firstRequestMs = performance.now() - w0;
  const propagated: number[] = [];
  const activated: number[] = [];
  let missed = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await pair.activate(revisions[i % 2]!);
    activated.push(r.activatedMs);
    if (r.propagatedMs === undefined) {
      missed++;
      console.error(`activation ${i} of ${revisions[i % 2]} never reached instance B:`, JSON.stringify(r.stuck));
    }
    else propagated.push(r.propagatedMs);
  }
  const p = [...propagated].sort((x, y) => x - y);
  const a = [...activated].sort((x, y) => x - y);
  const report = {
    benchmark: 'policy-propagation',
    runs: RUNS,
    never_propagated: missed,
    second_instance_first_request_ms: round(firstRequestMs),
    activation_response_ms: { p50: round(pct(a, 50)), p99: round(pct(a, 99)), max: round(a.at(-1)!) },
    activation_to_second_instance_ms: p.length ? { p50: round(pct(p, 50)), p99: round(pct(p, 99)), max: round(p.at(-1)!) } : null,
    target_ms: 1000,
    within_target: missed === 0 && p.length > 0 && p.at(-1)! <= 1000,
  };
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results/policy-propagation.json'), JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report, null, 2));
} finally {
  await pair.stop();
}
