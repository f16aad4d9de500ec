/**
 * The whole process, started as `npm start` would (minus env parsing): real Postgres, real NATS,
 * its own database and namespace.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  portAnswers,
  createTestBus,
  createTestDatabase,
  silentLogger,
  startTcpProxy,
  testConfig,
  TEST_NATS_URL,
  type TcpProxy,
  type TestBus,
  type TestDatabase,
} from '../test/support/index.js';
import { startJunction, type RunningJunction } from './runtime.js';

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ready = async (j: RunningJunction) => {
  const res = await fetch(`${j.url}/ready`);
  return { status: res.status, body: (await res.json()) as { failed?: string[] } };
};

describe('junction runtime', () => {
  let tdb: TestDatabase;
  let tb: TestBus;
  let junction: RunningJunction | undefined;
  beforeAll(async () => {
    [tdb, tb] = await Promise.all([createTestDatabase({ migrate: false }), createTestBus({ topology: false })]);
  });
  afterAll(async () => {
    await junction?.stop();
    await Promise.all([tb?.cleanup(), tdb?.drop()]);
  });

  it('starts, migrates, declares its topology, is ready, and hands order events to the orchestrator', async () => {
    const config = testConfig({ DATABASE_URL: tdb.url, NATS_URL: TEST_NATS_URL, JUNCTION_NAMESPACE: tb.namespace });
    junction = await startJunction(config, silentLogger());
    expect(await ready(junction)).toMatchObject({ status: 200 });

    await junction.bus.publish(junction.bus.subjects.orders.received, { id: 'o-1' }, { messageId: 'order:o-1:received' });
    const consumer = tb.bus.topology.consumers.orchestratorOrders;
    const rows = await until(
      () => tdb.db.selectFrom('processed_messages').selectAll().where('consumer', '=', consumer.name).execute(),
      (r) => r.length > 0,
    );
    expect(rows.map((r) => r.message_id)).toEqual(['order:o-1:received']);
    const info = await until(
      () => tb.bus.jsm.consumers.info(consumer.stream, consumer.name),
      (i) => i.num_ack_pending === 0,
    );
    expect(info.num_ack_pending).toBe(0);

    await junction.stop();
    await expect(fetch(`${junction.url}/health`)).rejects.toThrow();
    junction = undefined;
  });
});

describe('readiness follows its dependencies without a restart', () => {
  let tdb: TestDatabase;
  let tb: TestBus;
  let pgProxy: TcpProxy;
  let natsProxy: TcpProxy;
  let junction: RunningJunction;
  beforeAll(async () => {
    [tdb, tb] = await Promise.all([createTestDatabase({ migrate: false }), createTestBus({ topology: false })]);
    pgProxy = await startTcpProxy(Number(new URL(tdb.url).port || 5432), new URL(tdb.url).hostname.replace('localhost', '127.0.0.1'));
    natsProxy = await startTcpProxy(Number(new URL(TEST_NATS_URL).port || 4222));
    const viaProxy = new URL(tdb.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(pgProxy.port);
    junction = await startJunction(
      testConfig({
        DATABASE_URL: viaProxy.toString(),
        NATS_URL: `nats://127.0.0.1:${natsProxy.port}`,
        JUNCTION_NAMESPACE: tb.namespace,
        JUNCTION_ROLES: 'gateway',
      }),
      silentLogger(),
    );
  });
  afterAll(async () => {
    await pgProxy?.restore();
    await natsProxy?.restore();
    await junction?.stop();
    await pgProxy?.close();
    await natsProxy?.close();
    await Promise.all([tb?.cleanup(), tdb?.drop()]);
  });

  it('answers 503 naming postgres while Postgres is unreachable, 200 once it is back', async () => {
    expect((await ready(junction)).status).toBe(200);
    await pgProxy.cut();
    const down = await ready(junction);
    expect(down.status).toBe(503);
    expect(down.body.failed).toEqual(['postgres']);
    await pgProxy.restore();
    expect((await until(() => ready(junction), (r) => r.status === 200)).status).toBe(200);
  });

  it('answers 503 naming jetstream while NATS is unreachable, 200 once it is back', async () => {
    expect((await ready(junction)).status).toBe(200);
    await natsProxy.cut();
    const down = await until(() => ready(junction), (r) => r.status === 503);
    expect(down.status).toBe(503);
    expect(down.body.failed).toEqual(['jetstream']);
    await natsProxy.restore();
    expect((await until(() => ready(junction), (r) => r.status === 200)).status).toBe(200);
  });
});

describe('on a machine with no Postgres and no NATS running', () => {
  it('comes up on embedded PGlite and a nats-server it starts itself, and stops them again', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'junction-embedded-'));
    const [pgPort, natsPort] = [await closedPort(), await closedPort()];
    const junction = await startJunction(testConfig({ JUNCTION_DATA_DIR: dataDir }), silentLogger(), {
      databaseUrl: `postgres://postgres@127.0.0.1:${pgPort}/junction`,
      natsUrl: `nats://127.0.0.1:${natsPort}`,
    });
    try {
      expect(junction.database.kind).toBe('pglite');
      expect(await ready(junction)).toMatchObject({ status: 200 });
      expect(await portAnswers(natsPort)).toBe(true);
    } finally {
      await junction.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
    // The nats-server it started is gone with it.
    expect(await portAnswers(natsPort)).toBe(false);
  });
});
