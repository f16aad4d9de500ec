// Webhook callbacks (hub listeners): which URLs may be called, how payloads are signed, and a
// delivery with a deadline that does not follow redirects (a redirect could point anywhere).
//
// DNS rebinding: a host that resolved to a public address when the subscription was checked may
// resolve to 127.0.0.1 a minute later. `webhookFetch` therefore resolves the host itself when it
// connects, checks every address against the rules, and hands the socket exactly the addresses
// it checked (net's `lookup` hook), so no second, unchecked resolution happens.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';

export interface WebhookRules {
  /** Allow private, loopback, link-local and other non-public targets (default false). */
  allowPrivate?: boolean;
  /** Hostnames (exact, or ".example.com" for subdomains) always allowed, even if private. */
  allowHosts?: readonly string[];
  /** Hostnames (exact or ".suffix") never allowed. */
  denyHosts?: readonly string[];
  /** Allow plain http (default false: https only). */
  allowHttp?: boolean;
}

export type UrlVerdict = { ok: true; url: URL; addresses: string[] } | { ok: false; reason: string };

/** Addresses that are not on the public internet. */
const nonPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) nonPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['64:ff9b::', 96]] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return !nonPublic.check(mapped[1]!, 'ipv4');
    return !nonPublic.check(address, 'ipv6');
  }
  return !nonPublic.check(address, 'ipv4');
}

const hostMatches = (host: string, patterns: readonly string[] = []) =>
  patterns.some((p) => (p.startsWith('.') ? host.endsWith(p) || host === p.slice(1) : host === p.toLowerCase()));

export type Resolver = (host: string) => Promise<string[]>;
export const dnsResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

type Shape = { ok: true; url: URL; host: string; allowed: boolean } | { ok: false; reason: string };

/**
 * Everything about a URL that needs no DNS: scheme, credentials, host lists, literal addresses.
 * A subscription's callback is checked with this alone; its addresses are checked when called.
 */
export function checkShape(raw: string | URL, rules: WebhookRules): Shape {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'callback is not an absolute URL' };
  }
  if (url.protocol !== 'https:' && !(rules.allowHttp && url.protocol === 'http:')) {
    return { ok: false, reason: `callback scheme ${url.protocol.replace(':', '')} is not allowed (${rules.allowHttp ? 'http or https' : 'https only'})` };
  }
  if (url.username || url.password) return { ok: false, reason: 'callback URLs may not carry credentials' };
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (hostMatches(host, rules.denyHosts)) return { ok: false, reason: `callback host ${host} is denied` };
  const allowed = hostMatches(host, rules.allowHosts);
  if (isIP(host)) {
    const problem = addressProblem(host, [host], rules, allowed);
    if (problem) return { ok: false, reason: problem };
  }
  return { ok: true, url, host, allowed };
}

/** Why these addresses of `host` may not be called, or undefined when they may. */
function addressProblem(host: string, addresses: readonly string[], rules: WebhookRules, allowed: boolean): string | undefined {
  if (addresses.length === 0) return `callback host ${host} does not resolve`;
  if (allowed || rules.allowPrivate) return undefined;
  const bad = addresses.find((a) => !isPublicAddress(a));
  return bad ? `callback host ${host} resolves to ${bad}, a private or loopback address` : undefined;
}

/** Checks a callback URL against the rules, resolving its host (every address must pass). */
export async function checkWebhookUrl(raw: string, rules: WebhookRules = {}, resolve: Resolver = dnsResolver): Promise<UrlVerdict> {
  const shape = checkShape(raw, rules);
  if (!shape.ok) return shape;
  if (isIP(shape.host)) return { ok: true, url: shape.url, addresses: [shape.host] };
  let addresses: string[];
  try {
    addresses = await resolve(shape.host);
  } catch {
    return { ok: false, reason: `callback host ${shape.host} does not resolve` };
  }
  const problem = addressProblem(shape.host, addresses, rules, shape.allowed);
  return problem ? { ok: false, reason: problem } : { ok: true, url: shape.url, addresses };
}

/** A refused callback target (thrown by webhookFetch; its message is the reason). */
export class WebhookTargetError extends Error {
  override name = 'WebhookTargetError';
}

/**
 * net's `lookup` hook for one connection: resolves with `resolve`, refuses (connection error)
 * when an address breaks the rules, and otherwise answers with the checked addresses.
 */
