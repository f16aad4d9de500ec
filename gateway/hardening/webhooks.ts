// Webhook callbacks (hub listeners): which URLs may be called, how payloads are signed, and a
// delivery with a deadline that does not follow redirects (a redirect could point anywhere).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

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

/** Checks a callback URL against the rules, resolving its host (every address must pass). */
export async function checkWebhookUrl(raw: string, rules: WebhookRules = {}, resolve: Resolver = dnsResolver): Promise<UrlVerdict> {
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
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      return { ok: false, reason: `callback host ${host} does not resolve` };
    }
    if (addresses.length === 0) return { ok: false, reason: `callback host ${host} does not resolve` };
  }
  if (!allowed && !rules.allowPrivate) {
    const bad = addresses.find((a) => !isPublicAddress(a));
    if (bad) return { ok: false, reason: `callback host ${host} resolves to ${bad}, a private or loopback address` };
  }
  return { ok: true, url, addresses };
}

export const SIGNATURE_HEADER = 'Junction-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the receiver checks it and the age. */
export function signWebhookPayload(body: string, secret: string, timestampSec: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex');
  return `t=${timestampSec},v1=${mac}`;
}

/** Receiver side (and tests): true when the header signs this body with this secret within the tolerance. */
export function verifyWebhookSignature(body: string, header: string, secret: string, nowSec: number, toleranceSec = 300): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowSec - t) > toleranceSec) return false;
  const expected = Buffer.from(signWebhookPayload(body, secret, t).split('v1=')[1]!, 'hex');
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

export interface DeliveryOptions {
  secret: string;
  timeoutMs?: number;
  rules?: WebhookRules;
  resolve?: Resolver;
  fetch?: typeof fetch;
  nowSec?: () => number;
}

export type DeliveryResult = { delivered: true; status: number } | { delivered: false; reason: string; status?: number };

/** POSTs a signed JSON payload to a checked URL with a deadline; never follows redirects. */
export async function deliverWebhook(target: string, payload: unknown, opts: DeliveryOptions): Promise<DeliveryResult> {
  const verdict = await checkWebhookUrl(target, opts.rules, opts.resolve);
  if (!verdict.ok) return { delivered: false, reason: verdict.reason };
  const body = JSON.stringify(payload);
  const t = opts.nowSec?.() ?? Math.floor(Date.now() / 1000);
  try {
    const res = await (opts.fetch ?? fetch)(verdict.url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
      headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signWebhookPayload(body, opts.secret, t) },
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { delivered: true, status: res.status };
    return { delivered: false, status: res.status, reason: res.status >= 300 && res.status < 400 ? 'callback answered with a redirect, which is not followed' : `callback answered ${res.status}` };
  } catch (err) {
    const name = (err as Error).name;
    return { delivered: false, reason: name === 'TimeoutError' ? `callback did not answer within ${opts.timeoutMs ?? 5_000} ms` : `callback failed: ${(err as Error).message}` };
  }
}
