import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort, TEST_NATS_URL } from '../test/support/index.js';
import { orderFor, startTestJunction, type TestJunction, inventoryMismatches } from './testing.js';

const root = path.resolve(import.meta.dirname, '..');
const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';

/** A real orchestrator process (no HTTP traffic goes to it), simulator with latency so sagas are mid-flight. */
async function startOrchestratorProcess(t: TestJunction, adaptersFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'platform/main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: t.database.url,
      NATS_URL: TEST_NATS_URL,
      JUNCTION_NAMESPACE: t.namespace,
      JUNCTION_ROLES: 'orchestrator',
      JUNCTION_ADAPTERS: adaptersFile,
      JUNCTION_SEED: 'none',
      HOST: '127.0.0.1',
      PORT: String(await closedPort()),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('junction started')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`orchestrator exited with ${code}: ${out.slice(-2000)}`)));
  });
  return child;
}


describe('orchestrator killed mid-saga', () => {
  let t: TestJunction | undefined;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await t?.stop();
  });

  it('every order reaches a terminal state after restart, with no double reservation', async () => {
    t = await startTestJunction({}, { JUNCTION_ROLES: 'gateway' });
    const dir = mkdtempSync(path.join(tmpdir(), 'junction-crash-'));
    const adaptersFile = path.join(dir, 'adapters.yaml');
    writeFileSync(
      adaptersFile,
      JSON.stringify({
        adapters: [
          {
            name: 'sim',
            builtin: 'simulator',
            settings: { topology: path.join(root, 'adapters/simulator/topology.demo.json'), latency: { apply: { minMs: 100, maxMs: 300 } } },
          },
        ],
      }),
    );
    const first = await startOrchestratorProcess(t, adaptersFile);
    children.push(first);
    const n = 30;
    const created = await Promise.all(
      Array.from({ length: n }, (_, i) => t!.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 100 }, 'SITE-A', `crash-${i}`))),
    );
    const ids = created.map((c) => c.body.id as string);
    // Kill it while sagas are between steps: some actions applied, some orders done, most not.
    for (;;) {
      const applied = await t.database.db.selectFrom('order_actions').select('order_id').where('status', '=', 'applied').execute();
      if (applied.length >= 5) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const midway = await t.database.db.selectFrom('service_orders').select('state').where('id', 'in', ids).execute();
    expect(midway.some((o) => o.state === 'inProgress' || o.state === 'acknowledged')).toBe(true);

    const second = await startOrchestratorProcess(t, adaptersFile);
    children.push(second);
    const done = await t.waitForAll(ids, 120_000);
    expect(done.every((o) => ['completed', 'failed'].includes(o.state))).toBe(true);
    expect(done.filter((o) => o.state === 'completed').length).toBeGreaterThan(0);

    // No double reservation: one reservation per (order, item, key) still held, and inventory equals what is held.
    const held = await t.database.db
      .selectFrom('reservations')
      .select(['order_id', 'order_item_id', 'key'])
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', 'in', ['reserved', 'committed'])
      .groupBy(['order_id', 'order_item_id', 'key'])
      .execute();
    expect(held.filter((h) => Number(h.n) !== 1)).toEqual([]);
    expect(await inventoryMismatches(t.database.db)).toEqual([]);
    const completed = done.filter((o) => o.state === 'completed').map((o) => o.id).sort();
    expect([...new Set(held.map((h) => h.order_id))].sort()).toEqual(completed);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }, 180_000);
});
