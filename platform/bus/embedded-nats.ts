/**
 * Starts `nats-server` from PATH with JetStream on a store under the data directory, for when
 * NATS_URL is unset and nothing answers on the default address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import { connectNats } from './bus.js';
import { NATS_INSTALL_HINT, NatsUnavailableError } from './errors.js';

export interface EmbeddedNats {
  url: string;
  nc: NatsConnection;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startEmbeddedNats(dataDir: string, port: number, logger: Logger): Promise<EmbeddedNats> {
  const storeDir = path.resolve(dataDir, 'nats');
  await mkdir(storeDir, { recursive: true });
  const url = `nats://127.0.0.1:${port}`;
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new NatsUnavailableError(
          err.code === 'ENOENT'
            ? `NATS does not answer on ${url} and nats-server is not on PATH: ${NATS_INSTALL_HINT}`
            : `could not start nats-server: ${err.message}`,
        ),
      ),
    );
  });

  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const nc = await Promise.race([connectNats(url, 500), spawnError]);
      logger.info({ url, storeDir, pid: child.pid }, 'NATS_URL unset and nothing answers on it: started nats-server with JetStream');
      return {
        url,
        nc,
        async stop() {
          if (!nc.isClosed()) await nc.close();
          child.kill('SIGTERM');
          await exited(child);
        },
      };
    } catch (err) {
      if (err instanceof NatsUnavailableError) throw err;
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new NatsUnavailableError(`nats-server did not come up on ${url}: ${stderr.trim() || (err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
