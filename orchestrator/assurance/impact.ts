/**
 * The impact graph: which active services (and so which customers and tenants) depend on a
 * resource. Built over what order-to-activation records (issue 6) plus assurance's own edges:
 *
 * - reservations with a service id (committed): the service holds capacity on the resource;
 * - applied order actions: the action's target (e.g. `svc-1-transport`) and every resource on the
 *   path the adapter reported (`result.resource.state.path`, e.g. the transport links a service
 *   is routed over) — so a cut link affects every service routed over it;
 * - `assurance_dependencies`: edges imported or discovered outside orders;
 * - `assurance_topology`: containment (an OLT contains its ports, a link carries an uplink) —
 *   followed transitively downwards from the alarmed resource.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

export interface ImpactedService {
  serviceId: string;
  tenant: string;
  customerId: string;
  /** consumer | enterprise (unknown when the customer row is missing). */
  customerType: string;
  slaTier: string;
  /** The service's site: the "area" consumer notifications are batched by. */
  area: string;
  specification: string;
  characteristics: Record<string, unknown>;
}

export interface ImpactGraph {
  /** Active services that depend on `resourceId` directly, through containment, or are it. */
  servicesAffectedBy(resourceId: string): Promise<ImpactedService[]>;
  /** One service with its customer, when it exists. */
  service(serviceId: string): Promise<ImpactedService | undefined>;
  /**
   * The services a KPI subject measures: the service itself or one of its actions' targets
   * (indexed lookups only — called for every KPI sample).
   */
  servicesMeasuredBy(subjectId: string): Promise<ImpactedService[]>;
  /** The same for many subjects in one query (a batch of KPI samples): subject id → services. */
  servicesMeasuredByAny(subjectIds: readonly string[]): Promise<Map<string, ImpactedService[]>>;
}

type Db = Kysely<Database> | Transaction<Database>;

interface Row {
  service_id: string;
  tenant: string;
  customer_id: string;
  customer_type: string | null;
  sla_tier: string | null;
  site: string | null;
  specification: string;
  characteristics: unknown;
}

const toImpacted = (r: Row): ImpactedService => ({
  serviceId: r.service_id,
  tenant: r.tenant,
  customerId: r.customer_id,
  customerType: r.customer_type ?? 'unknown',
  slaTier: r.sla_tier ?? 'standard',
  area: r.site ?? 'unknown',
  specification: r.specification,
  characteristics: (r.characteristics ?? {}) as Record<string, unknown>,
});

export function sqlImpactGraph(db: Db): ImpactGraph {
  const graph: ImpactGraph = {
    async servicesAffectedBy(resourceId) {
      const { rows } = await sql<Row>`
        with recursive affected(id) as (
          select ${resourceId}::text
          union
          select t.child_id from assurance_topology t join affected a on t.parent_id = a.id
        ),
        ids as (select array_agg(id) as list from affected),
        dependent(service_id) as (
          select r.service_id from reservations r, ids
            where r.resource_id = any(ids.list) and r.status = 'committed' and r.service_id is not null
          union
          select s.id from order_actions oa
            join services s on s.order_id = oa.order_id and s.order_item_id = oa.order_item_id, ids
            where oa.status = 'applied'
              and ((oa.action->'target'->>'id') = any(ids.list)
                   or coalesce(oa.result->'resource'->'state'->'path', '[]'::jsonb) ?| ids.list)
          union
          select d.service_id from assurance_dependencies d, ids where d.resource_id = any(ids.list)
          union
          select s.id from services s, ids where s.id = any(ids.list)
        )
        select s.id as service_id, s.tenant, s.customer_id, c.type as customer_type, c.sla_tier, s.site,
               s.specification, s.characteristics
          from dependent d
          join services s on s.id = d.service_id
          left join customers c on c.tenant = s.tenant and c.id = s.customer_id
         where s.state = 'active'
         order by s.id`.execute(db);
      return rows.map(toImpacted);
    },
    async servicesMeasuredBy(subjectId) {
      return (await graph.servicesMeasuredByAny([subjectId])).get(subjectId) ?? [];
    },
    async servicesMeasuredByAny(subjectIds) {
      const out = new Map<string, ImpactedService[]>();
      if (subjectIds.length === 0) return out;
      const { rows } = await sql<Row & { subject_id: string }>`
        with subjects(id) as (select unnest(${[...subjectIds]}::text[])),
        measured(subject_id, service_id) as (
          select id, id from subjects
          union
          select oa.action->'target'->>'id', s.id from order_actions oa join services s on s.order_id = oa.order_id and s.order_item_id = oa.order_item_id
           where (oa.action->'target'->>'id') = any(${[...subjectIds]}::text[]) and oa.status = 'applied'
        )
        select m.subject_id, s.id as service_id, s.tenant, s.customer_id, c.type as customer_type, c.sla_tier, s.site,
               s.specification, s.characteristics
          from measured m join services s on s.id = m.service_id
          left join customers c on c.tenant = s.tenant and c.id = s.customer_id
         where s.state = 'active'`.execute(db);
      for (const r of rows) out.set(r.subject_id, [...(out.get(r.subject_id) ?? []), toImpacted(r)]);
      return out;
    },
    async service(serviceId) {
      const { rows } = await sql<Row>`
        select s.id as service_id, s.tenant, s.customer_id, c.type as customer_type, c.sla_tier, s.site,
               s.specification, s.characteristics
          from services s left join customers c on c.tenant = s.tenant and c.id = s.customer_id
         where s.id = ${serviceId}`.execute(db);
      return rows[0] ? toImpacted(rows[0]) : undefined;
    },
  };
  return graph;
}

/** Records containment edges (parent contains/carries child). Idempotent. */
export async function recordTopology(db: Db, edges: ReadonlyArray<{ parent: string; child: string; relation: string }>): Promise<void> {
  if (edges.length === 0) return;
  await db
    .insertInto('assurance_topology')
    .values(edges.map((e) => ({ parent_id: e.parent, child_id: e.child, relation: e.relation })))
    .onConflict((oc) => oc.columns(['parent_id', 'child_id']).doUpdateSet((eb) => ({ relation: eb.ref('excluded.relation') })))
    .execute();
}

/** Records service-to-resource dependencies learnt outside orders. Idempotent. */
export async function recordDependencies(db: Db, edges: ReadonlyArray<{ resourceId: string; serviceId: string; origin: string }>): Promise<void> {
  for (let i = 0; i < edges.length; i += 5_000) {
    await db
      .insertInto('assurance_dependencies')
      .values(edges.slice(i, i + 5_000).map((e) => ({ resource_id: e.resourceId, service_id: e.serviceId, origin: e.origin })))
      .onConflict((oc) => oc.columns(['resource_id', 'service_id']).doNothing())
      .execute();
  }
}
