/**
 * Correlation and root-cause grouping. Every alarm lands on at most one service problem:
 *
 * - a root alarm (no parent) opens a problem for its root key (source, alarmed object, probable
 *   cause) unless one is open — then it joins it (a re-raise or a flap, never a second problem);
 * - a child alarm (TMF642 parentAlarm) joins its parent's problem; one that arrives before its
 *   parent waits as an orphan and is adopted when the parent arrives;
 * - a root alarm on a resource that an open problem already covers (contained in the problem's
 *   root resource, or a service the problem already affects) joins that problem as a child;
 * - a clear of the root alarm resolves the problem, unless the alarm is flapping (damping.ts):
 *   then the problem waits in `pending` until it has been stable long enough (`settlePending`).
 *
 * Runs inside the caller's transaction (the one that also records the message as processed), so a
 * redelivered alarm cannot be correlated twice. Returns the problem changes to notify.
 */
import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AlarmEvent } from '../../adapters/contract.js';
import type { Database } from '../../platform/db/schema.js';
import { DEFAULT_DAMPING, onRaise, settle, type DampingConfig, type DampingState } from './damping.js';
import { sqlImpactGraph, type ImpactedService } from './impact.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface ProblemRecord {
  id: string;
  rootKey: string;
  rootSource: string;
  rootAlarmId: string;
  rootResource: { id: string; type: string };
  probableCause: string;
  severity: string;
  status: 'inProgress' | 'pending' | 'resolved';
  raisedAt: string;
  resolvedAt?: string;
  affectedServices: number;
  affectedCustomers: number;
  childAlarms: number;
}

export interface ProblemChange {
  kind: 'raised' | 'resolved';
  problem: ProblemRecord;
  services: ImpactedService[];
  /** Event time of the alarm (raise or clear) that caused the change. */
  alarmEventTime: string;
  /** `source:alarmId` of that alarm. */
  alarmKey: string;
}

export type AlarmOutcome =
  | 'opened'
  | 'joined-open-problem'
  | 'child'
  | 'orphan'
  | 'grouped-under-open-problem'
  | 'updated'
  | 'resolved'
  | 'damped'
  | 'cleared'
  | 'stale';

export interface CorrelationResult {
  outcome: AlarmOutcome;
  problemId?: string;
  changes: ProblemChange[];
}

export interface CorrelationOptions {
  damping?: DampingConfig;
  newId?: () => string;
}

export const rootKeyOf = (a: Pick<AlarmEvent, 'source' | 'alarmedObject' | 'probableCause'>) =>
  `${a.source}|${a.alarmedObject.id}|${a.probableCause}`;

function toRecord(r: {
  id: string;
  root_key: string;
  root_source: string;
  root_alarm_id: string;
  root_resource_id: string;
  root_resource_type: string;
  probable_cause: string;
  severity: string;
  status: string;
  raised_at: Date;
  resolved_at: Date | null;
  affected_services: number;
  affected_customers: number;
  child_alarms: number;
}): ProblemRecord {
  return {
    id: r.id,
    rootKey: r.root_key,
    rootSource: r.root_source,
    rootAlarmId: r.root_alarm_id,
    rootResource: { id: r.root_resource_id, type: r.root_resource_type },
    probableCause: r.probable_cause,
    severity: r.severity,
    status: r.status as ProblemRecord['status'],
    raisedAt: new Date(r.raised_at).toISOString(),
    ...(r.resolved_at ? { resolvedAt: new Date(r.resolved_at).toISOString() } : {}),
    affectedServices: Number(r.affected_services),
    affectedCustomers: Number(r.affected_customers),
    childAlarms: Number(r.child_alarms),
  };
}

