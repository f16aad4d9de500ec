/**
 * Sends decisions to the audit log: the decisions stream, which the audit writer consumes. Grouped
 * (platform/bus/group-publish.ts): under load, the decisions of many requests and orders share a
 * message and one consumer ack; the writer stores each and deduplicates on the decision id.
 */
import type { Bus } from '../../platform/bus/bus.js';
import { groupPublisher } from '../../platform/bus/group-publish.js';
import type { Decision } from './index.js';

/** Sends one decision to the audit log; resolves once the stream stored it. */
export type DecisionPublisher = (decision: Decision) => Promise<void>;

export function busDecisionPublisher(bus: Pick<Bus, 'publish' | 'subjects'>): DecisionPublisher {
  const group = groupPublisher(bus, bus.subjects.decisions.recorded);
  return (d) => group.publish(d, { messageId: d.decision_id, correlationId: d.request_id ?? d.order_id ?? d.network_event_id });
}
