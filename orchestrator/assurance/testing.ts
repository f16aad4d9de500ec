/**
 * Inventory fixtures for assurance tests and the impact bench: customers and active services
 * with the records order-to-activation would have left (an applied transport action whose
 * adapter result names the path of links the service is routed over).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

export interface FixtureService {
  id: string;
  tenant: string;
  customerId: string;
  site: string;
  specification?: string;
  characteristics?: Record<string, unknown>;
  /** Transport links the service is routed over. */
  path?: string[];
  /** Parameters of its transport action (default: 10 Mbit/s pe-north → pe-dc). */
  transportParameters?: Record<string, unknown>;
  /** Resources it holds reservations on. */
  reservedOn?: string[];
}

export interface FixtureCustomer {
  tenant: string;
  id: string;
  type: 'consumer' | 'enterprise';
  slaTier: string;
  sites?: string[];
}

export async function seedAssuranceFixture(db: Kysely<Database>, customers: FixtureCustomer[], services: FixtureService[]): Promise<void> {
  for (let i = 0; i < customers.length; i += 5_000) {
    await db
      .insertInto('customers')
      .values(customers.slice(i, i + 5_000).map((c) => ({ tenant: c.tenant, id: c.id, name: c.id, type: c.type, status: 'active', sla_tier: c.slaTier, sites: c.sites ?? [] })))
      .onConflict((oc) => oc.columns(['tenant', 'id']).doNothing())
      .execute();
  }
  for (let i = 0; i < services.length; i += 2_000) {
    const chunk = services.slice(i, i + 2_000);
    await db
      .insertInto('services')
      .values(
        chunk.map((s) => ({
          id: s.id,
          tenant: s.tenant,
          customer_id: s.customerId,
          order_id: `order-${s.id}`,
          order_item_id: '1',
          specification: s.specification ?? 'broadband',
          specification_version: 1,
          site: s.site,
          state: 'active',
          characteristics: JSON.stringify(s.characteristics ?? {}),
          start_date: new Date(),
        })),
      )
      .execute();
    const routed = chunk.filter((s) => s.path);
    if (routed.length) {
      await db
        .insertInto('order_actions')
        .values(
          routed.map((s) => ({
            order_id: `order-${s.id}`,
            order_item_id: '1',
            action_id: 'transport',
            seq: 0,
            status: 'applied',
            action: JSON.stringify({ id: 'transport', domain: 'transport', operation: 'create', target: { id: `${s.id}-transport`, type: 'transport-service' }, parameters: s.transportParameters ?? { from: 'pe-north', to: 'pe-dc', bandwidthMbps: 10 } }),
            result: JSON.stringify({ status: 'success', reason: 'created', resource: { id: `${s.id}-transport`, type: 'transport-service', externalIds: {}, state: { path: s.path } } }),
          })),
        )
        .execute();
    }
    const reservations = chunk.flatMap((s) => (s.reservedOn ?? []).map((r, n) => ({ s, r, n })));
    for (const { s, r, n } of reservations) {
      await sql`insert into resources (id, type, site, domain, unit, capacity) values (${r}, 'port', ${s.site}, 'access', 'Mbps', 1000000) on conflict do nothing`.execute(db);
      await db
        .insertInto('reservations')
        .values({ id: `res-${s.id}-${n}`, resource_id: r, order_id: `order-${s.id}`, order_item_id: '1', service_id: s.id, key: `k${n}`, amount: 1, status: 'committed' })
        .execute();
    }
  }
}
