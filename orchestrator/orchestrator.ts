/**
 * The event-driven core: runs one handler per durable consumer and stops them cleanly.
 * Handlers are bound by `orchestrator/handlers.ts`; the order saga plugs in there.
 */
import type { Bus } from '../platform/bus/bus.js';
import { startConsumer, type MessageHandler, type RunningConsumer } from '../platform/bus/consume.js';
import type { ConsumerSpec } from '../platform/bus/subjects.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';

export interface ConsumerBinding {
  spec: ConsumerSpec;
  handler: MessageHandler;
  /** Messages handled at once (default 1: in stream order). */
  concurrency?: number;
}

export interface Orchestrator {
  start(): Promise<void>;
  /** Stops pulling; waits for messages in hand to finish and be acked. Unstarted work stays unacked for redelivery. */
  stop(): Promise<void>;
}

export function createOrchestrator(
  deps: { bus: Bus; logger: Logger; metrics?: Metrics },
  bindings: ConsumerBinding[],
): Orchestrator {
  const log = deps.logger.child({ component: 'orchestrator' });
  let running: RunningConsumer[] = [];
  return {
    async start() {
      for (const b of bindings) {
        running.push(await startConsumer(deps.bus, b.spec, b.handler, log, { metrics: deps.metrics, concurrency: b.concurrency ?? 1 }));
      }
    },
    async stop() {
      const stopping = running;
      running = [];
      await Promise.all(stopping.map((c) => c.stop()));
    },
  };
}
