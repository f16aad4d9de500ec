/**
 * The connection to NATS JetStream: connect, declare the topology, publish with a message id
 * and a correlation id, check liveness for /ready, close by draining.
 */
import {
  DiscardPolicy,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type PubAck,
} from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import { withTimeout } from '../timeout.js';
import { JETSTREAM_HINT, NatsUnavailableError } from './errors.js';
import {
  CORRELATION_ID_HEADER,
  consumerConfig,
  subjects,
  topology,
  type ConsumerSpec,
  type StreamSpec,
  type Subjects,
  type Topology,
} from './subjects.js';

const NANOS_PER_MS = 1_000_000;
/** Events are kept a week for replay and inspection; consumers track their own position. */
const STREAM_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** A re-published message with the same Nats-Msg-Id inside this window is dropped by the stream. */
export const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

/** A payload already encoded as JSON text: published as it is (a group publisher encodes each payload once). */
export class EncodedJson {
  constructor(readonly text: string) {}
}

export interface PublishOptions {
  /**
   * Becomes `Nats-Msg-Id`. Use a natural id when the message has one (e.g. `order:<id>:received`)
   * so a retried publish is dropped by the stream instead of stored twice.
   */
  messageId: string;
  /** The request id (or upstream correlation id) that caused this message. */
  correlationId?: string;
  headers?: Record<string, string>;
}

export interface Bus {
  readonly namespace: string;
  readonly subjects: Subjects;
  readonly topology: Topology;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Publishes `payload` as JSON to a JetStream subject and waits for the stream's ack. */
  publish(subject: string, payload: unknown, options: PublishOptions): Promise<PubAck>;
  /** Resolves when JetStream answers; rejects with the reason otherwise. */
  check(timeoutMs?: number): Promise<void>;
  /** Drains subscriptions and closes the connection. */
  close(): Promise<void>;
}

export async function connectNats(url: string, timeoutMs = 2_000): Promise<NatsConnection> {
  return connect({
    servers: url,
    name: 'junction',
    timeout: timeoutMs,
    // Keep reconnecting forever: /ready reports the outage, the process must not die of it.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // nats.js otherwise captures a stack trace for every request (each JetStream publish and KV
    // put) in case it fails: a measurable share of the orchestrator's CPU at hundreds of
    // publishes per second. Failures still say what failed; Junction logs them with the subject.
    noAsyncTraces: true,
  });
}

export async function createBus(nc: NatsConnection, namespace: string, logger: Logger): Promise<Bus> {
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc, { timeout: 5_000 });
  } catch (err) {
    if ((err as Error).name === 'JetStreamNotEnabled') {
      throw new NatsUnavailableError(`NATS at ${nc.getServer()} answers but JetStream is not enabled: ${JETSTREAM_HINT}`);
    }
    throw err;
  }
  const js = jetstream(nc, { timeout: 5_000 });
  void watchStatus(nc, logger);
  return {
    namespace,
    subjects: subjects(namespace),
    topology: topology(namespace),
    nc,
    js,
    jsm,
    async publish(subject, payload, options) {
      const h = natsHeaders();
      h.set('Content-Type', 'application/json');
      if (options.correlationId) h.set(CORRELATION_ID_HEADER, options.correlationId);
      for (const [k, v] of Object.entries(options.headers ?? {})) h.set(k, v);
      return js.publish(subject, payload instanceof EncodedJson ? payload.text : JSON.stringify(payload), { msgID: options.messageId, headers: h });
    },
    async check(timeoutMs = 2_000) {
      if (nc.isClosed()) throw new Error('jetstream connection is closed');
      await withTimeout(jsm.getAccountInfo(), timeoutMs, 'jetstream');
    },
    async close() {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}

async function watchStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') {
      logger.warn({ nats: s.type, server: 'server' in s ? s.server : undefined }, `nats ${s.type}`);
    }
  }
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

/** JetStream API error codes (see nats-server's server/errors.json). */
const STREAM_NAME_IN_USE = 10058;
const CONSUMER_ALREADY_EXISTS = 10148;
const CONSUMER_NAME_EXISTS = 10013;

export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  const config = {
    name: spec.name,
    description: spec.description,
    subjects: spec.subjects,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: STREAM_MAX_AGE_MS * NANOS_PER_MS,
    duplicate_window: DUPLICATE_WINDOW_MS * NANOS_PER_MS,
    num_replicas: 1,
  };
  try {
    await jsm.streams.add(config);
  } catch (err) {
    if (!isApiError(err, STREAM_NAME_IN_USE)) throw err;
    // Declared by an earlier start with different settings: bring it to this declaration.
    await jsm.streams.update(spec.name, config);
  }
}

export async function ensureConsumer(jsm: JetStreamManager, spec: ConsumerSpec): Promise<void> {
  const config = consumerConfig(spec);
  try {
    await jsm.consumers.add(spec.stream, config);
  } catch (err) {
    if (!isApiError(err, CONSUMER_ALREADY_EXISTS) && !isApiError(err, CONSUMER_NAME_EXISTS)) throw err;
    const { durable_name: _name, deliver_policy: _policy, ...updatable } = config;
    await jsm.consumers.update(spec.stream, spec.name, updatable);
  }
}

/** Declares every stream and durable consumer of the topology; safe to run at every start. */
export async function ensureTopology(jsm: JetStreamManager, t: Topology): Promise<void> {
  for (const stream of Object.values(t.streams)) await ensureStream(jsm, stream);
  for (const consumer of Object.values(t.consumers)) await ensureConsumer(jsm, consumer);
}
