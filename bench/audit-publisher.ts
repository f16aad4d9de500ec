/**
 * Worker thread for bench/audit.ts: publishes decision events to the
 * decisions stream (on the second core) and reports each decision's publish
 * time back to the main thread, in epoch milliseconds with sub-ms precision.
 *
 * Publishes with core NATS (the subject is bound to the stream, which stores
 * it) plus a flush per chunk, rather than awaiting a JetStream ack per
 * message: the nats.js per-request bookkeeping would make the publisher, not
 * the writer, the bottleneck. The main thread checks every decision arrived.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect, headers } from '@nats-io/transport-node';
import { decisionEvent } from '../audit/testing/fixtures.js';

interface PublisherJob {
  natsUrl: string;
  subject: string;
  count: number;
  offset: number;
  /** Decisions per second; 0 = as fast as the stream acks. */
  rate: number;
}

const job = workerData as PublisherJob;
const now = () => performance.timeOrigin + performance.now();
const nc = await connect({ servers: job.natsUrl });
let report: [string, number][] = [];
const started = now();
for (let i = 0; i < job.count; i++) {
  if (job.rate > 0) {
    const due = started + (i * 1000) / job.rate;
    const wait = due - now();
    if (wait > 1) {
      await nc.flush();
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  const e = decisionEvent(job.offset + i);
  const h = headers();
  h.set('Nats-Msg-Id', e.decision_id);
  const t = now();
  nc.publish(job.subject, JSON.stringify(e), { headers: h });
  report.push([e.decision_id, t]);
  if (report.length >= 100) {
    await nc.flush();
    parentPort!.postMessage({ type: 'published', items: report });
    report = [];
  }
}
await nc.flush();
parentPort!.postMessage({ type: 'published', items: report });
parentPort!.postMessage({ type: 'done', seconds: (now() - started) / 1000 });
await nc.close();
