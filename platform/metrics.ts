/**
 * Prometheus metrics. One registry per process, passed to whoever records (no prom-client global
 * default registry, so tests and several apps in one process do not collide).
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  busMessages: Counter<'consumer' | 'outcome'>;
}

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'junction_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'junction_http_requests_total',
      help: 'HTTP requests by method, matched route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'junction_http_request_duration_seconds',
      help: 'HTTP request duration by method and matched route',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    busMessages: new Counter({
      name: 'junction_bus_messages_total',
      help: 'Bus messages handled by consumer and outcome (acked, retried, terminated)',
      labelNames: ['consumer', 'outcome'],
      registers: [registry],
    }),
  };
}
