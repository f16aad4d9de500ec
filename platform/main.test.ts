import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  createTestBus,
  createTestDatabase,
  TEST_NATS_URL,
  type TestBus,
  type TestDatabase,
} from '../test/support/index.js';

const root = path.resolve(import.meta.dirname, '..');

function startMain(env: Record<string, string>) {
  return spawn(process.execPath, ['--import', 'tsx', path.join(root, 'platform/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function runMain(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = startMain(env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm start with bad configuration', () => {
  it('exits non-zero with one line naming PORT', async () => {
    const { code, stdout, stderr } = await runMain({ PORT: 'abc' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('PORT');
    expect(lines[0]).toContain('expected an integer port 1-65535');
  }, 90_000); // a cold tsx start on a loaded machine

  it('exits non-zero naming JUNCTION_API_KEYS when it is not JSON', async () => {
    const { code, stderr } = await runMain({ JUNCTION_API_KEYS: 'nope' });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('JUNCTION_API_KEYS');
  }, 90_000);
});

describe('npm start lifecycle', () => {
  let tdb: TestDatabase;
  let tb: TestBus;
  beforeAll(async () => {
    [tdb, tb] = await Promise.all([createTestDatabase({ migrate: false }), createTestBus({ topology: false })]);
  });
  afterAll(async () => {
    await Promise.all([tb?.cleanup(), tdb?.drop()]);
  });

  it('becomes ready, then stops cleanly on SIGTERM with exit code 0', async () => {
    const port = await closedPort();
    const child = startMain({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: tdb.url,
      NATS_URL: TEST_NATS_URL,
      JUNCTION_NAMESPACE: tb.namespace,
    });
    const lines: Array<Record<string, unknown>> = [];
    let buffered = '';
    child.stdout.on('data', (d) => {
      buffered += d;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const p of parts) if (p.trim()) lines.push(JSON.parse(p));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    // How fast it gets ready is measured by `npm run bench:startup`; here it must simply get there.
    const started = Date.now();
    let status = 0;
    while (status !== 200 && Date.now() - started < 90_000) {
      status = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status, () => 0);
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const messages = lines.map((l) => l.msg);
    expect(messages).toContain('junction started');
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('stopped');
  }, 120_000);
});
