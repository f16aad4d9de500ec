/**
 * A whole Junction for order-to-activation tests: a private Postgres database and NATS namespace,
 * the real gateway, orchestrator, policies and simulator, and a BSS key for tenant acme.
 */
import { sql } from 'kysely';
import type { Bus } from '../platform/bus/bus.js';
import { startJunction, type RunningJunction } from '../platform/runtime.js';
import { createTestDatabase, deleteNamespace, testConfig, testNamespace, TEST_NATS_URL, silentLogger, type TestDatabase } from '../test/support/index.js';
import type { OrderToActivationOptions } from './wiring.js';

export const BSS_KEY = 'bss-key-acme-0123456789';
export const OPERATOR_KEY = 'operator-key-0123456789';
export const OTHER_TENANT_KEY = 'bss-key-globex-0123456789';

export interface TestJunction {
  junction: RunningJunction;
  database: TestDatabase;
  namespace: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** Polls the order until its state is one of `states`. */
  waitFor(orderId: string, states: string[], timeoutMs?: number): Promise<any>;
  /** Waits (polling Postgres, not the API) until every order is terminal. */
  waitForTerminal(orderIds: string[], timeoutMs?: number): Promise<void>;
  /** waitForTerminal, then the orders through the API. */
  waitForAll(orderIds: string[], timeoutMs?: number): Promise<any[]>;
  stop(): Promise<void>;
}

export async function startTestJunction(options: OrderToActivationOptions = {}, env: Record<string, string> = {}): Promise<TestJunction> {
  const database = await createTestDatabase({ migrate: false });
  const namespace = testNamespace();
  const junctionEnv = {
    DATABASE_URL: database.url,
    NATS_URL: TEST_NATS_URL,
    JUNCTION_NAMESPACE: namespace,
    JUNCTION_API_KEYS: JSON.stringify([
      { key: BSS_KEY, principal: 'bss-acme', roles: ['bss'], tenant: 'acme' },
      { key: OTHER_TENANT_KEY, principal: 'bss-globex', roles: ['bss'], tenant: 'globex' },
      { key: OPERATOR_KEY, principal: 'noc', roles: ['operator'] },
    ]),
    // Tests' BSS receivers listen on loopback over plain http.
    JUNCTION_WEBHOOK_ALLOW_PRIVATE: 'true',
    JUNCTION_WEBHOOK_ALLOW_HTTP: 'true',
    ...env,
  };
  const config = testConfig(junctionEnv);
  const junction = await startJunction(config, silentLogger(), {}, { policyWorkers: 1, ...options }, { ...process.env, ...junctionEnv });
  const call: TestJunction['call'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${junction.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${BSS_KEY}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  async function waitForTerminal(orderIds: string[], timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const open = await database.db
        .selectFrom('service_orders')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        // One array parameter, not one per id: the poll runs beside Junction (bench:orders counts its CPU as Junction's).
        .where(sql<boolean>`id = any(${orderIds}::text[])`)
        .where('state', 'not in', ['completed', 'failed', 'rejected', 'partial', 'cancelled'])
        .executeTakeFirstOrThrow();
      if (Number(open.n) === 0) break;
      if (Date.now() > until) throw new Error(`${open.n} of ${orderIds.length} orders not terminal after ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  return {
    junction,
    database,
    namespace,
    call,
    async waitFor(orderId, states, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const r = await call('GET', `/tmf-api/serviceOrdering/v4/serviceOrder/${orderId}`);
        if (states.includes(r.body?.state)) return r.body;
        if (Date.now() > until) throw new Error(`order ${orderId} still ${r.body?.state} after ${timeoutMs} ms (waiting for ${states.join('|')})`);
        await new Promise((res) => setTimeout(res, 50));
      }
    },
    waitForTerminal,
    async waitForAll(orderIds, timeoutMs = 120_000) {
      await waitForTerminal(orderIds, timeoutMs);
      return Promise.all(orderIds.map(async (id) => (await call('GET', `/tmf-api/serviceOrdering/v4/serviceOrder/${id}`)).body));
    },
    async stop() {
      const bus: Bus = junction.bus;
      await junction.stop();
      const { connectNats, createBus } = await import('../platform/bus/bus.js');
      const cleaner = await createBus(await connectNats(TEST_NATS_URL), namespace, silentLogger());
      await deleteNamespace(cleaner, namespace).catch(() => undefined);
      await cleaner.nc.close();
      void bus;
      await database.drop();
    },
  };
}

/** A TMF641 order body for the demo catalog. */
export function orderFor(
  customer: string,
  spec: 'broadband' | 'enterprise-5g-slice',
  characteristics: Record<string, unknown>,
  site = 'SITE-A',
  externalId?: string,
) {
  return {
    ...(externalId ? { externalId } : {}),
    relatedParty: [{ id: customer, role: 'customer', '@referredType': 'Customer' }],
    serviceOrderItem: [
      {
        id: '1',
        action: 'add',
        service: {
          serviceSpecification: { id: spec },
          serviceCharacteristic: Object.entries(characteristics).map(([name, value]) => ({ name, value })),
          place: [{ id: site, role: 'installationAddress' }],
        },
      },
    ],
  };
}

/** A TMF641 order changing an existing service: `modify` (with the characteristics to change) or `delete`. */
export function changeOrderFor(customer: string, action: 'modify' | 'delete', serviceId: string, characteristics: Record<string, unknown> = {}) {
  return {
    relatedParty: [{ id: customer, role: 'customer', '@referredType': 'Customer' }],
    serviceOrderItem: [
      { id: '1', action, service: { id: serviceId, serviceCharacteristic: Object.entries(characteristics).map(([name, value]) => ({ name, value })) } },
    ],
  };
}

/** Resources whose `allocated` differs from what their reservations hold (reserved or committed): empty when inventory is exact. */
export async function inventoryMismatches(db: TestDatabase['db']) {
  const rows = await db
    .selectFrom('resources')
    .leftJoin('reservations', (j) => j.onRef('reservations.resource_id', '=', 'resources.id').on('reservations.status', 'in', ['reserved', 'committed']))
    .select(['resources.id', 'resources.allocated'])
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('reservations.amount'), eb.val('0')).as('held'))
    .groupBy(['resources.id', 'resources.allocated'])
    .execute();
  return rows.filter((r) => Number(r.allocated) !== Number(r.held));
}
