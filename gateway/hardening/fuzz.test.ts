// Hostile input against a whole running Junction (real gateway, policies, Postgres, NATS): TMF
// bodies mutated from valid ones, malformed JSON, odd methods, paths, queries and credentials.
// Fixed seed and bounded count, so a failure reproduces. Nothing may answer 5xx, the process must
// keep serving, and tenant globex must never see tenant acme's orders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSS_KEY, OPERATOR_KEY, orderFor, OTHER_TENANT_KEY, startTestJunction, type TestJunction } from '../../orchestrator/testing.js';

const SEED = 20261123;
const COUNT = 2500;
const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const HOSTILE_VALUES: unknown[] = [
  null, true, 0, -1, 1e309 === Infinity ? 1.7976931348623157e308 : 0, -0, 2 ** 53 + 1, '', ' ', 'x'.repeat(10_000), '\u0000', '\ud800', '😀',
  "'; drop table service_orders; --", '../../etc/passwd', '%00', '<script>', '{{7*7}}', '${jndi:ldap://x}', [], {}, [[[[[[]]]]]],
  { $ne: null }, { '@type': 'ServiceOrder' }, 'globex', 'acme', 'CUST-1001',
];

function mutate(value: unknown, rng: Rng, depth = 0): unknown {
  if (depth > 6 || rng.next() < 0.15) return rng.pick(HOSTILE_VALUES);
  if (Array.isArray(value)) {
    const copy = value.map((v) => (rng.next() < 0.5 ? mutate(v, rng, depth + 1) : v));
    if (rng.next() < 0.2) copy.push(rng.pick(HOSTILE_VALUES));
    if (rng.next() < 0.1) copy.length = 0;
    return copy;
  }
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    for (const k of keys) {
      const r = rng.next();
      if (r < 0.15) delete copy[k];
      else if (r < 0.6) copy[k] = mutate(copy[k], rng, depth + 1);
    }
    if (rng.next() < 0.2) copy[rng.pick(['tenant', 'id', 'href', 'state', '@baseType', 'x'.repeat(300), ''])] = rng.pick(HOSTILE_VALUES);
    return copy;
  }
  return rng.pick(HOSTILE_VALUES);
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  key: string | undefined;
}

