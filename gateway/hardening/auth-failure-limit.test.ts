// Per-address limit on failed authentication: a client guessing keys over real TCP connections
// gets 401s, then 429 with Retry-After for everything (its next guess is not even tried), while
// another address and valid callers are unaffected; time lets it back in.
import type { Server } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../platform/metrics.js';
import { silentLogger } from '../../test/support/index.js';
import { createAccessControl } from '../access.js';
import { createGatewayApp } from '../app.js';
import { accessSettingsFromEnv } from '../auth/wiring.js';
import { DEFAULT_AUTH_FAILURE_RATE } from './index.js';

const GOOD = 'operator-key-0123456789';

function get(port: number, localAddress: string, key: string): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', localAddress, agent: false, headers: { authorization: `Bearer ${key}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('failed authentications per client address', () => {
  let now = 0;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const access = createAccessControl([{ key: GOOD, principal: 'noc', roles: ['operator'] }], { authFailureLimit: { perSecond: 1, burst: 3, now: () => now } });
    const app = createGatewayApp({
      logger: silentLogger(),
      access,
      metrics: createMetrics({ processMetrics: false }),
      bus: { publish: async () => Promise.reject(new Error('no bus')) },
      readiness: async () => ({ ready: true, checks: {} }),
    });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('does not count successful requests', async () => {
    for (let i = 0; i < 10; i++) expect((await get(port, '127.0.0.1', GOOD)).status).toBe(200);
  });

  it('answers 401 to the first guesses, then 429 to everything from that address; another address goes on', async () => {
    const guesses = [];
    for (let i = 0; i < 5; i++) guesses.push((await get(port, '127.0.0.1', `guess-${i}-0123456789abcdef`)).status);
    expect(guesses).toEqual([401, 401, 401, 429, 429]);
    const valid = await get(port, '127.0.0.1', GOOD);
    expect(valid).toEqual({ status: 429, retryAfter: '1' });
    // 127.0.0.2 is loopback too on Linux: a different client address, with its own allowance.
    expect((await get(port, '127.0.0.2', 'another-guess-0123456789')).status).toBe(401);
    expect((await get(port, '127.0.0.2', GOOD)).status).toBe(200);
  });

  it('lets the address back in as time passes, one failure per second', async () => {
    now += 1_000;
    expect((await get(port, '127.0.0.1', GOOD)).status).toBe(200);
    expect((await get(port, '127.0.0.1', 'still-guessing-0123456789')).status).toBe(401);
    expect((await get(port, '127.0.0.1', GOOD)).status).toBe(429);
  });

  it('is on by default in a running Junction and configurable with JUNCTION_AUTH_FAILURE_LIMIT', () => {
    expect(accessSettingsFromEnv({}, []).authFailureLimit).toEqual(DEFAULT_AUTH_FAILURE_RATE);
    expect(accessSettingsFromEnv({ JUNCTION_AUTH_FAILURE_LIMIT: '5:50' }, []).authFailureLimit).toEqual({ perSecond: 5, burst: 50 });
    expect(accessSettingsFromEnv({ JUNCTION_AUTH_FAILURE_LIMIT: 'off' }, []).authFailureLimit).toBe(false);
    expect(() => accessSettingsFromEnv({ JUNCTION_AUTH_FAILURE_LIMIT: '0' }, [])).toThrow('JUNCTION_AUTH_FAILURE_LIMIT: expected');
  });
});
