// TLS on the real listener: a whole Junction (gateway side) started with JUNCTION_TLS_* answers
// over HTTPS with a certificate made here by openssl, refuses plain HTTP and untrusted clients,
// and with JUNCTION_TLS_CLIENT_CA_FILE demands a client certificate (mutual TLS).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSS_KEY, startTestJunction, type TestJunction } from '../../orchestrator/testing.js';
import { ConfigError, loadConfig } from '../../platform/config.js';
import { tlsServeOptions } from './tls.js';

const dir = mkdtempSync(join(tmpdir(), 'junction-tls-'));
const file = (name: string) => join(dir, name);

/** A self-signed P-256 certificate (its own CA) for 127.0.0.1. */
function selfSigned(name: string, cn: string) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${cn}`,
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`)], { stdio: 'ignore' });
  return { cert: readFileSync(file(`${name}.pem`)), key: readFileSync(file(`${name}.key`)) };
}

type Outcome = { status: number; body: string } | { error: string };

function get(url: string, options: RequestOptions = {}): Promise<Outcome> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send({ host: u.hostname, port: u.port, path: u.pathname, ...options }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const server = selfSigned('server', 'junction-test');
const client = selfSigned('client', 'bss-client');
const stranger = selfSigned('stranger', 'someone-else');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TLS configuration', () => {
  it('needs the certificate and the key together, and names the missing one', () => {
    const errorOf = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected a ConfigError');
    };
    expect(loadConfig({}).tls).toBeUndefined();
    expect(errorOf({ JUNCTION_TLS_CERT_FILE: '/c.pem' }).variables).toEqual(['JUNCTION_TLS_KEY_FILE']);
    expect(errorOf({ JUNCTION_TLS_KEY_FILE: '/k.pem' }).variables).toEqual(['JUNCTION_TLS_CERT_FILE']);
    expect(errorOf({ JUNCTION_TLS_CLIENT_CA_FILE: '/ca.pem' }).message).toContain('JUNCTION_TLS_CLIENT_CA_FILE: client certificates need TLS');
    expect(loadConfig({ JUNCTION_TLS_CERT_FILE: '/c.pem', JUNCTION_TLS_KEY_FILE: '/k.pem' }).tls).toEqual({ certFile: '/c.pem', keyFile: '/k.pem' });
  });

  it('names the variable whose file cannot be read', () => {
    expect(() => tlsServeOptions({ certFile: file('server.pem'), keyFile: '/nonexistent/k.pem' })).toThrow('JUNCTION_TLS_KEY_FILE: cannot read /nonexistent/k.pem');
  });
});

describe('a Junction listening with TLS', () => {
  let t: TestJunction;
  beforeAll(async () => {
    t = await startTestJunction({}, { JUNCTION_ROLES: 'gateway', JUNCTION_TLS_CERT_FILE: file('server.pem'), JUNCTION_TLS_KEY_FILE: file('server.key') });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('answers the API over HTTPS to a client that trusts its certificate', async () => {
    expect(t.junction.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await get(`${t.junction.url}/health`, { ca: server.cert })).toEqual({ status: 200, body: '{"status":"ok"}' });
    const orders = await get(`${t.junction.url}/tmf-api/serviceOrdering/v4/serviceOrder`, { ca: server.cert, headers: { Authorization: `Bearer ${BSS_KEY}` } });
    expect(orders).toMatchObject({ status: 200 });
  }, 60_000);

  it('is refused by a client that does not trust the certificate, and does not speak plain HTTP', async () => {
    expect(await get(`${t.junction.url}/health`)).toEqual({ error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const plain = await get(t.junction.url.replace('https:', 'http:') + '/health');
    expect('status' in plain && plain.status === 200).toBe(false);
  });
});

describe('a Junction demanding client certificates', () => {
  let t: TestJunction;
  beforeAll(async () => {
    t = await startTestJunction({}, {
      JUNCTION_ROLES: 'gateway',
      JUNCTION_TLS_CERT_FILE: file('server.pem'),
      JUNCTION_TLS_KEY_FILE: file('server.key'),
      JUNCTION_TLS_CLIENT_CA_FILE: file('client.pem'),
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('admits a client with a certificate from the configured CA and refuses one without, or with another', async () => {
    expect(await get(`${t.junction.url}/health`, { ca: server.cert, cert: client.cert, key: client.key })).toMatchObject({ status: 200 });
    expect(await get(`${t.junction.url}/health`, { ca: server.cert })).toHaveProperty('error');
    expect(await get(`${t.junction.url}/health`, { ca: server.cert, cert: stranger.cert, key: stranger.key })).toHaveProperty('error');
  });
});
