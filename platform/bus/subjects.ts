/**
 * Every NATS subject, JetStream stream, durable consumer and KV bucket Junction uses, in one place.
 *
 * Everything is derived from the namespace (JUNCTION_NAMESPACE): subjects start with `<ns>.`,
 * stream/consumer/bucket names with `<ns>_`. Two deployments or test runs with different
 * namespaces share one NATS server without seeing each other's messages.
 *
 * Adding a subject: add it to `subjects()` with a comment saying who publishes it, who consumes
 * it and what the payload is; make sure a stream's `subjects` pattern covers it.
 */
import { AckPolicy, DeliverPolicy, type ConsumerConfig } from '@nats-io/jetstream';

/** Header carrying the id of the HTTP request (or upstream message) that caused a message. */
export const CORRELATION_ID_HEADER = 'Junction-Correlation-Id';
/** Header JetStream uses to drop a re-published message inside the stream's duplicate window. */
export const MESSAGE_ID_HEADER = 'Nats-Msg-Id';
/** On a retried dead letter: the id of the dead letter it retries (platform/bus/dead-letter-store.ts). */
export const DEAD_LETTER_ID_HEADER = 'Junction-Dead-Letter-Id';
/**
 * On a retried dead letter: the message id of the message that died. Consumers see it as the
 * message's id (BusMessage.messageId), so their dedupe ledgers treat the retry as the same message;
 * only Nats-Msg-Id is fresh, so the stream does not drop the retry as a duplicate.
 */
export const RETRY_OF_HEADER = 'Junction-Retry-Of';
/**
 * On a retried dead letter: the durable consumer it is meant for. Other consumers of the same
 * subject, which handled the original, acknowledge it without running their handlers.
 */
export const RETRY_CONSUMER_HEADER = 'Junction-Retry-Consumer';

export function subjects(ns: string) {
  return {
    orders: {
      /** Gateway → orchestrator. A TMF641 ServiceOrder accepted over HTTP; payload: the order as stored. */
      received: `${ns}.orders.intake.received`,
      /** Gateway → orchestrator. A TMF641 CancelServiceOrder request; payload: { orderId, cancellationId }. */
      cancelRequested: `${ns}.orders.intake.cancel_requested`,
      /** Orchestrator → notifier/audit. An order's state changed; payload: { orderId, from, to, at }, or several grouped as { batch: [...] } (read with group-publish.ts `ungroup`). */
      stateChanged: `${ns}.orders.state_changed`,
    },
    customers: {
      /** BSS → orchestrator. Customer data changed (e.g. suspension), which may affect running orders; payload: { customerId, change }. */
      updated: `${ns}.customers.updated`,
    },
    network: {
      /** Orchestrator → southbound adapter. Activate/modify/deactivate a service; payload: { orderId, itemId, action, service }. */
      activationRequested: `${ns}.network.activation.requested`,
      /** Adapter → orchestrator. Result of an activation request; payload: { orderId, itemId, outcome, detail }. */
      activationResult: `${ns}.network.activation.result`,
      /** Adapter → orchestrator. Unsolicited network event (alarm, resource change); payload: { source, kind, detail }. */
      event: `${ns}.network.event`,
    },
    notifications: {
      /** Orchestrator → notifier. A TMF event to deliver to registered BSS listeners (hub); payload: { eventType, event }. */
      outbound: `${ns}.notifications.outbound`,
    },
    decisions: {
      /** Policy engine → audit. One policy decision (input, result, policy version); payload: the decision record. */
      recorded: `${ns}.decisions.recorded`,
    },
    deadLetters: {
      /**
       * Any consumer loop (platform/bus/consume.ts) → dead-letter recorder. A message its consumer
       * gave up on (handler failed on its last allowed delivery, or payload undecodable); one
       * subject per consumer; payload: DeadLetterRecord (platform/bus/dead-letter.ts).
       */
      of: (consumer: string) => `${ns}.dead_letters.${consumer}`,
      /** Every consumer's dead letters. */
      all: `${ns}.dead_letters.>`,
    },
  } as const;
}
export type Subjects = ReturnType<typeof subjects>;

export interface StreamSpec {
  name: string;
  description: string;
  subjects: string[];
}

