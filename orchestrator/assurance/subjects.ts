/**
 * Assurance's subjects, stream and durable consumer. They live here (not in platform/bus/subjects.ts)
 * because assurance declares them itself at start, idempotently, beside the platform topology.
 *
 * - Network events arrive on the platform's `<ns>.network.event` (stream `<ns>_network`), from
 *   adapters and from the HTTP ingestion endpoints alike; assurance reads them with its own durable.
 * - Everything assurance says to the BSS rides the platform's notifications stream
 *   (`<ns>.notifications.>`): per-tenant subjects plus the hub's `notifications.outbound`.
 * - Its own operational events (quarantine, drift, SLA) go to stream `<ns>_assurance`.
 */
import type { ConsumerSpec, StreamSpec } from '../../platform/bus/subjects.js';

/** Subject tokens may not contain `.`, `*`, `>` or whitespace: anything else in a tenant id becomes `_`. */
export function subjectToken(value: string): string {
  const token = value.replace(/[^A-Za-z0-9_-]/g, '_');
  return token.length ? token : '_';
}

export function assuranceSubjects(ns: string) {
  return {
    /** Mediation → operators. A network event that failed validation; payload: QuarantinedEvent. */
    quarantine: `${ns}.assurance.quarantine`,
    /** Reconciliation → operators. Inventory drift found; payload: DriftReport. */
    drift: `${ns}.assurance.drift`,
    /** SLA evaluation → operators/remediation. A breach changed status; payload: the breach. */
    sla: `${ns}.assurance.sla`,
    /** Mediation → billing. A validated, deduplicated usage record; payload: UsageEvent. */
    usage: `${ns}.notifications.usage.recorded`,
    /** Assurance → tenant's BSS. TMF656 ServiceProblem events for one tenant; payload: ServiceProblemEvent. */
    tenantProblems: (tenant: string) => `${ns}.notifications.tenant.${subjectToken(tenant)}.service_problem`,
    /** Assurance → tenant's BSS. An SLA credit; payload: SlaCreditEvent. */
    tenantCredits: (tenant: string) => `${ns}.notifications.tenant.${subjectToken(tenant)}.sla_credit`,
    /** Every tenant's notifications (for a subscriber that fans out, e.g. the bench). */
    allTenants: `${ns}.notifications.tenant.>`,
  } as const;
}
export type AssuranceSubjects = ReturnType<typeof assuranceSubjects>;

export function assuranceTopology(ns: string) {
  const stream: StreamSpec = {
    name: `${ns}_assurance`,
    description: 'Assurance: quarantined network events, inventory drift, SLA breach changes',
    subjects: [`${ns}.assurance.>`],
  };
  const networkEvents: ConsumerSpec = {
    stream: `${ns}_network`,
    name: `${ns}_assurance_network_events`,
    description: 'Assurance: alarms, KPIs and usage from adapters and HTTP ingestion',
    filterSubject: `${ns}.network.event`,
    ackWaitMs: 30_000,
    maxDeliver: 10,
  };
  return { stream, networkEvents };
}
