// The edge's hardening middleware, in order: path/query sanity, body limits (size, depth,
// prototype keys, NUL), then the
// per-principal rate limit. Mounted after authentication (gateway/app.ts `edge`), so strangers
// are turned away before any body is read and every limit has a principal.
import type { MiddlewareHandler } from 'hono';
import type { GatewayEnv } from '../context.js';
import { bodyLimits, type BodyLimits } from './body-limits.js';
import { rateLimit, type RateLimitSettings } from './rate-limit.js';
import { requestLineCheck } from './request-line.js';

export interface EdgeSettings {
  body?: Partial<BodyLimits>;
  /** Default 1000 requests/s sustained, bursts of 2000, per principal and instance. */
  rate?: RateLimitSettings | false;
}

export const DEFAULT_RATE: RateLimitSettings = { perSecond: 1000, burst: 2000 };

/**
 * Failed authentications per client address (gateway/access.ts): 20 at once, then 2 per second.
 * An address that used them up gets 429 before its credential is even looked at.
 */
export const DEFAULT_AUTH_FAILURE_RATE: RateLimitSettings = { perSecond: 2, burst: 20 };

/** `<per second>[:<burst>]` (burst defaults to twice the rate) or `off`; a bad value names the variable. */
export function parseRateSetting(variable: string, value: string | undefined): RateLimitSettings | false | undefined {
  const rate = value?.trim();
  if (!rate) return undefined;
  if (rate === 'off') return false;
  const m = /^(\d+)(?::(\d+))?$/.exec(rate);
  if (!m || Number(m[1]) === 0 || m[2] === '0') throw new Error(`${variable}: expected <per second>[:<burst>] or off, got ${JSON.stringify(rate)}`);
  return { perSecond: Number(m[1]), burst: Number(m[2] ?? Number(m[1]) * 2) };
}

/** JUNCTION_AUTH_FAILURE_LIMIT: failed authentications per client address, default DEFAULT_AUTH_FAILURE_RATE. */
export function authFailureLimitFromEnv(env: Record<string, string | undefined>): RateLimitSettings | false {
  return parseRateSetting('JUNCTION_AUTH_FAILURE_LIMIT', env.JUNCTION_AUTH_FAILURE_LIMIT) ?? DEFAULT_AUTH_FAILURE_RATE;
}

/**
 * JUNCTION_RATE_LIMIT: `<per second>[:<burst>]` or `off`; JUNCTION_MAX_BODY_BYTES: JSON body cap.
 * A bad value is an error naming the variable.
 */
export function edgeSettingsFromEnv(env: Record<string, string | undefined>): EdgeSettings {
  const out: EdgeSettings = {};
  const rate = parseRateSetting('JUNCTION_RATE_LIMIT', env.JUNCTION_RATE_LIMIT);
  if (rate !== undefined) out.rate = rate;
  const body = env.JUNCTION_MAX_BODY_BYTES?.trim();
  if (body) {
    if (!/^\d+$/.test(body) || Number(body) < 1024) throw new Error(`JUNCTION_MAX_BODY_BYTES: expected an integer of at least 1024, got ${JSON.stringify(body)}`);
    out.body = { maxJsonBytes: Number(body) };
  }
  return out;
}

export function edgeHardening(settings: EdgeSettings = {}): MiddlewareHandler<GatewayEnv>[] {
  const chain = [requestLineCheck(), bodyLimits(settings.body)];
  if (settings.rate !== false) chain.push(rateLimit(settings.rate ?? DEFAULT_RATE));
  return chain;
}

export { bodyLimits, DEFAULT_BODY_LIMITS, type BodyLimits } from './body-limits.js';
export { rateLimit, tokenBuckets, type RateLimitSettings, type TokenBuckets } from './rate-limit.js';
export {
  checkShape as checkWebhookUrlShape,
  checkWebhookUrl,
  deliverWebhook,
  signWebhookPayload,
  verifyWebhookSignature,
  isPublicAddress,
  webhookFetch,
  WebhookTargetError,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  EVENT_ID_HEADER,
  type WebhookRules,
} from './webhooks.js';
export { parseSafeJson, UnsafeJsonError } from './safe-json.js';
export { requestLineCheck, requestLineProblem } from './request-line.js';
