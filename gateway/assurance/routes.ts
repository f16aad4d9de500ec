/**
 * Assurance over HTTP.
 *
 * Ingestion (role `network`), for network systems that push instead of publishing to the bus:
 * `POST /assurance/v1/alarms | kpis | usage` take one event, an array, or `{ "events": [...] }`.
 * Each event is mediated at the edge: a valid one goes onto the network-events stream (message id
 * = its natural id, so a re-POST is dropped there and deduplicated again by the intake); a
 * malformed one goes to the quarantine stream with its reason and is reported back. One bad event
 * never fails the others: 202 while anything was accepted, 422 when nothing was.
 *
 * Reads (roles operator, network; bss sees its own tenant only): TMF656-shaped service problems,
 * alarms, SLA credits, inventory drift.
 */
import type { Context, Hono } from 'hono';
import { sql, type Kysely } from 'kysely';
import type { NetworkEventMessage } from '../../adapters/runtime/bus-events.js';
import type { NetworkEvent } from '../../adapters/contract.js';
import { loadProblem, problemServices } from '../../orchestrator/assurance/correlation.js';
import { quarantine } from '../../orchestrator/assurance/ingest.js';
import { mediate } from '../../orchestrator/assurance/mediation.js';
import type { AssuranceMetrics } from '../../orchestrator/assurance/metrics.js';
import { serviceProblem } from '../../orchestrator/assurance/service-problem.js';
import type { AssuranceSubjects } from '../../orchestrator/assurance/subjects.js';
import type { Bus } from '../../platform/bus/bus.js';
import type { Database } from '../../platform/db/schema.js';
import { requireRoles, tenantScope, type AccessControl } from '../access.js';
import type { GatewayEnv } from '../context.js';
import { jsonError } from '../errors.js';

export const ASSURANCE_BASE = '/assurance/v1';
const MAX_EVENTS_PER_REQUEST = 5_000;

export interface AssuranceRouteDeps {
  db: Kysely<Database>;
  bus: Pick<Bus, 'subjects'>;
  subjects: AssuranceSubjects;
  /** The latest inventory drift report, when reconciliation runs in this process. */
  drift?: () => unknown;
  metrics?: Pick<AssuranceMetrics, 'events'>;
}

function eventsOf(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null && Array.isArray((body as { events?: unknown }).events)) return (body as { events: unknown[] }).events;
  if (typeof body === 'object' && body !== null) return [body];
  return undefined;
}

