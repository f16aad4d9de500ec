// A pool of worker threads that hold warm policy instances. Requests go to the least busy worker.
import { Worker } from 'node:worker_threads';

type Pending = { resolve: (v: WorkerReply) => void; reject: (e: Error) => void };

export interface WorkerReply {
  id: number;
  ok: boolean;
  error?: string;
  resultSet?: Array<Record<string, unknown>>;
  evalNs?: number;
}

interface PoolWorker {
  worker: Worker;
  inFlight: number;
  pending: Map<number, Pending>;
}

const WORKER_URL = new URL('./worker.mjs', import.meta.url);

export class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.workers.push(this.spawn());
  }

  get size(): number {
    return this.workers.length;
  }

  private spawn(): PoolWorker {
    const pw: PoolWorker = { worker: new Worker(WORKER_URL), inFlight: 0, pending: new Map() };
    pw.worker.on('message', (reply: WorkerReply) => {
      const p = pw.pending.get(reply.id);
      if (!p) return;
      pw.pending.delete(reply.id);
      pw.inFlight--;
      if (reply.ok) p.resolve(reply);
      else p.reject(new Error(reply.error ?? 'policy evaluation failed'));
    });
    pw.worker.on('error', (err) => this.failAll(pw, err));
    pw.worker.on('exit', (code) => {
      if (!this.closed) this.failAll(pw, new Error(`policy worker exited with code ${code}`));
    });
    return pw;
  }

  private failAll(pw: PoolWorker, err: Error): void {
    for (const p of pw.pending.values()) p.reject(err);
    pw.pending.clear();
    pw.inFlight = 0;
  }

  private send(pw: PoolWorker, msg: Record<string, unknown>): Promise<WorkerReply> {
    if (this.closed) return Promise.reject(new Error('policy engine is closed'));
    const id = this.nextId++;
    pw.inFlight++;
    return new Promise((resolve, reject) => {
      pw.pending.set(id, { resolve, reject });
      pw.worker.postMessage({ ...msg, id });
    });
  }

  /** Send to the worker with the fewest requests in flight. */
  request(msg: Record<string, unknown>): Promise<WorkerReply> {
    let best = this.workers[0]!;
    for (const w of this.workers) if (w.inFlight < best.inFlight) best = w;
    return this.send(best, msg);
  }

  /** Send to every worker and wait for all of them. */
  async broadcast(msg: Record<string, unknown>): Promise<void> {
    await Promise.all(this.workers.map((w) => this.send(w, msg)));
  }

  /** Fire-and-forget notice to every worker. */
  notify(msg: Record<string, unknown>): void {
    for (const w of this.workers) w.worker.postMessage({ ...msg, id: 0 });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
