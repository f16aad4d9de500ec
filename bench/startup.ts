// npm run bench:startup — seconds from spawning `platform/main.ts` (as `npm start` runs it) to
// GET /ready answering 200, against the local Postgres and NATS, over a few runs. Prints JSON.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function freePort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

async function once(run: number): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'platform/main.ts')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', JUNCTION_NAMESPACE: `benchstartup${run}` },
    stdio: 'ignore',
  });
  const started = performance.now();
  try {
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status, () => 0);
      if (status === 200) return (performance.now() - started) / 1000;
      if (performance.now() - started > 120_000) throw new Error('not ready after 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const seconds: number[] = [];
for (let i = 0; i < RUNS; i++) seconds.push(Math.round((await once(i)) * 100) / 100);
const report = { benchmark: 'startup', runs: RUNS, seconds_to_ready: seconds, max_s: Math.max(...seconds), target_s: 15 };
mkdirSync(resolve(root, 'bench/results'), { recursive: true });
writeFileSync(resolve(root, 'bench/results/startup.json'), JSON.stringify(report, null, 2));
console.log(JSON.stringify(report, null, 2));
