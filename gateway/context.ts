/** What every gateway request carries through Hono's context. */
import type { PubAck } from '@nats-io/jetstream';
import type { Logger } from '../platform/logger.js';
import type { Principal } from './access.js';

/** Publishes to the bus with this request's id as the correlation id. */
export type RequestPublisher = (subject: string, payload: unknown, options: { messageId: string; headers?: Record<string, string> }) => Promise<PubAck>;

export type GatewayEnv = {
  Variables: {
    requestId: string;
    /** Logger bound to requestId (and principal once authenticated). */
    log: Logger;
    principal: Principal | undefined;
    publish: RequestPublisher;
  };
};
