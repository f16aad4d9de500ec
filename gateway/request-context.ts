/**
 * Gives every request an id (the caller's X-Request-Id when it is sane, else a new UUID), a logger
 * bound to it, a bus publisher that carries it as correlation id, and one access-log line.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Bus } from '../platform/bus/bus.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { GatewayEnv } from './context.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

export function requestContext(deps: { logger: Logger; bus: Pick<Bus, 'publish'>; metrics: Metrics }): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const requestId = incoming && ACCEPTED_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const started = performance.now();
    c.set('requestId', requestId);
    c.set('log', deps.logger.child({ requestId }));
    c.set('publish', (subject, payload, options) =>
      deps.bus.publish(subject, payload, { ...options, correlationId: requestId }),
    );
    c.header(REQUEST_ID_HEADER, requestId);
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath || 'unmatched';
    deps.metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    deps.metrics.httpDuration.observe({ method: c.req.method, route }, seconds);
    // Probes and scrapes arrive every few seconds; keep them out of the info stream.
    const level = QUIET_PATHS.has(c.req.path) ? 'debug' : 'info';
    c.get('log')[level](
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(seconds * 1000) },
      'request',
    );
  };
}
