/**
 * Assembles order-to-activation for a running Junction: catalog from files into Postgres, the
 * demo seed (unless switched off), the policy engine from policies/rego (decisions published to
 * the decisions stream for the audit log), the adapter registry, the saga, the TMF routes and the
 * reservation expiry sweep. `platform/runtime.ts` calls this once.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { builtinAdapters } from '../adapters/builtins.js';
import { busEventPublisher, loadAdapters, openKvIdempotencyStore, readAdaptersFile, type AdapterRegistry } from '../adapters/runtime/index.js';
import { DEFAULT_SEED_FILE, readSeedFile, seedIfEmpty } from '../catalog/seed.js';
import { catalogReader, readCatalogDir, storeCatalog, type CatalogReader } from '../catalog/store.js';
import type { AccessControl } from '../gateway/access.js';
import type { GatewayEnv } from '../gateway/context.js';
import { cancelServiceOrderRoutes } from '../gateway/tmf/cancel-service-order.js';
import { hubRoutes } from '../gateway/tmf/hub.js';
import { inventoryRoutes } from '../gateway/tmf/inventory.js';
import { serviceOrderingRoutes } from '../gateway/tmf/service-ordering.js';
import type { Bus } from '../platform/bus/bus.js';
import type { Database } from '../platform/db/schema.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import { createOrderMetrics } from './metrics.js';
import type { PolicyEngine } from '../policies/engine/index.js';
import { loadPolicyEngine } from './policy-engine.js';
export { DECISION_ENTRYPOINTS, DEFAULT_POLICY_DIR, ORDER_ENTRYPOINTS } from './policy-engine.js';
import { busOrderEvents, type OrderEvents } from './events.js';
import { expireReservations } from './inventory.js';
import { startHub, type HubDeliveryOptions } from './hub.js';
import { raiseJeopardy } from './jeopardy.js';
import { createSaga, retryHeldOrders, type SagaRun } from './saga.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface OrderToActivationOptions {
  /** `demo` (default): load catalog/demo/seed.json into an empty database; `none`: nothing; else a seed file path. */
  seed?: string;
  /** Adapters file (JUNCTION_ADAPTERS); unset: the simulator on the demo topology, no faults, no latency. */
  adaptersFile?: string;
  /** Adapter entries given directly (tests); wins over adaptersFile. */
  adapterEntries?: unknown;
  adaptersBaseDir?: string;
  catalogDir?: string;
  policyDir?: string;
  /** Policy worker threads (default 0: on the event loop, see policy-engine.ts). */
  policyWorkers?: number;
  reservationTtlMs?: number;
  /** Period of the reservation expiry, jeopardy and stranded-order sweep. */
  expirySweepMs?: number;
  /** Hub notification delivery (retries, backoff, parking, which callbacks may be called). */
  hub?: HubDeliveryOptions;
}

export interface OrderToActivation {
  catalog: CatalogReader;
  events: OrderEvents;
  routes: Array<(app: Hono<GatewayEnv>, access: AccessControl) => void>;
  /** Only in a process with the orchestrator role. */
  saga?: SagaRun;
  /**
   * The process's one policy engine (order saga and assurance); its calls wait until the bundle
   * is compiled and loaded.
   */
  engine?: Pick<PolicyEngine, 'decide' | 'activate'>;
  adapters?: AdapterRegistry;
  close(): Promise<void>;
}

export const DEFAULT_ADAPTERS = [{ name: 'sim', builtin: 'simulator', settings: { topology: './simulator/topology.demo.json', seed: 1 } }];

/**
 * Orders stored `acknowledged` whose hand-over publish never happened (the gateway died between
 * insert and publish): publish again, with the gateway's message id. Only orders older than the
 * stream's duplicate window are considered, so this is for the truly stranded; should a saga still
 * run twice, reservations serialise on the order row (inventory.ts) and adapter calls share keys.
 */
export async function handOverStranded(db: Kysely<Database>, bus: Pick<Bus, 'publish' | 'subjects'>, olderThanMs = 5 * 60_000): Promise<string[]> {
  const rows = await db
    .selectFrom('service_orders')
    .select(['id', 'tenant'])
    .where('state', '=', 'acknowledged')
    .where('order_date', '<', new Date(Date.now() - olderThanMs))
    .limit(500)
    .execute();
  for (const r of rows) {
    await bus.publish(bus.subjects.orders.received, { orderId: r.id, tenant: r.tenant }, { messageId: `order:${r.id}:received` });
  }
  return rows.map((r) => r.id);
}

