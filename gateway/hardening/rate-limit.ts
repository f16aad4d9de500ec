// Rate limits: token buckets per key. The edge middleware keys them by authenticated principal
// (this instance's share; with N instances behind a balancer the effective limit is about N times
// this); gateway/access.ts keys a second set by client address and charges it only for failed
// authentication, so a client guessing keys is slowed down without a principal to count against.
import type { MiddlewareHandler } from 'hono';
import type { GatewayEnv } from '../context.js';
import { jsonError } from '../errors.js';

export interface RateLimitSettings {
  /** Sustained requests per second per key. */
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

export interface TokenBuckets {
  /** Seconds to wait before `key` may go on (at least 1), or 0 when it has a token left. Does not spend one. */
  wait(key: string): number;
  /** Spends a token of `key`; returns what `wait` would have answered before. */
  take(key: string): number;
}

export function tokenBuckets(settings: RateLimitSettings): TokenBuckets {
  const now = settings.now ?? Date.now;
  const max = settings.maxPrincipals ?? 10_000;
  const buckets = new Map<string, Bucket>();
  const refill = (key: string): Bucket => {
    const t = now();
    let b = buckets.get(key);
    if (b) buckets.delete(key);
    b ??= { tokens: settings.burst, at: t };
    b.tokens = Math.min(settings.burst, b.tokens + ((t - b.at) / 1000) * settings.perSecond);
    b.at = t;
    buckets.set(key, b); // re-inserted: Map order is recency order
    if (buckets.size > max) buckets.delete(buckets.keys().next().value!);
    return b;
  };
  const waitOf = (b: Bucket) => (b.tokens < 1 ? Math.max(1, Math.ceil((1 - b.tokens) / settings.perSecond)) : 0);
  return {
    wait: (key) => waitOf(refill(key)),
    take(key) {
      const b = refill(key);
      const wait = waitOf(b);
      if (wait === 0) b.tokens -= 1;
      return wait;
    },
  };
}

export function rateLimit(settings: RateLimitSettings): MiddlewareHandler<GatewayEnv> {
  const buckets = tokenBuckets(settings);
  return async (c, next) => {
    const principal = c.get('principal');
    if (!principal) return next(); // unauthenticated requests never get this far except public probes
    const wait = buckets.take(principal.name);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      return jsonError(c, 429, 'rate_limited', `principal ${principal.name} exceeds ${settings.perSecond} requests per second`);
    }
    await next();
  };
}
