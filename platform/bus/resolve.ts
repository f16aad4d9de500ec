/** Finds NATS: NATS_URL, else the default local address, else a nats-server started from PATH. */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import { connectNats } from './bus.js';
import { startEmbeddedNats } from './embedded-nats.js';
import { NATS_INSTALL_HINT, NatsUnavailableError } from './errors.js';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export interface ResolvedNats {
  nc: NatsConnection;
  url: string;
  /** Stops the nats-server Junction started, if it started one. */
  stopEmbedded(): Promise<void>;
}

export async function resolveNats(
  natsUrl: string | undefined,
  dataDir: string,
  logger: Logger,
  /** Where to look when NATS_URL is unset (tests point it at a free port). */
  defaultUrl: string = DEFAULT_NATS_URL,
): Promise<ResolvedNats> {
  const url = natsUrl ?? defaultUrl;
  try {
    return { nc: await connectNats(url), url, stopEmbedded: async () => undefined };
  } catch (err) {
    if (natsUrl) {
      throw new NatsUnavailableError(`NATS_URL ${natsUrl} does not answer (${(err as Error).message}): ${NATS_INSTALL_HINT}`);
    }
  }
  const embedded = await startEmbeddedNats(dataDir, Number(new URL(url).port), logger);
  return {
    nc: embedded.nc,
    url: embedded.url,
    // The connection is drained by Bus.close(); this only ends the server process.
    stopEmbedded: () => embedded.stop(),
  };
}
