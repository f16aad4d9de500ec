/**
 * TMF656 Service Problem Management shapes: the ServiceProblem resource and the events the BSS
 * receives (ServiceProblemCreateEvent when a problem opens, ServiceProblemStateChangeEvent when it
 * resolves). Only the fields Junction fills are declared.
 */
import { serviceHref } from '../order-model.js';
import type { ProblemRecord } from './correlation.js';
import type { ImpactedService } from './impact.js';

export const SERVICE_PROBLEM_BASE = '/assurance/v1/serviceProblem';

export type NotificationPriority = 'critical' | 'high' | 'normal' | 'low';
/** TMF656 priority is an integer, 1 the most urgent. */
const PRIORITY_NUMBER: Record<NotificationPriority, number> = { critical: 1, high: 2, normal: 3, low: 4 };

export interface ServiceProblem {
  id: string;
  href: string;
  '@type': 'ServiceProblem';
  category: 'network';
  description: string;
  reason: string;
  status: ProblemRecord['status'];
  priority: number;
  impactImportanceFactor: string;
  affectedNumberOfServices: number;
  timeRaised: string;
  resolutionDate?: string;
  statusChangeDate: string;
  rootCauseResource: Array<{ id: string; '@referredType': string; '@type': 'ResourceRef' }>;
  underlyingAlarm: Array<{ id: string; '@type': 'AlarmRef' }>;
  affectedService: Array<{ id: string; href: string; '@referredType': 'Service'; '@type': 'ServiceRef' }>;
  relatedParty: Array<{ id: string; role: 'customer'; '@referredType': 'Customer'; '@type': 'RelatedParty' }>;
  affectedLocation: Array<{ id: string; role: 'area'; '@type': 'RelatedPlaceRefOrValue' }>;
}

export interface ServiceProblemEvent {
  eventId: string;
  eventTime: string;
  eventType: 'ServiceProblemCreateEvent' | 'ServiceProblemStateChangeEvent';
  tenant: string;
  /** How the notification policy decided to tell this tenant (and which decision said so). */
  notification: { mode: 'individual' | 'batched'; priority: NotificationPriority; decisionId: string };
  /** Event time of the alarm that caused it: lets listeners measure fault-to-notification time. */
  alarmEventTime: string;
  event: { serviceProblem: ServiceProblem };
}

export function serviceProblem(
  problem: ProblemRecord,
  services: readonly ImpactedService[],
  priority: NotificationPriority,
  statusChangeDate: string,
): ServiceProblem {
  const customers = [...new Set(services.map((s) => s.customerId))].sort();
  const areas = [...new Set(services.map((s) => s.area))].sort();
  return {
    id: problem.id,
    href: `${SERVICE_PROBLEM_BASE}/${problem.id}`,
    '@type': 'ServiceProblem',
    category: 'network',
    description: `${problem.probableCause} on ${problem.rootResource.type} ${problem.rootResource.id}`,
    reason: problem.probableCause,
    status: problem.status,
    priority: PRIORITY_NUMBER[priority],
    impactImportanceFactor: problem.severity,
    affectedNumberOfServices: services.length,
    timeRaised: problem.raisedAt,
    ...(problem.resolvedAt ? { resolutionDate: problem.resolvedAt } : {}),
    statusChangeDate,
    rootCauseResource: [{ id: problem.rootResource.id, '@referredType': problem.rootResource.type, '@type': 'ResourceRef' }],
    underlyingAlarm: [{ id: `${problem.rootSource}:${problem.rootAlarmId}`, '@type': 'AlarmRef' }],
    affectedService: services.map((s) => ({ id: s.serviceId, href: serviceHref(s.serviceId), '@referredType': 'Service', '@type': 'ServiceRef' })),
    relatedParty: customers.map((id) => ({ id, role: 'customer', '@referredType': 'Customer', '@type': 'RelatedParty' })),
    affectedLocation: areas.map((id) => ({ id, role: 'area', '@type': 'RelatedPlaceRefOrValue' })),
  };
}
