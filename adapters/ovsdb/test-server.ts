/**
 * Starts a private, real `ovsdb-server` for tests: a fresh database created with `ovsdb-tool`
 * from the shipped vswitch schema, listening on a loopback TCP port, with its pid file, control
 * socket and log in a temporary folder (no root daemon, no system paths). Fails loudly when
 * Open vSwitch is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const VSWITCH_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';
const INSTALL_HINT = 'install the Debian package openvswitch-switch (apt-get install -y openvswitch-switch)';

export interface OvsdbTestServer {
  host: string;
  port: number;
  dir: string;
  /** Stops the server process; the database file stays for `start()`. */
  stop(): Promise<void>;
  /** (Re)starts the server on the same port and database. */
  start(): Promise<void>;
  /** SIGSTOP: the server accepts TCP connections (kernel backlog) but answers nothing. */
  pause(): void;
  resume(): void;
  /** Stops the server and removes its folder. */
  dispose(): Promise<void>;
}

/** Finds a binary on PATH or in the sbin folders Debian installs ovsdb-server to (often off a user's PATH). */
function which(binary: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status === 0 && path) return path;
  return ['/usr/sbin', '/usr/local/sbin', '/usr/bin'].map((dir) => join(dir, binary)).find((p) => existsSync(p));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(host: string, port: number, child: ChildProcess, logFile: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`ovsdb-server exited (${child.exitCode ?? child.signalCode}) before listening:\n${log}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ovsdb-server did not listen on ${host}:${port} within ${timeoutMs} ms`);
}

export async function startOvsdbServer(): Promise<OvsdbTestServer> {
  const server = which('ovsdb-server');
  const tool = which('ovsdb-tool');
  if (!server || !tool) throw new Error(`ovsdb-server/ovsdb-tool not found on PATH: ${INSTALL_HINT}`);
  if (!existsSync(VSWITCH_SCHEMA)) throw new Error(`${VSWITCH_SCHEMA} is missing: ${INSTALL_HINT}`);

  const dir = await mkdtemp(join(tmpdir(), 'junction-ovsdb-'));
  const db = join(dir, 'conf.db');
  const created = spawnSync(tool, ['create', db, VSWITCH_SCHEMA], { encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`ovsdb-tool create failed: ${created.stderr}`);
  const host = '127.0.0.1';
  const port = await freePort();
  const logFile = join(dir, 'ovsdb-server.log');
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    child = spawn(
      server,
      [
        db,
        `--remote=ptcp:${port}:${host}`,
        `--unixctl=${join(dir, 'ovsdb-server.ctl')}`,
        `--pidfile=${join(dir, 'ovsdb-server.pid')}`,
        `--log-file=${logFile}`,
        '--no-chdir',
        '-vconsole:off',
      ],
      { stdio: 'ignore' },
    );
    await waitForPort(host, port, child, logFile);
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGCONT');
    running.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    host,
    port,
    dir,
    start,
    stop,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
