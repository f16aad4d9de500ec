import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../test/support/index.js';
import type { GatewayEnv } from '../context.js';
import { bodyLimits, checkWebhookUrl, deliverWebhook, edgeSettingsFromEnv, isPublicAddress, rateLimit, verifyWebhookSignature, webhookFetch } from './index.js';

function appWith(mw: ReturnType<typeof bodyLimits>, principal = 'crm') {
  const app = new Hono<GatewayEnv>();
  app.use('*', async (c, next) => {
    c.set('log', silentLogger());
    c.set('principal', { name: principal, roles: ['bss'], tenant: 'acme' });
    await next();
  });
  app.use('*', mw);
  app.post('/json', async (c) => c.json({ got: await c.req.json() }));
  app.post('/bytes', async (c) => c.json({ length: (await c.req.arrayBuffer()).byteLength }));
  app.get('/ping', (c) => c.json({ ok: true }));
  return app;
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('body limits', () => {
  const app = appWith(bodyLimits({ maxJsonBytes: 1000, maxOtherBytes: 5000, maxJsonDepth: 8 }));
  const post = (path: string, body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) => app.request(path, { method: 'POST', body, headers });

  it('passes a sane JSON body through to the route', async () => {
    const res = await post('/json', JSON.stringify({ a: [1, { b: 2 }] }));
    expect(await res.json()).toEqual({ got: { a: [1, { b: 2 }] } });
  });

  it('answers 413 for a body over the limit, by Content-Length and by what actually arrives', async () => {
    expect((await post('/json', JSON.stringify({ a: 'x'.repeat(2000) }))).status).toBe(413);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode(' '.repeat(200)));
        c.close();
      },
    });
    const res = await app.request('/json', { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect((await post('/bytes', new Uint8Array(4000), { 'content-type': 'application/gzip' })).status).toBe(200);
    expect((await post('/bytes', new Uint8Array(6000), { 'content-type': 'application/gzip' })).status).toBe(413);
  });

  it('refuses nesting deeper than the limit, without recursion', async () => {
    expect((await post('/json', nested(8))).status).toBe(200);
    const deep = await post('/json', nested(9));
    expect(deep.status).toBe(400);
    expect((await deep.json()).message).toContain('deeper than 8 levels');
    const appBig = appWith(bodyLimits({ maxJsonBytes: 10_000_000, maxJsonDepth: 32 }));
    const res = await appBig.request('/json', { method: 'POST', body: nested(200_000), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
  });

  it('refuses prototype-pollution keys anywhere in the body', async () => {
    for (const body of ['{"__proto__":{"admin":true}}', '{"a":[{"constructor":{"prototype":{"x":1}}}]}']) {
      const res = await post('/json', body);
      expect(res.status).toBe(400);
      expect((await res.json()).message).toMatch(/forbidden key "(__proto__|constructor)"/);
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('answers 400 for invalid JSON and invalid UTF-8', async () => {
    expect((await post('/json', '{"a":')).status).toBe(400);
    expect((await post('/json', new Uint8Array([0x7b, 0xff, 0x7d]))).status).toBe(400);
  });
});

describe('rate limit per principal', () => {
  it('admits the burst, refuses with 429 and Retry-After, refills with time, and keeps principals apart', async () => {
    let now = 0;
    const limiter = rateLimit({ perSecond: 2, burst: 3, now: () => now });
    const a = appWith(limiter, 'a');
    const b = appWith(limiter, 'b');
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await a.request('/ping')).status);
    expect(codes).toEqual([200, 200, 200, 429]);
    const refused = await a.request('/ping');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await b.request('/ping')).status).toBe(200);
    now += 500;
    expect((await a.request('/ping')).status).toBe(200);
    expect((await a.request('/ping')).status).toBe(429);
  });

  it('reads JUNCTION_RATE_LIMIT and refuses nonsense', () => {
    expect(edgeSettingsFromEnv({ JUNCTION_RATE_LIMIT: '10:15' })).toEqual({ rate: { perSecond: 10, burst: 15 } });
    expect(edgeSettingsFromEnv({ JUNCTION_RATE_LIMIT: 'off' })).toEqual({ rate: false });
    expect(() => edgeSettingsFromEnv({ JUNCTION_RATE_LIMIT: 'fast' })).toThrow('JUNCTION_RATE_LIMIT');
  });
});

