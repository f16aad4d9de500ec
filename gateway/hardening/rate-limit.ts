// Per-principal rate limits: a token bucket per authenticated principal (this instance's share;
// with N instances behind a balancer the effective limit is about N times this).
import type { MiddlewareHandler } from 'hono';
import type { GatewayEnv } from '../context.js';
import { jsonError } from '../errors.js';

export interface RateLimitSettings {
  /** Sustained requests per second per principal. */
  perSecond: number;
  /** Requests allowed in a burst above the sustained rate. */
  burst: number;
  /** Clock in ms (tests pass their own). */
  now?: () => number;
  /** Buckets kept at most (least recently used are dropped). */
  maxPrincipals?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function rateLimit(settings: RateLimitSettings): MiddlewareHandler<GatewayEnv> {
  const now = settings.now ?? Date.now;
  const max = settings.maxPrincipals ?? 10_000;
  const buckets = new Map<string, Bucket>();
  return async (c, next) => {
    const principal = c.get('principal');
    if (!principal) return next(); // unauthenticated requests never get this far except public probes
    const t = now();
    let b = buckets.get(principal.name);
    if (b) buckets.delete(principal.name);
    b ??= { tokens: settings.burst, at: t };
    b.tokens = Math.min(settings.burst, b.tokens + ((t - b.at) / 1000) * settings.perSecond);
    b.at = t;
    buckets.set(principal.name, b); // re-inserted: Map order is recency order
    if (buckets.size > max) buckets.delete(buckets.keys().next().value!);
    if (b.tokens < 1) {
      const wait = Math.ceil((1 - b.tokens) / settings.perSecond);
      c.header('Retry-After', String(Math.max(1, wait)));
      return jsonError(c, 429, 'rate_limited', `principal ${principal.name} exceeds ${settings.perSecond} requests per second`);
    }
    b.tokens -= 1;
    await next();
  };
}