export function assuranceRoutes(deps: AssuranceRouteDeps) {
  return (app: Hono<GatewayEnv>, access: AccessControl) => {
    const ingest = (kind: NetworkEvent['kind']) =>
      app.post(`${ASSURANCE_BASE}/${kind === 'alarm' ? 'alarms' : kind === 'kpi' ? 'kpis' : 'usage'}`, requireRoles(access, 'network'), async (c) => {
        let body: unknown;
        try {
          body = await c.req.json();
        } catch {
          return jsonError(c, 400, 'bad_request', 'the body is not JSON');
        }
        const events = eventsOf(body);
        if (!events) return jsonError(c, 400, 'bad_request', 'expected an event object, an array of events, or {"events": [...]}');
        if (events.length > MAX_EVENTS_PER_REQUEST) return jsonError(c, 413, 'too_many_events', `at most ${MAX_EVENTS_PER_REQUEST} events per request, got ${events.length}`);
        const publish = c.get('publish');
        const accepted: Array<{ index: number; id: string; dedupeKey: string }> = [];
        const quarantined: Array<{ index: number; reason: string; quarantineId: string }> = [];
        await Promise.all(
          events.map(async (raw, index) => {
            const m = mediate(raw, kind);
            if (!m.ok) {
              const id = await quarantine({ publish: (s, p, o) => publish(s, p, o), subjects: deps.subjects }, raw, m.reason, 'http');
              quarantined.push({ index, reason: m.reason, quarantineId: id });
              // Refused at the edge, so the intake never sees (or counts) it.
              deps.metrics?.events.inc({ kind, outcome: 'quarantined' });
              return;
            }
            const message: NetworkEventMessage = { source: m.event.source, kind: m.event.kind, detail: m.event };
            await publish(deps.bus.subjects.network.event, message, { messageId: m.dedupeKey });
            accepted.push({ index, id: m.event.id, dedupeKey: m.dedupeKey });
          }),
        );
        accepted.sort((a, b) => a.index - b.index);
        quarantined.sort((a, b) => a.index - b.index);
        return c.json({ accepted, quarantined }, accepted.length === 0 && quarantined.length > 0 ? 422 : 202);
      });
    ingest('alarm');
    ingest('kpi');
    ingest('usage');

    const readers = requireRoles(access, 'operator', 'network', 'bss');
    /**
     * The tenant whose slice of problems and credits a caller sees (gateway/access.ts tenantScope):
     * a bound key its own, an unbound operator every tenant (or the one it names), an unbound
     * network feed all of them; anyone else nothing.
     */
    const tenantOf = (c: Context<GatewayEnv>): string | undefined => {
      const scope = tenantScope(c);
      if (scope.kind === 'tenant') return scope.tenant;
      if (scope.kind === 'all' || c.get('principal')?.roles.includes('network')) return undefined;
      return '\u0000none';
    };

    app.get(`${ASSURANCE_BASE}/serviceProblem`, readers, async (c) => {
      const tenant = tenantOf(c);
      const status = c.req.query('status');
      let q = deps.db.selectFrom('assurance_problems').selectAll().orderBy('raised_at', 'desc').limit(Math.min(Number(c.req.query('limit') ?? 100) || 100, 1_000));
      if (status) q = q.where('status', '=', status);
      if (tenant) q = q.where(({ exists, selectFrom }) => exists(selectFrom('assurance_problem_services as ps').select('ps.service_id').whereRef('ps.problem_id', '=', 'assurance_problems.id').where('ps.tenant', '=', tenant)));
      const rows = await q.execute();
      return c.json(
        rows.map((r) => ({
          id: r.id,
          href: `${ASSURANCE_BASE}/serviceProblem/${r.id}`,
          status: r.status,
          reason: r.probable_cause,
          impactImportanceFactor: r.severity,
          affectedNumberOfServices: r.affected_services,
          rootCauseResource: [{ id: r.root_resource_id, '@referredType': r.root_resource_type }],
          childAlarms: r.child_alarms,
          timeRaised: r.raised_at.toISOString(),
          resolutionDate: r.resolved_at?.toISOString(),
          '@type': 'ServiceProblem',
        })),
      );
    });

    app.get(`${ASSURANCE_BASE}/serviceProblem/:id`, readers, async (c) => {
      const problem = await loadProblem(deps.db, c.req.param('id'));
      if (!problem) return jsonError(c, 404, 'not_found', `no service problem ${c.req.param('id')}`);
      const tenant = tenantOf(c);
      const services = (await problemServices(deps.db, problem.id)).filter((s) => !tenant || s.tenant === tenant);
      if (tenant && services.length === 0) return jsonError(c, 404, 'not_found', `no service problem ${problem.id}`);
      return c.json({ ...serviceProblem(problem, services, 'normal', problem.resolvedAt ?? problem.raisedAt), childAlarms: problem.childAlarms });
    });

    app.get(`${ASSURANCE_BASE}/alarms`, requireRoles(access, 'operator', 'network'), async (c) => {
      let q = deps.db.selectFrom('assurance_alarms').selectAll().orderBy('updated_at', 'desc').limit(Math.min(Number(c.req.query('limit') ?? 100) || 100, 1_000));
      const state = c.req.query('state');
      if (state) q = q.where('state', '=', state);
      const problemId = c.req.query('problemId');
      if (problemId) q = q.where('problem_id', '=', problemId);
      return c.json(await q.execute());
    });

    app.get(`${ASSURANCE_BASE}/credits`, readers, async (c) => {
      const tenant = tenantOf(c);
      let q = deps.db.selectFrom('assurance_credits').selectAll().orderBy('created_at', 'desc').limit(1_000);
      if (tenant) q = q.where('tenant', '=', tenant);
      const serviceId = c.req.query('serviceId');
      if (serviceId) q = q.where('service_id', '=', serviceId);
      return c.json((await q.execute()).map((r) => ({ ...r, amount: Number(r.amount) })));
    });

    app.get(`${ASSURANCE_BASE}/drift`, requireRoles(access, 'operator', 'network'), async (c) => {
      const report = deps.drift?.();
      if (!report) return jsonError(c, 404, 'not_found', 'no reconciliation has run in this process yet');
      return c.json(report);
    });

    app.get(`${ASSURANCE_BASE}/summary`, requireRoles(access, 'operator', 'network'), async (c) => {
      const { rows } = await sql<{ status: string; n: string }>`select status, count(*) as n from assurance_problems group by status`.execute(deps.db);
      return c.json(Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])));
    });
  };
}
