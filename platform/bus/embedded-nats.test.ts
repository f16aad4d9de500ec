import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort, memoryLogger, silentLogger } from '../../test/support/index.js';
import { connectNats, createBus, ensureTopology } from './bus.js';
import { NatsUnavailableError } from './errors.js';
import { resolveNats } from './resolve.js';

describe('resolveNats', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('starts nats-server with JetStream under the data dir when NATS_URL is unset and nothing answers', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'junction-nats-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { logger, lines } = memoryLogger('info');
    const defaultUrl = `nats://127.0.0.1:${await closedPort()}`;
    const nats = await resolveNats(undefined, dataDir, logger, defaultUrl);
    cleanups.push(() => nats.stopEmbedded());
    expect(nats.url).toBe(defaultUrl);
    expect(lines().filter((l) => String(l.msg).includes('started nats-server'))).toHaveLength(1);

    // JetStream works on it, and stores under <dataDir>/nats.
    const bus = await createBus(nats.nc, 'embedded', silentLogger());
    await ensureTopology(bus.jsm, bus.topology);
    const ack = await bus.publish(bus.subjects.orders.received, { ok: true }, { messageId: 'e-1' });
    expect(ack.seq).toBe(1);
    expect((await stat(path.join(dataDir, 'nats', 'jetstream'))).isDirectory()).toBe(true);
    await bus.close();
  });

  it('fails with a hint when NATS_URL is set and does not answer', async () => {
    const url = `nats://127.0.0.1:${await closedPort()}`;
    const err = await resolveNats(url, '/nonexistent', silentLogger()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsUnavailableError);
    expect((err as Error).message).toContain(`NATS_URL ${url} does not answer`);
    expect((err as Error).message).toContain('docker compose up -d nats');
  });

  it('says how to get nats-server when it is not on PATH', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const url = `nats://127.0.0.1:${await closedPort()}`;
      const err = await resolveNats(undefined, os.tmpdir(), silentLogger(), url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NatsUnavailableError);
      expect((err as Error).message).toContain('nats-server is not on PATH');
      expect((err as Error).message).toContain('apt-get install nats-server');
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('explains when the server answers without JetStream', async () => {
    const port = await closedPort();
    const server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    cleanups.push(async () => {
      server.kill('SIGTERM');
    });
    const deadline = Date.now() + 5_000;
    let nc;
    while (!nc) {
      nc = await connectNats(`nats://127.0.0.1:${port}`, 500).catch(() => undefined);
      if (!nc && Date.now() > deadline) throw new Error('nats-server did not start');
      if (!nc) await new Promise((r) => setTimeout(r, 100));
    }
    cleanups.push(() => nc.close());
    const err = await createBus(nc, 'x', silentLogger()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsUnavailableError);
    expect((err as Error).message).toContain('JetStream is not enabled');
  });
});