export interface ConsumerSpec {
  stream: string;
  /** Durable name (also the consumer's name in the dedupe ledger). */
  name: string;
  description: string;
  /** A single filter subject: nats-server 2.9 has no `filter_subjects`. */
  filterSubject: string;
  ackWaitMs: number;
  /**
   * Deliveries before a message whose handler keeps failing is dead-lettered (consume.ts); 0 or
   * less: never dead-lettered, redelivered until handled. Not the server's max_deliver, which is
   * unlimited: a server-side limit would drop a message whose dead-lettering failed.
   */
  maxDeliver: number;
}

/** The streams and durable consumers Junction declares at start (idempotently). */
export function topology(ns: string) {
  const streams = {
    orders: {
      name: `${ns}_orders`,
      description: 'Customer and order events: orders accepted at the edge, cancellations, state changes, customer changes',
      subjects: [`${ns}.orders.>`, `${ns}.customers.>`],
    },
    network: {
      name: `${ns}_network`,
      description: 'Network events: activation requests to adapters, their results, unsolicited network events',
      subjects: [`${ns}.network.>`],
    },
    notifications: {
      name: `${ns}_notifications`,
      description: 'Outbound notifications to BSS listeners',
      subjects: [`${ns}.notifications.>`],
    },
    decisions: {
      name: `${ns}_decisions`,
      description: 'Policy decisions, on their way to the audit log',
      subjects: [`${ns}.decisions.>`],
    },
    deadLetters: {
      name: `${ns}_dead_letters`,
      description: 'Dead letters: messages a consumer gave up on, on their way to the operator API (/operations/v1/dead-letters)',
      subjects: [`${ns}.dead_letters.>`],
    },
  } satisfies Record<string, StreamSpec>;

  const consumers = {
    /** The orchestrator's intake: new orders and cancellations (under orders.intake). */
    orchestratorOrders: {
      stream: streams.orders.name,
      name: `${ns}_orchestrator_orders`,
      description: 'Orchestrator: order intake and cancellations',
      // Only the intake: the orchestrator's own state announcements (orders.state_changed) are
      // for others, and would cost it a delivery and an ack each.
      filterSubject: `${ns}.orders.intake.>`,
      ackWaitMs: 30_000,
      maxDeliver: 10,
    },
    /** The orchestrator's view of the network: activation results and network events. */
    orchestratorNetwork: {
      stream: streams.network.name,
      name: `${ns}_orchestrator_network`,
      description: 'Orchestrator: activation results and network events',
      filterSubject: `${ns}.network.>`,
      ackWaitMs: 30_000,
      maxDeliver: 10,
    },
    /**
     * Records dead letters in Postgres (table dead_letters) for the operator API. Never
     * dead-lettered itself (maxDeliver 0): a failure to record is retried until Postgres answers.
     */
    deadLetterRecorder: {
      stream: streams.deadLetters.name,
      name: `${ns}_dead_letter_recorder`,
      description: 'Dead letters into Postgres for the operator API',
      filterSubject: `${ns}.dead_letters.>`,
      ackWaitMs: 30_000,
      maxDeliver: 0,
    },
  } satisfies Record<string, ConsumerSpec>;

  return { streams, consumers };
}
export type Topology = ReturnType<typeof topology>;

/** KV bucket names are namespaced like streams (JetStream stores a bucket as stream `KV_<bucket>`). */
export function bucketName(ns: string, bucket: string): string {
  return `${ns}_${bucket}`;
}

/** Every stream name that belongs to a namespace, including KV buckets' backing streams. */
export function belongsToNamespace(ns: string, streamName: string): boolean {
  return streamName.startsWith(`${ns}_`) || streamName.startsWith(`KV_${ns}_`);
}

/** Server-side consumer config for a spec (explicit acks: a message is acked only after its work commits). */
export function consumerConfig(spec: ConsumerSpec): Partial<ConsumerConfig> {
  return {
    durable_name: spec.name,
    description: spec.description,
    filter_subject: spec.filterSubject,
    ack_policy: AckPolicy.Explicit,
    ack_wait: spec.ackWaitMs * 1_000_000,
    // Unlimited: consume.ts dead-letters a message after spec.maxDeliver deliveries, and only once
    // the dead letter is stored; until then the message must keep coming back.
    max_deliver: -1,
    deliver_policy: DeliverPolicy.All,
  };
}
