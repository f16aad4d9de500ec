/**
 * The HTTP edge. /health and /ready are open; every other path needs a bearer key (default deny),
 * and each route names the roles it admits through `requireRoles`.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Bus } from '../platform/bus/bus.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { Readiness } from '../platform/readiness.js';
import { requireRoles, type AccessControl } from './access.js';
import type { GatewayEnv } from './context.js';
import { jsonError } from './errors.js';
import { requestContext } from './request-context.js';

export interface GatewayDeps {
  logger: Logger;
  access: AccessControl;
  metrics: Metrics;
  bus: Pick<Bus, 'publish'>;
  readiness: () => Promise<Readiness>;
  /** Route modules mounted after the built-in routes (e.g. the TMF APIs in gateway/tmf/). */
  routes?: ReadonlyArray<(app: Hono<GatewayEnv>, access: AccessControl) => void>;
  /** Middleware run after authentication on every non-public path (gateway/hardening: body limits, rate limits). */
  edge?: ReadonlyArray<MiddlewareHandler<GatewayEnv>>;
}

/** Paths answered without a key: orchestration probes must work before any key exists. */
const PUBLIC_PATHS = new Set(['/health', '/ready']);

export function createGatewayApp(deps: GatewayDeps): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  const authenticated = requireRoles(deps.access);

  app.use('*', requestContext(deps));
  app.use('*', (c, next) => (PUBLIC_PATHS.has(c.req.path) ? next() : authenticated(c, next)));
  for (const mw of deps.edge ?? []) app.use('*', (c, next) => (PUBLIC_PATHS.has(c.req.path) ? next() : mw(c, next)));

  /** Liveness: the process serves HTTP. Says nothing about dependencies (that is /ready). */
  app.get('/health', (c) => c.json({ status: 'ok' }));

  /** Readiness: 200 only when Postgres and JetStream answer; 503 names the ones that failed. */
  app.get('/ready', async (c) => {
    const { ready, checks } = await deps.readiness();
    if (ready) return c.json({ status: 'ready', checks });
    const failed = Object.entries(checks)
      .filter(([, r]) => r.status === 'failed')
      .map(([name]) => name);
    return c.json({ status: 'unavailable', failed, checks }, 503);
  });

  /** Prometheus metrics, for operators (a scraper uses an operator key as bearer token). */
  app.get('/metrics', requireRoles(deps.access, 'operator'), async (c) => {
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { 'Content-Type': deps.metrics.registry.contentType });
  });

  for (const mount of deps.routes ?? []) mount(app, deps.access);

  app.notFound((c) => jsonError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    // Thrown on purpose by a route or middleware (e.g. a malformed body): its status stands.
    if (err instanceof HTTPException && err.status < 500) return jsonError(c, err.status, 'bad_request', err.message);
    (c.get('log') ?? deps.logger).error({ err }, 'unhandled error');
    return jsonError(c, 500, 'internal', 'internal error');
  });
  return app;
}