function guardedLookup(rules: WebhookRules, allowed: boolean, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const problem = addressProblem(hostname, addresses, rules, allowed);
        if (problem) return callback(Object.assign(new WebhookTargetError(problem), { code: 'EWEBHOOKTARGET' }), '', 0);
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = addresses.filter((a) => family === undefined || isIP(a) === family);
        if (usable.length === 0) return callback(Object.assign(new Error(`callback host ${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, usable.map((a) => ({ address: a, family: isIP(a) })));
        callback(null, usable[0]!, isIP(usable[0]!));
      },
      (err: Error) => callback(Object.assign(new Error(`callback host ${hostname} does not resolve: ${err.message}`), { code: 'ENOTFOUND' }), '', 0),
    );
  };
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A `fetch` for callbacks (same call shape, so orchestrator/hub.ts can take it as its `fetch`):
 * the URL rules are applied to the addresses actually connected to; redirects are never
 * followed; string and byte bodies only.
 */
export function webhookFetch(rules: WebhookRules = {}, resolve: Resolver = dnsResolver): typeof fetch {
  return async (input, init = {}) => {
    const raw = input instanceof Request ? input.url : input;
    const shape = checkShape(raw, rules);
    if (!shape.ok) throw new WebhookTargetError(shape.reason);
    const { url } = shape;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new TypeError('webhookFetch sends string or byte bodies only');
    }
    return new Promise<Response>((resolvePromise, reject) => {
      const req = send(url, {
        method: init.method ?? 'GET',
        headers,
        // A fresh connection per call: a pooled socket could be to an address checked earlier.
        agent: false,
        lookup: guardedLookup(rules, shape.allowed, resolve),
        ...(init.signal ? { signal: init.signal } : {}),
      });
      req.once('error', (err) => reject(init.signal?.aborted ? (init.signal.reason ?? err) : err));
      req.once('response', (res: IncomingMessage) => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
        const status = res.statusCode ?? 502;
        const stream = NULL_BODY_STATUSES.has(status) || init.method === 'HEAD' ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        if (!stream) res.resume();
        resolvePromise(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: out }));
      });
      req.end(body ?? undefined);
    });
  };
}

/** Headers of a delivery: the receiver deduplicates on the event id and checks the signature and its age. */
export const SIGNATURE_HEADER = 'X-Junction-Signature';
export const TIMESTAMP_HEADER = 'X-Junction-Timestamp';
export const EVENT_ID_HEADER = 'X-Junction-Event-Id';

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`, the value of X-Junction-Signature. */
export function signWebhookPayload(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Receiver side (and tests): true when the signature covers this body and timestamp, and the timestamp is within the tolerance. */
export function verifyWebhookSignature(body: string, signature: string, timestamp: string, secret: string, nowSec: number, toleranceSec = 300): boolean {
  const m = /^v1=([0-9a-f]{64})$/.exec(signature);
  if (!m || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSec - Number(timestamp)) > toleranceSec) return false;
  const expected = Buffer.from(signWebhookPayload(secret, timestamp, body).slice(3), 'hex');
  return timingSafeEqual(expected, Buffer.from(m[1]!, 'hex'));
}

export interface DeliveryOptions {
  secret: string;
  /** X-Junction-Event-Id: the id the receiver deduplicates on. */
  eventId: string;
  timeoutMs?: number;
  rules?: WebhookRules;
  /** How hosts are resolved, when checking and when connecting (tests pass their own). */
  resolve?: Resolver;
  nowSec?: () => number;
}

export type DeliveryResult = { delivered: true; status: number } | { delivered: false; reason: string; status?: number };

/**
 * POSTs a signed JSON body with a deadline; never follows redirects. The URL rules are checked
 * on the addresses connected to (webhookFetch), not on an earlier resolution.
 */
export async function deliverWebhook(target: string, body: string, opts: DeliveryOptions): Promise<DeliveryResult> {
  const timestamp = String(opts.nowSec?.() ?? Math.floor(Date.now() / 1000));
  const timeoutMs = opts.timeoutMs ?? 5_000;
  try {
    const res = await webhookFetch(opts.rules, opts.resolve)(target, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        [EVENT_ID_HEADER]: opts.eventId,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhookPayload(opts.secret, timestamp, body),
      },
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { delivered: true, status: res.status };
    return { delivered: false, status: res.status, reason: res.status >= 300 && res.status < 400 ? 'callback answered with a redirect, which is not followed' : `callback answered ${res.status}` };
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError') return { delivered: false, reason: `callback did not answer within ${timeoutMs} ms` };
    return { delivered: false, reason: e instanceof WebhookTargetError ? e.message : `callback failed: ${e.message}` };
  }
}