describe('webhook callbacks', () => {
  const resolveTo = (map: Record<string, string[]>) => async (host: string) => map[host] ?? [];

  it('classifies addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) expect(isPublicAddress(a), a).toBe(false);
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) expect(isPublicAddress(a), a).toBe(true);
  });

  it('refuses private, loopback and metadata targets, http, credentials and denied hosts unless configured', async () => {
    const resolve = resolveTo({ 'hooks.example.com': ['93.184.216.34'], 'internal.example.com': ['10.0.0.5'], 'sneaky.example.com': ['93.184.216.34', '127.0.0.1'] });
    expect(await checkWebhookUrl('https://hooks.example.com/cb', {}, resolve)).toMatchObject({ ok: true });
    expect(await checkWebhookUrl('https://internal.example.com/cb', {}, resolve)).toMatchObject({ ok: false, reason: expect.stringContaining('private or loopback') });
    expect(await checkWebhookUrl('https://sneaky.example.com/cb', {}, resolve)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('https://169.254.169.254/latest', {}, resolve)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('https://[::1]/cb', {}, resolve)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('http://hooks.example.com/cb', {}, resolve)).toMatchObject({ ok: false, reason: expect.stringContaining('https only') });
    expect(await checkWebhookUrl('https://u:p@hooks.example.com/cb', {}, resolve)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('https://hooks.example.com/cb', { denyHosts: ['.example.com'] }, resolve)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('https://internal.example.com/cb', { allowHosts: ['internal.example.com'] }, resolve)).toMatchObject({ ok: true });
    expect(await checkWebhookUrl('not a url', {}, resolve)).toMatchObject({ ok: false });
  });

  describe('delivery', () => {
    let server: Server;
    let base: string;
    const received: Array<{ body: string; signature: string | undefined; timestamp?: string; eventId?: string }> = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          if (req.url === '/slow') return void setTimeout(() => res.end(), 2_000);
          if (req.url === '/redirect') return void res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
          received.push({ body, signature: req.headers['x-junction-signature'] as string | undefined, timestamp: req.headers['x-junction-timestamp'] as string | undefined, eventId: req.headers['x-junction-event-id'] as string | undefined });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });

    const local = { allowHttp: true, allowPrivate: true };

    it('signs the payload so the receiver can verify it', async () => {
      const res = await deliverWebhook(`${base}/cb`, JSON.stringify({ eventType: 'ServiceOrderStateChangeEvent' }), { secret: 'shh', eventId: 'e-1', rules: local, nowSec: () => 1_700_000_000 });
      expect(res).toEqual({ delivered: true, status: 204 });
      const got = received.at(-1)!;
      expect(got).toMatchObject({ eventId: 'e-1', timestamp: '1700000000' });
      expect(verifyWebhookSignature(got.body, got.signature!, got.timestamp!, 'shh', 1_700_000_010)).toBe(true);
      expect(verifyWebhookSignature(got.body, got.signature!, got.timestamp!, 'other', 1_700_000_010)).toBe(false);
      expect(verifyWebhookSignature(got.body.replace('State', 'Stat'), got.signature!, got.timestamp!, 'shh', 1_700_000_010)).toBe(false);
      expect(verifyWebhookSignature(got.body, got.signature!, '1700000001', 'shh', 1_700_000_010)).toBe(false); // timestamp is signed too
      expect(verifyWebhookSignature(got.body, got.signature!, got.timestamp!, 'shh', 1_700_001_000)).toBe(false);
    });

    it('gives up at the deadline, does not follow redirects, and does not call loopback by default', async () => {
      expect(await deliverWebhook(`${base}/slow`, JSON.stringify({}), { eventId: 'e', secret: 's', rules: local, timeoutMs: 200 })).toMatchObject({ delivered: false, reason: expect.stringContaining('within 200 ms') });
      expect(await deliverWebhook(`${base}/redirect`, JSON.stringify({}), { eventId: 'e', secret: 's', rules: local })).toMatchObject({ delivered: false, status: 302 });
      const before = received.length;
      expect(await deliverWebhook(`${base}/cb`, JSON.stringify({}), { eventId: 'e', secret: 's', rules: { allowHttp: true } })).toMatchObject({ delivered: false, reason: expect.stringContaining('private or loopback') });
      expect(received.length).toBe(before);
    });

    it('checks the address it connects to, not an earlier answer (DNS rebinding)', async () => {
      const port = new URL(base).port;
      // `localhost` really resolves to loopback: refused at connect time when loopback is not allowed.
      const before = received.length;
      expect(await deliverWebhook(`http://localhost:${port}/cb`, JSON.stringify({}), { eventId: 'e', secret: 's', rules: { allowHttp: true } })).toEqual({
        delivered: false,
        reason: expect.stringMatching(/^callback host localhost resolves to (127\.0\.0\.1|::1), a private or loopback address$/),
      });
      // A host that answers a public address when the subscription is checked and loopback when called.
      const answers = [['93.184.216.34'], ['127.0.0.1']];
      const rebinding = async () => answers.shift() ?? ['127.0.0.1'];
      expect(await checkWebhookUrl(`http://rebind.example:${port}/cb`, { allowHttp: true }, rebinding)).toMatchObject({ ok: true });
      expect(await deliverWebhook(`http://rebind.example:${port}/cb`, JSON.stringify({}), { eventId: 'e', secret: 's', rules: { allowHttp: true }, resolve: rebinding })).toMatchObject({
        delivered: false,
        reason: 'callback host rebind.example resolves to 127.0.0.1, a private or loopback address',
      });
      expect(received.length).toBe(before);
      // The socket goes to the address that was checked: a name no DNS knows reaches the receiver.
      const pinned = async (host: string) => (host === 'receiver.test' ? ['127.0.0.1'] : []);
      expect(await deliverWebhook(`http://receiver.test:${port}/cb`, JSON.stringify({ n: 1 }), { eventId: 'e', secret: 's', rules: local, resolve: pinned })).toEqual({ delivered: true, status: 204 });
      expect(await deliverWebhook(`http://localhost:${port}/cb`, JSON.stringify({ n: 2 }), { eventId: 'e', secret: 's', rules: { allowHttp: true, allowHosts: ['localhost'] } })).toEqual({ delivered: true, status: 204 });
      expect(received.slice(before).map((r) => r.body)).toEqual(['{"n":1}', '{"n":2}']);
    });

    it('webhookFetch refuses a target before connecting and answers like fetch otherwise', async () => {
      const f = webhookFetch(local);
      await expect(webhookFetch({})(`${base}/cb`, { method: 'POST', body: '{}' })).rejects.toThrow('https only');
      await expect(webhookFetch({ allowHttp: true })(`${base}/cb`, { method: 'POST', body: '{}' })).rejects.toThrow('resolves to 127.0.0.1, a private or loopback address');
      const res = await f(`${base}/redirect`, { method: 'POST', body: '{}' });
      expect([res.status, res.headers.get('location')]).toEqual([302, 'http://169.254.169.254/']);
    });
  });
});
