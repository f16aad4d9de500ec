// Order-to-activation benchmark: a whole Junction in this process (gateway, orchestrator, audit
// writer, hub, policies, simulator at zero latency; Postgres and NATS) on a scratch database and
// namespace, and the BSS load clients in a process of their own (bench/order-clients.ts).
// Phase 1 offers orders as fast as a pool of BSS clients can post them (sustained orders/s);
// phase 2 offers a steady 50 orders/s and measures order-to-completed latency from the database
// (orderDate → completion_date). Then counts the orders' decisions in the audit log (every
// decision must reach it). Writes bench/results/orders.json.
// BENCH_ORDERS, BENCH_CLIENTS, BENCH_STEADY_SECONDS, BENCH_POLICY_WORKERS (default: Junction's, JUNCTION_POLICY_WORKERS) tune it.
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { TestJunction } from '../orchestrator/testing.js';
import type { ClientJob, ClientReport } from './order-clients.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SUSTAINED_ORDERS = Number(process.env.BENCH_ORDERS ?? 600);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const STEADY_RATE = 50;
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 10);

let counter = 0;
let apiKey = '';

/**
 * Postgres on this machine's Unix socket when it has one (as Junction beside its database would
 * connect; a socket costs less per statement than TCP over loopback), else TCP. Set before the
 * test support is loaded: it reads JUNCTION_TEST_POSTGRES_URL once.
 */
const PG_SOCKET_DIR = '/var/run/postgresql';
function choosePostgresTransport(): string {
  if (process.env.JUNCTION_TEST_POSTGRES_URL) return 'JUNCTION_TEST_POSTGRES_URL';
  if (!existsSync(`${PG_SOCKET_DIR}/.s.PGSQL.5432`)) return 'tcp';
  process.env.JUNCTION_TEST_POSTGRES_URL = `postgres://postgres@localhost/postgres?host=${PG_SOCKET_DIR}`;
  return 'unix socket';
}
const postgresTransport = choosePostgresTransport();

/** Runs a job in the load-client process (bench/order-clients.ts). */
async function clients(t: TestJunction, job: Omit<ClientJob, 'url' | 'apiKey' | 'first'>): Promise<ClientReport> {
  const child = fork(resolve(root, 'bench/order-clients.ts'), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const report = new Promise<ClientReport>((res, rej) => {
    child.once('message', (m) => res(m as ClientReport));
    child.once('exit', (code) => rej(new Error(`load clients exited with ${code}`)));
  });
  child.send({ ...job, url: t.junction.url, apiKey, first: counter } satisfies ClientJob);
  counter += job.orders;
  return report;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function latencies(t: TestJunction, ids: string[]) {
  const rows = await t.database.db
    .selectFrom('service_orders')
    .select(['state', 'order_date', 'completion_date'])
    .where('id', 'in', ids)
    .execute();
  const completed = rows.filter((r) => r.state === 'completed' && r.completion_date);
  const ms = completed.map((r) => r.completion_date!.getTime() - r.order_date.getTime()).sort((a, b) => a - b);
  const states = rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.state]: (acc[r.state] ?? 0) + 1 }), {});
  const lastCompletion = Math.max(...completed.map((r) => r.completion_date!.getTime()));
  return { states, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), maxMs: ms.at(-1) ?? NaN, lastCompletion };
}

const USER_HZ = 100; // /proc's clock ticks on Linux

/** Command name and CPU seconds (utime + stime) from a /proc stat line. */
function parseStat(stat: string): { name: string; cpuSeconds: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / USER_HZ };
}