export async function prepareOrderToActivation(
  deps: { db: Kysely<Database>; bus: Bus; logger: Logger; orchestrator: boolean; metrics?: Pick<Metrics, 'registry'> },
  options: OrderToActivationOptions = {},
): Promise<OrderToActivation> {
  const { db, bus, logger } = deps;
  const added = await storeCatalog(db, readCatalogDir(options.catalogDir));
  if (added.length) logger.info({ specifications: added }, 'catalog loaded');
  const seed = options.seed ?? 'demo';
  if (seed !== 'none') {
    const file = seed === 'demo' ? DEFAULT_SEED_FILE : resolve(seed);
    if (await seedIfEmpty(db, readSeedFile(file))) logger.info({ seed: file }, 'demo data seeded into the empty database');
  }
  const catalog = catalogReader(db);
  const events = busOrderEvents(bus);
  const routes = [serviceOrderingRoutes({ db, bus, catalog, events }), cancelServiceOrderRoutes({ db, bus }), hubRoutes({ db, rules: options.hub?.rules ?? {} }), inventoryRoutes({ db })];
  if (!deps.orchestrator) return { catalog, events, routes, close: async () => undefined };

  const cleanups: Array<() => Promise<void>> = [];
  try {
    // Compiling the bundle takes seconds; do not hold up start-up (and /ready) for it. Sagas wait for it.
    const building = loadPolicyEngine(bus, logger, { policyDir: options.policyDir, workers: options.policyWorkers });
    building.catch((err) => logger.error({ err }, `policy bundle failed to build: ${(err as Error).message}`));
    cleanups.push(async () => (await building.catch(() => undefined))?.close());
    const engine: Pick<PolicyEngine, 'decide' | 'activate'> = {
      decide: async (...args) => (await building).decide(...args),
      // The policy lifecycle (gateway/auth) swaps bundles on every engine of the process, this one too.
      activate: async (bundle) => (await building).activate(bundle),
    };
    let entries = options.adapterEntries;
    let baseDir = options.adaptersBaseDir ?? resolve(ROOT, 'adapters');
    if (entries === undefined && options.adaptersFile) ({ entries, baseDir } = await readAdaptersFile(options.adaptersFile));
    // Idempotency records live in a JetStream KV bucket, not in memory: a saga resumed in another
    // process (after a crash between an adapter call and its commit) must find them.
    const store = await openKvIdempotencyStore(bus);
    const adapters = await loadAdapters(entries ?? DEFAULT_ADAPTERS, { logger, baseDir, builtins: builtinAdapters, events: busEventPublisher(bus), store });
    await adapters.start();
    cleanups.push(() => adapters.close());
    const metrics = deps.metrics ? createOrderMetrics(deps.metrics.registry) : undefined;
    // Held orders (catalog onInfeasible: hold) are tried again whenever capacity is given back, and by the sweep.
    // Coalesced: a burst of releases (many orders failing at once) makes one pass, plus one after it.
    let retrying: Promise<unknown> | undefined;
    let again = false;
    const retryHeld = (): Promise<unknown> => {
      if (retrying) return ((again = true), retrying);
      retrying = retryHeldOrders(db, bus)
        .then(
          (orders) => orders.length && logger.debug({ orders }, 'held orders handed to the saga again'),
          (err) => logger.warn({ err }, 'retrying held orders failed'),
        )
        .finally(() => {
          retrying = undefined;
          if (again) void ((again = false), retryHeld());
        });
      return retrying;
    };
    const saga = createSaga({ db, engine, adapters, catalog, events, logger, metrics, reservationTtlMs: options.reservationTtlMs, onCapacityFreed: () => void retryHeld() });
    const sweep = setInterval(() => {
      expireReservations(db).then(
        (orders) => orders.length && logger.warn({ orders }, 'expired reservations of orders that did not finish'),
        (err) => logger.warn({ err }, 'reservation expiry sweep failed'),
      );
      void retryHeld();
      raiseJeopardy(db, catalog, events).then(
        (orders) => orders.length && logger.warn({ orders }, 'orders in jeopardy: past their expected duration'),
        (err) => logger.warn({ err }, 'jeopardy sweep failed'),
      );
      handOverStranded(db, bus).then(
        (orders) => orders.length && logger.warn({ orders }, 'handed over orders stored but never published'),
        (err) => logger.warn({ err }, 'stranded order sweep failed'),
      );
    }, options.expirySweepMs ?? 30_000);
    sweep.unref();
    cleanups.push(async () => clearInterval(sweep));
    const hub = await startHub({ db, bus, logger }, options.hub);
    cleanups.push(() => hub.stop());
    return {
      catalog,
      events,
      routes,
      saga,
      engine,
      adapters,
      close: async () => {
        for (const c of cleanups.reverse()) await c().catch((err) => logger.warn({ err }, 'order-to-activation cleanup failed'));
      },
    };
  } catch (err) {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    throw err;
  }
}
