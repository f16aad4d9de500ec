/**
 * Brings Junction up from a Config and takes it down again. `platform/main.ts` is the thin entry
 * around it (env, signals, exit codes); tests call `startJunction` directly.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { accessSettingsFromEnv, prepareAccess } from '../gateway/auth/wiring.js';
import { edgeHardening, edgeSettingsFromEnv } from '../gateway/hardening/index.js';
import { tlsServeOptions } from '../gateway/hardening/tls.js';
import { prepareAudit } from '../audit/wiring.js';
import { createGatewayApp } from '../gateway/app.js';
import { prepareOperations } from '../gateway/operations/index.js';
import type { AdapterRegistry } from '../adapters/runtime/index.js';
import { prepareAssurance } from '../orchestrator/assurance/wiring.js';
import { storedBundleEvaluator } from '../policies/lifecycle/replay.js';
import { orchestratorBindings } from '../orchestrator/handlers.js';
import { createOrchestrator, type Orchestrator } from '../orchestrator/orchestrator.js';
import { DECISION_ENTRYPOINTS, prepareOrderToActivation, type OrderToActivation, type OrderToActivationOptions } from '../orchestrator/wiring.js';
import { createBus, ensureTopology, type Bus } from './bus/bus.js';
import { resolveNats } from './bus/resolve.js';
import type { Config } from './config.js';
import { resolveDatabase, type DatabaseHandle } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { checkReadiness } from './readiness.js';

export interface RunningJunction {
  /** Base URL of the HTTP listener, e.g. http://127.0.0.1:8080. */
  url: string;
  database: DatabaseHandle;
  bus: Bus;
  metrics: Metrics;
  /** The adapter registry (orchestrator role only): tests and the demo drive the simulator through it. */
  adapters?: AdapterRegistry;
  /**
   * Graceful stop: stop taking requests and let in-flight ones finish, stop consumers after the
   * messages in hand are committed and acked, drain NATS, close the pool.
   */
  stop(): Promise<void>;
}

function listen(app: { fetch: (req: Request) => Response | Promise<Response> }, config: Config): Promise<Server> {
  // HTTPS when JUNCTION_TLS_CERT_FILE/_KEY_FILE are set (a bad file fails here, before listening).
  const tls = tlsServeOptions(config.tls);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host, ...tls }) as Server;
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    // close() stops accepting and ends idle keep-alive sockets; requests in flight finish first.
    server.close(() => resolve());
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  });
}

/** Where to look for services when DATABASE_URL / NATS_URL are unset (tests point these at free ports). */
export interface LocalDefaults {
  databaseUrl?: string;
  natsUrl?: string;
}

export async function startJunction(
  config: Config,
  logger: Logger,
  local: LocalDefaults = {},
  /** Catalog, seed, policies and adapters for order-to-activation (main.ts fills it from JUNCTION_SEED / JUNCTION_ADAPTERS). */
  orders: OrderToActivationOptions = {},
  /** Where the access (JWT, bundle keys) and edge (rate and body limits) settings are read from. */
  env: Record<string, string | undefined> = process.env,
): Promise<RunningJunction> {
  const cleanups: Array<() => Promise<void>> = [];
  const unwind = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => logger.warn({ err }, 'cleanup failed'));
  };
  try {
    const database = await resolveDatabase(
      { databaseUrl: config.databaseUrl, preparedStatements: config.databasePreparedStatements, dataDir: config.dataDir, localUrl: local.databaseUrl },
      logger,
    );
    cleanups.push(() => database.close());
    await migrateToLatest(database.db, logger);

    const nats = await resolveNats(config.natsUrl, config.dataDir, logger, local.natsUrl);
    cleanups.push(() => nats.stopEmbedded());
    const bus = await createBus(nats.nc, config.namespace, logger);
    cleanups.push(() => bus.close());
    await ensureTopology(bus.jsm, bus.topology);

    const metrics = createMetrics();
    const o2a: OrderToActivation = await prepareOrderToActivation(
      { db: database.db, bus, logger, metrics, orchestrator: config.processRoles.includes('orchestrator') },
      // The hub calls only the callbacks the configuration allows (tests may pass their own rules).
      { policyWorkers: config.policyWorkers, ...orders, hub: { rules: config.webhooks, ...orders.hub } },
    );
    cleanups.push(() => o2a.close());
    // Identity (bootstrap/database keys, JWT), authorization by data.junction.authz, and the policy
    // lifecycle that swaps bundles on every engine of this process (gateway/auth/wiring.ts).
    const security = await prepareAccess(
      { db: database.db, bus, logger, engines: [o2a.engine], requiredEntrypoints: o2a.engine ? DECISION_ENTRYPOINTS : [] },
      accessSettingsFromEnv(env, config.apiKeys),
    );
    cleanups.push(() => security.close());
    // Network events → problems, impact notifications, SLA, remediation (orchestrator/assurance).
    const assurance = await prepareAssurance({
      db: database.db,
      bus,
      logger,
      metrics,
      orchestrator: config.processRoles.includes('orchestrator'),
      ...(o2a.engine ? { engine: o2a.engine } : {}),
      ...(o2a.adapters ? { adapters: o2a.adapters } : {}),
    });
    cleanups.push(() => assurance.close());
    // The decision log: writer on orchestrator processes, auditor routes on gateways.
    const audit = await prepareAudit(
      {
        db: database.db,
        bus,
        logger,
        writer: config.processRoles.includes('orchestrator'),
        evaluate: storedBundleEvaluator(database.db),
      },
      { ...config.audit, dataDir: config.dataDir },
    );
    cleanups.push(() => audit.close());
    // Dead letters: recorded from their stream where consumers run; operator routes on the gateway.
    const operations = await prepareOperations({ db: database.db, bus, logger, metrics, recorder: config.processRoles.includes('orchestrator') });
    cleanups.push(() => operations.close());
    let orchestrator: Orchestrator | undefined;
    if (config.processRoles.includes('orchestrator')) {
      orchestrator = createOrchestrator({ bus, logger, metrics }, orchestratorBindings({ bus, db: database.db, saga: o2a.saga }));
      cleanups.push(() => orchestrator!.stop());
      await orchestrator.start();
    }

    if (config.apiKeys.length === 0 && config.processRoles.includes('gateway')) {
      logger.warn('JUNCTION_API_KEYS is empty: every API except /health and /ready answers 401');
    }
    const app = createGatewayApp({
      logger,
      access: security.access,
      metrics,
      bus,
      routes: [...o2a.routes, ...security.routes, ...assurance.routes, ...audit.routes, ...operations.routes],
      edge: edgeHardening(edgeSettingsFromEnv(env)),
      readiness: () =>
        checkReadiness([
          { name: 'postgres', check: () => database.check() },
          { name: 'jetstream', check: () => bus.check() },
        ]),
    });
    const server = await listen(app, config);
    cleanups.push(() => closeServer(server, Math.floor(config.shutdownTimeoutMs / 2)));
    const { port } = server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `${config.tls ? 'https' : 'http'}://${host}:${port}`;
    logger.info(
      { url, roles: config.processRoles, namespace: config.namespace, database: database.kind, nats: nats.url },
      'junction started',
    );

    let stopped: Promise<void> | undefined;
    return { url, database, bus, metrics, ...(o2a.adapters ? { adapters: o2a.adapters } : {}), stop: () => (stopped ??= unwind()) };
  } catch (err) {
    await unwind();
    throw err;
  }
}