function hostileRequest(rng: Rng, validBodies: unknown[], acmeOrderId: string): FuzzRequest {
  const key = rng.pick([BSS_KEY, BSS_KEY, OTHER_TENANT_KEY, OTHER_TENANT_KEY, OPERATOR_KEY, undefined, 'not-a-key', `jk_${'0'.repeat(16)}_${'A'.repeat(43)}`, 'a.b.c']);
  const headers: Record<string, string> = {};
  if (key) headers.authorization = rng.next() < 0.95 ? `Bearer ${key}` : `Basic ${key}`;
  if (rng.next() < 0.1) headers['Junction-Tenant'] = rng.pick(['acme', 'globex', '', '*', "' or 1=1"]);
  const paths = [
    ORDERS, `${ORDERS}/${acmeOrderId}`, `${ORDERS}/${rng.pick(['x', '..%2f..%2f', '%00', 'a'.repeat(2000), acmeOrderId.toUpperCase(), "1' or '1'='1"])}`,
    '/tmf-api/serviceOrdering/v4/cancelServiceOrder', '/tmf-api/serviceInventory/v4/service', '/tmf-api/serviceInventory/v4/service/x',
    '/tmf-api/resourceInventory/v4/resource', '/tmf-api/resourceInventory/v4/resource/olt-north-1%2F0%2F1', '/audit/v1/decisions',
    '/policy/v1/bundles', '/policy/v1/bundles/0123456789abcdef/activate', '/metrics', '/nope', '//', '/tmf-api/../audit/v1/decisions',
  ];
  let path = rng.pick(paths);
  if (rng.next() < 0.3) {
    const q = rng.pick(['limit=-1', 'limit=1e309', 'offset=NaN', 'fields=__proto__', 'state=completed&state=failed', 'limit=100000000', 'fields=id,,,', 'sort=;drop', 'tenant=acme', `x=${'%'.repeat(50)}`]);
    path += `?${q}`;
  }
  const method = rng.pick(['GET', 'GET', 'POST', 'POST', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD']);
  let body: string | Uint8Array | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    const kind = rng.int(8);
    const base = rng.pick(validBodies);
    if (kind <= 3) body = JSON.stringify(mutate(base, rng));
    else if (kind === 4) body = JSON.stringify(base).slice(0, rng.int(JSON.stringify(base).length));
    else if (kind === 5) body = rng.pick(['{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"polluted":1}}}', '['.repeat(5000), 'null', '"str"', '1', '']);
    else if (kind === 6) body = new Uint8Array(Array.from({ length: rng.int(200) }, () => rng.int(256)));
    else body = JSON.stringify(base);
    headers['content-type'] = rng.pick(['application/json', 'application/json', 'text/plain', 'application/gzip', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16']);
  }
  return { method, path, headers, ...(body !== undefined ? { body } : {}), key };
}

describe(`fuzzing the edge (seed ${SEED}, ${COUNT} requests)`, () => {
  let t: TestJunction;
  let acmeOrder: { id: string; externalId: string };

  beforeAll(async () => {
    // Limits off: the fuzzer is one client sending thousands of requests, many with bad credentials.
    t = await startTestJunction({}, { JUNCTION_RATE_LIMIT: 'off', JUNCTION_AUTH_FAILURE_LIMIT: 'off' });
    const created = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 100 }, 'SITE-A', 'acme-secret-order'));
    expect(created.status).toBe(201);
    acmeOrder = { id: created.body.id, externalId: 'acme-secret-order' };
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('answers every hostile request below 500, keeps serving, and never shows acme data to globex', async () => {
    const rng = prng(SEED);
    const valid = [
      orderFor('CUST-1001', 'broadband', { bandwidthMbps: 300 }),
      orderFor('CUST-2001', 'enterprise-5g-slice', { bandwidthMbps: 1000, maxLatencyMs: 10, sliceType: 'urllc' }, 'SITE-B'),
      { serviceOrder: { id: acmeOrder.id }, cancellationReason: 'fuzz' },
    ];
    const failures: string[] = [];
    const leaks: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < COUNT; i++) {
      const r = hostileRequest(rng, valid, acmeOrder.id);
      let status: number;
      let text: string;
      try {
        const res = await fetch(`${t.junction.url}${r.path}`, { method: r.method, headers: r.headers, ...(r.body !== undefined ? { body: r.body as BodyInit } : {}) });
        status = res.status;
        text = await res.text();
      } catch (err) {
        failures.push(`#${i} ${r.method} ${r.path}: request failed: ${(err as Error).message}`);
        continue;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) failures.push(`#${i} ${r.method} ${r.path} -> ${status} ${text.slice(0, 200)}`);
      // A leak: acme's data the globex caller did not send itself (an error echoing a requested id is not one),
      // or any success answer carrying acme's order.
      const sent = `${r.path} ${typeof r.body === 'string' ? r.body : ''}`;
      const shows = (s: string) => text.includes(s) && (status < 300 || !sent.includes(s));
      if (r.key === OTHER_TENANT_KEY && (shows(acmeOrder.id) || shows(acmeOrder.externalId))) {
        leaks.push(`#${i} ${r.method} ${r.path} -> ${status} shows acme's order to globex`);
      }
    }
    expect(failures).toEqual([]);
    expect(leaks).toEqual([]);
    // The run exercised refusals of every kind, not one path.
    for (const s of [400, 401, 403, 404]) expect(statuses.get(s) ?? 0, `status ${s}`).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const health = await fetch(`${t.junction.url}/health`);
    expect(health.status).toBe(200);
    const own = await t.call('GET', `${ORDERS}/${acmeOrder.id}`);
    expect(own.status).toBe(200);
  }, 300_000);
});
