/** Helpers for adapter tests: a silent logger and an event collector. */
import { pino, type Logger } from 'pino';
import type { EventPublisher, NetworkEvent } from './contract.js';
import { networkEventSchema } from './contract.js';

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** An events publisher that validates every event against the contract and keeps it. */
export function collectEvents(): { events: NetworkEvent[]; publish: EventPublisher } {
  const events: NetworkEvent[] = [];
  return {
    events,
    publish: async (event) => {
      events.push(networkEventSchema.parse(event));
    },
  };
}
