// The BSS side of bench:orders, in a process of its own (forked by bench/orders.ts) so the load
// clients neither share Junction's event loop nor count in its CPU. Receives one job over IPC,
// posts the orders, answers with their ids, when it started and its own CPU time.
import { Agent, request } from 'node:http';
import { orderFor } from '../orchestrator/testing.js';

export interface ClientJob {
  url: string;
  apiKey: string;
  /** sustained: `clients` loops posting as fast as answered; steady: one POST every 1/rate s. */
  mode: 'sustained' | 'steady';
  orders: number;
  clients: number;
  ratePerSecond: number;
  /** First order number (external ids must not repeat across jobs). */
  first: number;
}

export interface ClientReport {
  ids: string[];
  startedAt: number;
  acceptedMs: number;
  cpuMs: number;
}

/** Every fourth order an enterprise slice, the rest broadband, alternating sites. */
function nextOrder(i: number) {
  const site = i % 2 === 0 ? 'SITE-A' : 'SITE-B';
  return i % 4 === 3
    ? orderFor('CUST-2001', 'enterprise-5g-slice', { bandwidthMbps: 10 }, site, `bench-${i}`)
    : orderFor('CUST-1001', 'broadband', { bandwidthMbps: 100 }, site, `bench-${i}`);
}

async function run(job: ClientJob): Promise<ClientReport> {
  const cpu = process.cpuUsage();
  const ids: string[] = [];
  let next = job.first;
  // node:http with keep-alive: a BSS client far cheaper than fetch, so the machine's CPU goes to Junction.
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(1, job.clients) });
  const url = new URL('/tmf-api/serviceOrdering/v4/serviceOrder', job.url);
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const payload = JSON.stringify(nextOrder(next++));
      const req = request(
        url,
        { method: 'POST', agent, headers: { authorization: `Bearer ${job.apiKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            const body = JSON.parse(text) as { id?: string };
            if (res.statusCode !== 201 || !body.id) return reject(new Error(`POST answered ${res.statusCode}: ${text}`));
            ids.push(body.id);
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const startedAt = Date.now();
  const started = performance.now();
  const end = job.first + job.orders;
  if (job.mode === 'sustained') {
    await Promise.all(Array.from({ length: job.clients }, async () => {
      while (next < end) await post();
    }));
  } else {
    const posts: Promise<void>[] = [];
    for (let i = 0; i < job.orders; i++) {
      const wait = started + (i * 1000) / job.ratePerSecond - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      posts.push(post());
    }
    await Promise.all(posts);
  }
  const used = process.cpuUsage(cpu);
  return { ids, startedAt, acceptedMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

process.once('message', (job: ClientJob) => {
  run(job).then(
    (report) => process.send!(report, () => process.exit(0)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
});