/** CPU seconds used so far by every process whose command name is given (from /proc; Linux only). */
function cpuSecondsOf(names: string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const { name, cpuSeconds } = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      const key = names.find((n) => name.startsWith(n));
      if (key) out[key]! += cpuSeconds;
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** CPU seconds of this process's main thread: the event loop every part of Junction here shares. */
function mainThreadCpuSeconds(): number {
  try {
    return parseStat(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')).cpuSeconds;
  } catch {
    return NaN; // not Linux
  }
}

/** CPU milliseconds per order of this process (gateway, orchestrator, audit writer, hub), the load clients, Postgres and NATS. */
function cpuPerOrder(before: { self: NodeJS.CpuUsage; mainThread: number; others: Record<string, number> }, orders: number, clientCpuMs: number) {
  const self = process.cpuUsage(before.self);
  const mainThread = mainThreadCpuSeconds() - before.mainThread;
  const others = cpuSecondsOf(['postgres', 'nats-server']);
  const ms = (sec: number) => Math.round((sec * 1000 * 100) / orders) / 100;
  return {
    junctionProcess: ms((self.user + self.system) / 1e6),
    /** Of junctionProcess, the event loop's share; the rest is policy worker threads, GC and I/O threads. */
    junctionMainThread: ms(mainThread),
    postgres: ms(others.postgres! - before.others.postgres!),
    natsServer: ms(others['nats-server']! - before.others['nats-server']!),
    loadClients: ms(clientCpuMs / 1000),
  };
}

/** Messages Junction's NATS connection sent and received per order (publishes, acks, deliveries, KV operations). */
function natsMessagesPerOrder(t: TestJunction, before: { inMsgs: number; outMsgs: number }, orders: number) {
  const now = t.junction.bus.nc.stats();
  const per = (n: number) => Math.round((n / orders) * 10) / 10;
  return { sent: per(now.outMsgs - before.outMsgs), received: per(now.inMsgs - before.inMsgs) };
}

async function sustained(t: TestJunction) {
  const natsBefore = t.junction.bus.nc.stats();
  const cpuBefore = { self: process.cpuUsage(), mainThread: mainThreadCpuSeconds(), others: cpuSecondsOf(['postgres', 'nats-server']) };
  const posted = await clients(t, { mode: 'sustained', orders: SUSTAINED_ORDERS, clients: CLIENTS, ratePerSecond: 0 });
  const ids = posted.ids;
  await t.waitForTerminal(ids, 600_000);
  const cpuMsPerOrder = cpuPerOrder(cpuBefore, ids.length, posted.cpuMs);
  const natsMessages = natsMessagesPerOrder(t, natsBefore, ids.length);
  const { lastCompletion, ...observed } = await latencies(t, ids);
  // From the first POST to the last order's completion as the database recorded it (not when the poll noticed).
  const seconds = (lastCompletion - posted.startedAt) / 1000;
  return { orders: ids.length, clients: CLIENTS, acceptedPerSecond: ids.length / (posted.acceptedMs / 1000), ordersPerSecond: ids.length / seconds, cpuMsPerOrder, natsMessagesPerOrder: natsMessages, ...observed };
}

async function steady(t: TestJunction) {
  const posted = await clients(t, { mode: 'steady', orders: STEADY_RATE * STEADY_SECONDS, clients: 0, ratePerSecond: STEADY_RATE });
  await t.waitForTerminal(posted.ids, 600_000);
  const { lastCompletion: _, ...observed } = await latencies(t, posted.ids);
  return { ratePerSecond: STEADY_RATE, seconds: STEADY_SECONDS, orders: posted.ids.length, ...observed };
}

async function decisionsAudited(t: TestJunction, expected: number): Promise<number> {
  const until = Date.now() + 60_000;
  for (;;) {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from audit_decisions where path in ('junction/entitlement/decision', 'junction/provisioning/decision')`.execute(t.database.db);
    const row = rows[0]!;
    if (Number(row.n) >= expected || Date.now() > until) return Number(row.n);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** BENCH_CPU_PROFILE=<file>: a V8 CPU profile of the main thread over the sustained phase only (after warm-up). */
async function startProfiler() {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function main() {
  const { largeNetwork, simulatorEntries } = await import('../orchestrator/load-fixture.js');
  const { BSS_KEY, startTestJunction } = await import('../orchestrator/testing.js');
  apiKey = BSS_KEY;
  const net = largeNetwork({ portsPerSite: 400 });
  const t = await startTestJunction({ seed: net.seedFile, adapterEntries: simulatorEntries(net.topology), policyWorkers: process.env.BENCH_POLICY_WORKERS === undefined ? undefined : Number(process.env.BENCH_POLICY_WORKERS) });
  try {
    await t.waitForTerminal((await clients(t, { mode: 'sustained', orders: 1, clients: 1, ratePerSecond: 0 })).ids); // warm-up: policy bundle compiled, pools open
    const profiler = process.env.BENCH_CPU_PROFILE ? await startProfiler() : undefined;
    const phase1 = await sustained(t);
    if (profiler) await profiler.stop(process.env.BENCH_CPU_PROFILE!);
    const phase2 = await steady(t);
    const orders = counter;
    const actions = await t.database.db.selectFrom('order_actions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const expectedDecisions = orders + Number(actions.n);
    const decisions = await decisionsAudited(t, expectedDecisions);
    const report = {
      bench: 'orders',
      when: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      simulatorLatencyMs: 0,
      postgresTransport,
      sustained: phase1,
      steady50PerSecond: phase2,
      audit: { ordersPlaced: orders, resourceActions: Number(actions.n), decisionsInAuditLog: decisions, expectedDecisions },
      targets: { ordersPerSecond: 200, p99MsAt50PerSecond: 500 },
    };
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(resolve(root, 'bench/results/orders.json'), JSON.stringify(report, null, 2));
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await t.stop();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
