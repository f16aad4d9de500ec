import { HTTPException } from 'hono/http-exception';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORRELATION_ID_HEADER } from '../platform/bus/subjects.js';
import type { ApiKey } from '../platform/config.js';
import { createMetrics } from '../platform/metrics.js';
import type { Readiness } from '../platform/readiness.js';
import { createTestBus, memoryLogger, silentLogger, type TestBus } from '../test/support/index.js';
import { createAccessControl, requireRoles } from './access.js';
import { createGatewayApp, type GatewayDeps } from './app.js';

const KEYS: ApiKey[] = [
  { key: 'bss-key-0123456789', principal: 'crm', roles: ['bss'], tenant: 'acme' },
  { key: 'ops-key-0123456789', principal: 'noc', roles: ['operator', 'auditor'] },
];
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const allReady: Readiness = { ready: true, checks: { postgres: { status: 'ok' }, jetstream: { status: 'ok' } } };

function app(overrides: Partial<GatewayDeps> = {}) {
  return createGatewayApp({
    logger: silentLogger(),
    access: createAccessControl(KEYS),
    metrics: createMetrics({ processMetrics: false }),
    bus: { publish: async () => Promise.reject(new Error('no bus in this test')) },
    readiness: async () => allReady,
    ...overrides,
  });
}

describe('gateway probes', () => {
  it('GET /health answers 200 {"status":"ok"} without a key', async () => {
    const res = await app().request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /ready answers 200 when every dependency answers', async () => {
    const res = await app().request('/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
  });

  it('GET /ready answers 503 naming the dependency that failed', async () => {
    const readiness = async (): Promise<Readiness> => ({
      ready: false,
      checks: { postgres: { status: 'failed', error: 'connect ECONNREFUSED' }, jetstream: { status: 'ok' } },
    });
    const res = await app({ readiness }).request('/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable', failed: ['postgres'] });
  });
});

describe('gateway authentication and authorization', () => {
  it.each([
    ['no Authorization header', {}, 'missing Authorization'],
    ['an unknown key', bearer('not-a-configured-key'), 'invalid API key'],
    ['a non-bearer scheme', { Authorization: 'Basic Zm9vOmJhcg==' }, 'invalid API key'],
  ])('answers 401 with a JSON body for %s', async (_, headers, message) => {
    const res = await app().request('/metrics', { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    const body = await res.json();
    expect(body).toMatchObject({ error: 'unauthorized', requestId: res.headers.get('x-request-id') });
    expect(body.message).toContain(message);
  });

  it('answers 401 on unknown paths without a key (no route discovery)', async () => {
    const res = await app().request('/tmf-api/anything');
    expect(res.status).toBe(401);
  });

  it('answers 403 with a JSON body for a key without the route role', async () => {
    const res = await app().request('/metrics', { headers: bearer('bss-key-0123456789') });
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body).toMatchObject({ error: 'forbidden' });
    expect(body.message).toContain('operator');
  });

  it('serves /metrics to an operator key', async () => {
    const a = app();
    await a.request('/health');
    const res = await a.request('/metrics', { headers: bearer('ops-key-0123456789') });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('junction_http_requests_total{method="GET",route="/health",status="200"} 1');
  });

  it('answers 404 JSON for an unknown path with a valid key', async () => {
    const res = await app().request('/nope', { headers: bearer('bss-key-0123456789') });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });

  it('answers thrown HTTP errors and crashes with JSON bodies', async () => {
    const a = app();
    a.get('/bad', () => {
      throw new HTTPException(400, { message: 'body is not JSON' });
    });
    a.get('/crash', () => {
      throw new Error('secret detail');
    });
    const bad = await a.request('/bad', { headers: bearer('bss-key-0123456789') });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'bad_request', message: 'body is not JSON' });
    const crash = await a.request('/crash', { headers: bearer('bss-key-0123456789') });
    expect(crash.status).toBe(500);
    const body = await crash.json();
    expect(body).toMatchObject({ error: 'internal', requestId: crash.headers.get('x-request-id') });
    expect(JSON.stringify(body)).not.toContain('secret detail');
  });

  it('hands the principal to routes', async () => {
    const a = app();
    a.get('/whoami', requireRoles(createAccessControl(KEYS), 'bss'), (c) => c.json(c.get('principal')));
    const res = await a.request('/whoami', { headers: bearer('bss-key-0123456789') });
    expect(await res.json()).toEqual({ name: 'crm', roles: ['bss'], tenant: 'acme' });
  });
});

describe('request ids', () => {
  let tb: TestBus;
  beforeAll(async () => {
    tb = await createTestBus();
  });
  afterAll(async () => {
    await tb?.cleanup();
  });

  it('assigns a request id, returns it, and logs it', async () => {
    const { logger, lines } = memoryLogger();
    const res = await app({ logger }).request('/health');
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines().some((l) => l.requestId === id && l.msg === 'request')).toBe(true);
  });

  it('keeps a sane incoming X-Request-Id and replaces an unsafe one', async () => {
    const kept = await app().request('/health', { headers: { 'X-Request-Id': 'bss-42.a:b' } });
    expect(kept.headers.get('x-request-id')).toBe('bss-42.a:b');
    const replaced = await app().request('/health', { headers: { 'X-Request-Id': 'bad id\twith spaces' } });
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id\twith spaces');
  });

  it('carries the request id into NATS headers as the correlation id', async () => {
    const a = app({ bus: tb.bus });
    a.post('/publish', async (c) => {
      const ack = await c.get('publish')(tb.bus.subjects.orders.received, { hello: 'world' }, { messageId: 'req-test-1' });
      return c.json({ seq: ack.seq });
    });
    const res = await a.request('/publish', {
      method: 'POST',
      headers: { ...bearer('bss-key-0123456789'), 'X-Request-Id': 'req-abc-123' },
    });
    expect(res.status).toBe(200);
    const { seq } = await res.json();
    const stored = await tb.bus.jsm.streams.getMessage(tb.bus.topology.streams.orders.name, { seq });
    expect(stored?.header.get(CORRELATION_ID_HEADER)).toBe('req-abc-123');
    expect(stored?.json()).toEqual({ hello: 'world' });
  });
});
