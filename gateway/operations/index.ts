/**
 * Operations, assembled: the dead-letter recorder (in processes that run consumers) and the
 * operator routes under /operations/v1 (on every gateway). `platform/runtime.ts` calls this once.
 */
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Bus } from '../../platform/bus/bus.js';
import type { RunningConsumer } from '../../platform/bus/consume.js';
import { startDeadLetterRecorder } from '../../platform/bus/dead-letter-store.js';
import type { Database } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import type { AccessControl } from '../access.js';
import type { GatewayEnv } from '../context.js';
import { deadLetterRoutes } from './dead-letters.js';

export interface Operations {
  routes: Array<(app: Hono<GatewayEnv>, access: AccessControl) => void>;
  close(): Promise<void>;
}

/**
 * `junction_dead_letters_pending{consumer}`: dead letters waiting for an operator, read from
 * Postgres at scrape time (the counter in platform/bus/dead-letter.ts only sees this process).
 */
export function registerPendingGauge(registry: Registry, db: Kysely<Database>): void {
  if (registry.getSingleMetric('junction_dead_letters_pending')) return;
  new Gauge({
    name: 'junction_dead_letters_pending',
    help: 'Dead letters waiting for an operator (retry or discard), by consumer',
    labelNames: ['consumer'],
    registers: [registry],
    async collect() {
      const rows = await db
        .selectFrom('dead_letters')
        .select(['consumer', (eb) => eb.fn.countAll<string>().as('n')])
        .where('status', '=', 'pending')
        .groupBy('consumer')
        .execute();
      this.reset();
      for (const r of rows) this.set({ consumer: r.consumer }, Number(r.n));
    },
  });
}

export async function prepareOperations(deps: { db: Kysely<Database>; bus: Bus; logger: Logger; metrics?: Metrics; recorder: boolean }): Promise<Operations> {
  if (deps.metrics) registerPendingGauge(deps.metrics.registry, deps.db);
  let recorder: RunningConsumer | undefined;
  if (deps.recorder) recorder = await startDeadLetterRecorder(deps);
  return {
    routes: [deadLetterRoutes({ db: deps.db, bus: deps.bus })],
    close: async () => {
      await recorder?.stop();
    },
  };
}