export async function loadProblem(db: Db, id: string): Promise<ProblemRecord | undefined> {
  const row = await db.selectFrom('assurance_problems').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

/** The services recorded on a problem when it opened, with their customers (for the resolution notice). */
export async function problemServices(db: Db, problemId: string): Promise<ImpactedService[]> {
  const { rows } = await sql<{
    service_id: string;
    tenant: string;
    customer_id: string;
    customer_type: string | null;
    sla_tier: string | null;
    site: string | null;
    specification: string | null;
    characteristics: unknown;
  }>`
    select ps.service_id, ps.tenant, ps.customer_id, c.type as customer_type, c.sla_tier, s.site, s.specification, s.characteristics
      from assurance_problem_services ps
      left join services s on s.id = ps.service_id
      left join customers c on c.tenant = ps.tenant and c.id = ps.customer_id
     where ps.problem_id = ${problemId}
     order by ps.service_id`.execute(db);
  return rows.map((r) => ({
    serviceId: r.service_id,
    tenant: r.tenant,
    customerId: r.customer_id,
    customerType: r.customer_type ?? 'unknown',
    slaTier: r.sla_tier ?? 'standard',
    area: r.site ?? 'unknown',
    specification: r.specification ?? 'unknown',
    characteristics: (r.characteristics ?? {}) as Record<string, unknown>,
  }));
}

async function loadDamping(db: Db, rootKey: string): Promise<DampingState | undefined> {
  const row = await db.selectFrom('assurance_damping').selectAll().where('root_key', '=', rootKey).forUpdate().executeTakeFirst();
  return row ? { penalty: Number(row.penalty), at: new Date(row.penalty_at).getTime(), suppressed: row.suppressed } : undefined;
}

async function saveDamping(db: Db, rootKey: string, s: DampingState): Promise<void> {
  await db
    .insertInto('assurance_damping')
    .values({ root_key: rootKey, penalty: s.penalty, penalty_at: new Date(s.at), suppressed: s.suppressed })
    .onConflict((oc) => oc.column('root_key').doUpdateSet({ penalty: s.penalty, penalty_at: new Date(s.at), suppressed: s.suppressed }))
    .execute();
}

/** An open problem that already covers `resourceId`: its root contains the resource, or it affects the resource's services. */
async function coveringProblem(db: Db, resourceId: string, services: ImpactedService[]): Promise<string | undefined> {
  const { rows } = await sql<{ id: string }>`
    with recursive ancestors(id) as (
      select ${resourceId}::text
      union
      select t.parent_id from assurance_topology t join ancestors a on t.child_id = a.id
    )
    select p.id from assurance_problems p
     where p.status <> 'resolved' and p.root_resource_id in (select id from ancestors) and p.root_resource_id <> ${resourceId}
     order by p.raised_at limit 1`.execute(db);
  if (rows[0]) return rows[0].id;
  if (services.length === 0) return undefined;
  const ids = services.map((s) => s.serviceId);
  const covering = await db
    .selectFrom('assurance_problem_services as ps')
    .innerJoin('assurance_problems as p', 'p.id', 'ps.problem_id')
    .select(['p.id'])
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('p.status', '<>', 'resolved')
    .where('ps.service_id', 'in', ids)
    .groupBy('p.id')
    .orderBy('n', 'desc')
    .executeTakeFirst();
  // Grouped only when the open problem already accounts for every service this alarm touches.
  return covering && Number(covering.n) === ids.length ? covering.id : undefined;
}

async function attachChild(db: Db, source: string, alarmId: string, problemId: string): Promise<void> {
  await db.updateTable('assurance_alarms').set({ problem_id: problemId }).where('source', '=', source).where('alarm_id', '=', alarmId).execute();
  await db
    .updateTable('assurance_problems')
    .set((eb) => ({ child_alarms: eb('child_alarms', '+', 1), updated_at: new Date() }))
    .where('id', '=', problemId)
    .execute();
}

export async function correlateAlarm(db: Db, alarm: AlarmEvent, options: CorrelationOptions = {}): Promise<CorrelationResult> {
  const damping = options.damping ?? DEFAULT_DAMPING;
  const newId = options.newId ?? randomUUID;
  const eventAt = new Date(alarm.eventTime);
  const existing = await db
    .selectFrom('assurance_alarms')
    .selectAll()
    .where('source', '=', alarm.source)
    .where('alarm_id', '=', alarm.id)
    .forUpdate()
    .executeTakeFirst();
  // Events of one alarm may arrive out of order: an older one than what we hold changes nothing.
  if (existing && existing.updated_at.getTime() > eventAt.getTime()) return { outcome: 'stale', changes: [] };

  if (alarm.state === 'cleared') return clearAlarm(db, alarm, existing, damping);

  if (existing && existing.state !== 'cleared') {
    await db
      .updateTable('assurance_alarms')
      .set({ severity: alarm.perceivedSeverity, state: alarm.state, updated_at: eventAt })
      .where('source', '=', alarm.source)
      .where('alarm_id', '=', alarm.id)
      .execute();
    return { outcome: 'updated', problemId: existing.problem_id ?? undefined, changes: [] };
  }

  const row = {
    source: alarm.source,
    alarm_id: alarm.id,
    resource_id: alarm.alarmedObject.id,
    resource_type: alarm.alarmedObject.type,
    parent_alarm_id: alarm.parentAlarmId ?? null,
    problem_id: null,
    state: alarm.state,
    severity: alarm.perceivedSeverity,
    probable_cause: alarm.probableCause,
    raised_at: new Date(alarm.alarmRaisedTime),
    cleared_at: null,
    updated_at: eventAt,
  };
  await db
    .insertInto('assurance_alarms')
    .values(row)
    .onConflict((oc) => oc.columns(['source', 'alarm_id']).doUpdateSet({ ...row, source: undefined, alarm_id: undefined }))
    .execute();

  if (alarm.parentAlarmId) {
    const parent = await db
      .selectFrom('assurance_alarms')
      .select(['problem_id'])
      .where('source', '=', alarm.source)
      .where('alarm_id', '=', alarm.parentAlarmId)
      .executeTakeFirst();
    if (!parent?.problem_id) return { outcome: 'orphan', changes: [] };
    await attachChild(db, alarm.source, alarm.id, parent.problem_id);
    return { outcome: 'child', problemId: parent.problem_id, changes: [] };
  }

  const rootKey = rootKeyOf(alarm);
  const state = onRaise(await loadDamping(db, rootKey), eventAt.getTime(), damping);
  await saveDamping(db, rootKey, state);

  const open = await db
    .selectFrom('assurance_problems')
    .select(['id'])
    .where('root_key', '=', rootKey)
    .where('status', '<>', 'resolved')
    .forUpdate()
    .executeTakeFirst();
  if (open) {
    // A re-raise of a root cause whose problem is still open (or pending while flapping): same problem, nothing new to tell.
    await db.updateTable('assurance_alarms').set({ problem_id: open.id }).where('source', '=', alarm.source).where('alarm_id', '=', alarm.id).execute();
    await db
      .updateTable('assurance_problems')
      .set({ status: 'inProgress', root_alarm_id: alarm.id, updated_at: new Date() })
      .where('id', '=', open.id)
      .execute();
    await adoptOrphans(db, alarm.source, alarm.id, open.id);
    return { outcome: 'joined-open-problem', problemId: open.id, changes: [] };
  }

  const impact = sqlImpactGraph(db);
  const services = await impact.servicesAffectedBy(alarm.alarmedObject.id);
  const covering = await coveringProblem(db, alarm.alarmedObject.id, services);
  if (covering) {
    await attachChild(db, alarm.source, alarm.id, covering);
    return { outcome: 'grouped-under-open-problem', problemId: covering, changes: [] };
  }

  const id = newId();
  const customers = new Set(services.map((s) => `${s.tenant}\u0000${s.customerId}`));
  const inserted = await db
    .insertInto('assurance_problems')
    .values({
      id,
      root_key: rootKey,
      root_source: alarm.source,
      root_alarm_id: alarm.id,
      root_resource_id: alarm.alarmedObject.id,
      root_resource_type: alarm.alarmedObject.type,
      probable_cause: alarm.probableCause,
      severity: alarm.perceivedSeverity,
      status: 'inProgress',
      affected_services: services.length,
      affected_customers: customers.size,
      raised_at: eventAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordProblemServices(db, id, services);
  await db.updateTable('assurance_alarms').set({ problem_id: id }).where('source', '=', alarm.source).where('alarm_id', '=', alarm.id).execute();
  const adopted = await adoptOrphans(db, alarm.source, alarm.id, id);
  const problem = toRecord({ ...inserted, child_alarms: adopted });
  return {
    outcome: 'opened',
    problemId: id,
    changes: [{ kind: 'raised', problem, services, alarmEventTime: alarm.eventTime, alarmKey: `${alarm.source}:${alarm.id}` }],
  };
}

async function recordProblemServices(db: Db, problemId: string, services: ImpactedService[]): Promise<void> {
  if (services.length === 0) return;
  // One statement per 10,000 rows via unnest: a fibre cut's impact is written in milliseconds.
  for (let i = 0; i < services.length; i += 10_000) {
    const chunk = services.slice(i, i + 10_000);
    await sql`
      insert into assurance_problem_services (problem_id, service_id, tenant, customer_id)
      select ${problemId}, s, t, c from unnest(${chunk.map((x) => x.serviceId)}::text[], ${chunk.map((x) => x.tenant)}::text[], ${chunk.map((x) => x.customerId)}::text[]) as u(s, t, c)
      on conflict do nothing`.execute(db);
  }
}

/** Children that arrived before their parent join the parent's problem. */
async function adoptOrphans(db: Db, source: string, parentAlarmId: string, problemId: string): Promise<number> {
  const adopted = await db
    .updateTable('assurance_alarms')
    .set({ problem_id: problemId })
    .where('source', '=', source)
    .where('parent_alarm_id', '=', parentAlarmId)
    .where('problem_id', 'is', null)
    .executeTakeFirst();
  const n = Number(adopted.numUpdatedRows);
  if (n > 0) {
    await db
      .updateTable('assurance_problems')
      .set((eb) => ({ child_alarms: eb('child_alarms', '+', n) }))
      .where('id', '=', problemId)
      .execute();
  }
  return n;
}

async function clearAlarm(
  db: Db,
  alarm: AlarmEvent,
  existing: { problem_id: string | null; state: string } | undefined,
  damping: DampingConfig,
): Promise<CorrelationResult> {
  const eventAt = new Date(alarm.eventTime);
  if (!existing) {
    // A clear for an alarm never seen raised: remembered, so a late raise is recognised as stale.
    await db
      .insertInto('assurance_alarms')
      .values({
        source: alarm.source,
        alarm_id: alarm.id,
        resource_id: alarm.alarmedObject.id,
        resource_type: alarm.alarmedObject.type,
        parent_alarm_id: alarm.parentAlarmId ?? null,
        problem_id: null,
        state: 'cleared',
        severity: 'cleared',
        probable_cause: alarm.probableCause,
        raised_at: new Date(alarm.alarmRaisedTime),
        cleared_at: eventAt,
        updated_at: eventAt,
      })
      .execute();
    return { outcome: 'cleared', changes: [] };
  }
  await db
    .updateTable('assurance_alarms')
    .set({ state: 'cleared', severity: 'cleared', cleared_at: eventAt, updated_at: eventAt })
    .where('source', '=', alarm.source)
    .where('alarm_id', '=', alarm.id)
    .execute();
  if (existing.state === 'cleared' || !existing.problem_id) return { outcome: 'cleared', changes: [] };
  const problem = await db
    .selectFrom('assurance_problems')
    .selectAll()
    .where('id', '=', existing.problem_id)
    .forUpdate()
    .executeTakeFirst();
  // Only the root cause clearing resolves a problem — children just clear — and only once every
  // raise of that root cause (re-raises with other alarm ids join the same problem) has cleared.
  const isRoot = problem && problem.root_key === rootKeyOf(alarm) && !alarm.parentAlarmId;
  if (!problem || problem.status === 'resolved' || !isRoot) {
    return { outcome: 'cleared', problemId: existing.problem_id, changes: [] };
  }
  const stillRaised = await db
    .selectFrom('assurance_alarms')
    .select('alarm_id')
    .where('problem_id', '=', problem.id)
    .where('source', '=', problem.root_source)
    .where('resource_id', '=', problem.root_resource_id)
    .where('probable_cause', '=', problem.probable_cause)
    .where('parent_alarm_id', 'is', null)
    .where('state', '<>', 'cleared')
    .executeTakeFirst();
  if (stillRaised) return { outcome: 'cleared', problemId: problem.id, changes: [] };
  const stored = await loadDamping(db, problem.root_key);
  const state = stored ? settle(stored, eventAt.getTime(), damping) : undefined;
  if (state) await saveDamping(db, problem.root_key, state);
  if (state?.suppressed) {
    await db.updateTable('assurance_problems').set({ status: 'pending', updated_at: new Date() }).where('id', '=', problem.id).execute();
    return { outcome: 'damped', problemId: problem.id, changes: [] };
  }
  const change = await resolveProblem(db, problem.id, eventAt, `${alarm.source}:${alarm.id}`);
  return { outcome: 'resolved', problemId: problem.id, changes: change ? [change] : [] };
}

export async function resolveProblem(db: Db, problemId: string, at: Date, alarmKey: string): Promise<ProblemChange | undefined> {
  const row = await db
    .updateTable('assurance_problems')
    .set({ status: 'resolved', resolved_at: at, updated_at: new Date() })
    .where('id', '=', problemId)
    .where('status', '<>', 'resolved')
    .returningAll()
    .executeTakeFirst();
  if (!row) return undefined;
  return { kind: 'resolved', problem: toRecord(row), services: await problemServices(db, problemId), alarmEventTime: at.toISOString(), alarmKey };
}

/**
 * Resolves `pending` problems whose flapping root alarm has been stable long enough (penalty
 * decayed below the reuse threshold at `now`). Run periodically.
 */
export async function settlePending(db: Kysely<Database>, now: Date, damping: DampingConfig = DEFAULT_DAMPING): Promise<ProblemChange[]> {
  const pending = await db.selectFrom('assurance_problems').select(['id', 'root_key', 'root_source', 'root_alarm_id']).where('status', '=', 'pending').execute();
  const changes: ProblemChange[] = [];
  for (const p of pending) {
    const change = await db.transaction().execute(async (trx) => {
      const stored = await loadDamping(trx, p.root_key);
      const state = stored ? settle(stored, now.getTime(), damping) : undefined;
      if (state?.suppressed) return undefined;
      if (state) await saveDamping(trx, p.root_key, state);
      return resolveProblem(trx, p.id, now, `${p.root_source}:${p.root_alarm_id}`);
    });
    if (change) changes.push(change);
  }
  return changes;
}

/**
 * Child alarms whose parent never arrived (lost, or from a system that does not send it) would
 * otherwise never reach a customer: after `graceMs` (event time of the child vs `now`) the orphans
 * of one parent become one problem, rooted at the missing parent, affecting the union of the
 * services their resources carry. Run periodically.
 */
export async function promoteOrphans(db: Kysely<Database>, now: Date, graceMs = 30_000): Promise<ProblemChange[]> {
  const parents = await db
    .selectFrom('assurance_alarms')
    .select(['source', 'parent_alarm_id'])
    .select((eb) => eb.fn.min('updated_at').as('first_at'))
    .where('problem_id', 'is', null)
    .where('parent_alarm_id', 'is not', null)
    .where('state', '<>', 'cleared')
    .groupBy(['source', 'parent_alarm_id'])
    .having((eb) => eb.fn.min('updated_at'), '<=', new Date(now.getTime() - graceMs))
    .execute();
  const changes: ProblemChange[] = [];
  for (const p of parents) {
    const change = await db.transaction().execute(async (trx) => {
      const orphans = await trx
        .selectFrom('assurance_alarms')
        .selectAll()
        .where('source', '=', p.source)
        .where('parent_alarm_id', '=', p.parent_alarm_id!)
        .where('problem_id', 'is', null)
        .where('state', '<>', 'cleared')
        .forUpdate()
        .execute();
      if (orphans.length === 0) return undefined;
      const impact = sqlImpactGraph(trx);
      const byId = new Map<string, ImpactedService>();
      for (const o of orphans) for (const s of await impact.servicesAffectedBy(o.resource_id)) byId.set(s.serviceId, s);
      const services = [...byId.values()];
      const first = orphans.reduce((a, b) => (a.updated_at <= b.updated_at ? a : b));
      const id = `sp-orphans-${createHash('sha256').update(`${p.source}\u0000${p.parent_alarm_id}`).digest('hex').slice(0, 24)}`;
      const inserted = await trx
        .insertInto('assurance_problems')
        .values({
          id,
          root_key: `${p.source}|parent:${p.parent_alarm_id}`,
          root_source: p.source,
          root_alarm_id: p.parent_alarm_id!,
          root_resource_id: `unknown:${p.parent_alarm_id}`,
          root_resource_type: 'unknown',
          probable_cause: first.probable_cause,
          severity: first.severity,
          status: 'inProgress',
          affected_services: services.length,
          affected_customers: new Set(services.map((s) => `${s.tenant}\u0000${s.customerId}`)).size,
          child_alarms: orphans.length,
          raised_at: first.updated_at,
        })
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!inserted) return undefined;
      await recordProblemServices(trx, id, services);
      await trx
        .updateTable('assurance_alarms')
        .set({ problem_id: id })
        .where('source', '=', p.source)
        .where('parent_alarm_id', '=', p.parent_alarm_id!)
        .where('problem_id', 'is', null)
        .execute();
      return { kind: 'raised' as const, problem: toRecord(inserted), services, alarmEventTime: first.updated_at.toISOString(), alarmKey: `${p.source}:${p.parent_alarm_id}` };
    });
    if (change) changes.push(change);
  }
  return changes;
}
