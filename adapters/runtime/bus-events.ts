/**
 * Wires adapters' `events` publisher to the platform bus: every NetworkEvent goes to the
 * namespaced `<ns>.network.event` subject (stream `<ns>_network`) as `{ source, kind, detail }`,
 * the payload that subject documents. The message id makes a re-published event a duplicate the
 * stream drops; an alarm's raise and clear share the alarm id, so the state is part of it.
 */
import type { Bus } from '../../platform/bus/bus.js';
import { networkEventSchema, type EventPublisher, type NetworkEvent } from '../contract.js';

export interface NetworkEventMessage {
  source: string;
  kind: NetworkEvent['kind'];
  detail: NetworkEvent;
}

export function networkEventMessageId(event: NetworkEvent): string {
  const suffix = event.kind === 'alarm' ? `:${event.state}:${event.eventTime}` : '';
  return `network-event:${event.source}:${event.kind}:${event.id}${suffix}`;
}

export function busEventPublisher(bus: Pick<Bus, 'publish' | 'subjects'>): EventPublisher {
  return async (event) => {
    const checked = networkEventSchema.safeParse(event);
    if (!checked.success) {
      throw new Error(`refusing to publish an invalid network event from ${String((event as { source?: unknown }).source)}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const message: NetworkEventMessage = { source: checked.data.source, kind: checked.data.kind, detail: checked.data };
    await bus.publish(bus.subjects.network.event, message, { messageId: networkEventMessageId(checked.data) });
  };
}
