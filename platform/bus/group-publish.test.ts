import { describe, expect, it } from 'vitest';
import { EncodedJson, type PublishOptions } from './bus.js';
import { groupPublisher, ungroup } from './group-publish.js';

/** A stand-in for bus.publish whose acks the test releases one publish at a time. */
function manualBus() {
  const sent: Array<{ subject: string; data: unknown; options: PublishOptions; ack(): void; fail(err: Error): void }> = [];
  return {
    sent,
    publish(subject: string, payload: unknown, options: PublishOptions) {
      return new Promise<never>((resolve, reject) => {
        const text = payload instanceof EncodedJson ? payload.text : JSON.stringify(payload);
        sent.push({ subject, data: JSON.parse(text), options, ack: () => resolve(undefined as never), fail: reject });
      });
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('groupPublisher', () => {
  it('sends a lone payload as itself, and groups what arrives while it waits for its ack, in order', async () => {
    const bus = manualBus();
    const group = groupPublisher(bus, 'x.events');
    const settled: string[] = [];
    const first = group.publish({ n: 0 }, { messageId: 'e0' }).then(() => settled.push('e0'));
    await tick();
    expect(bus.sent).toHaveLength(1);
    expect(bus.sent[0]!.data).toEqual({ n: 0 });
    expect(bus.sent[0]!.options.messageId).toBe('e0');

    const rest = [1, 2, 3].map((n) => group.publish({ n }, { messageId: `e${n}` }).then(() => settled.push(`e${n}`)));
    await tick();
    expect(bus.sent).toHaveLength(1); // still waiting for the first ack
    bus.sent[0]!.ack();
    await first;
    await tick();
    expect(bus.sent).toHaveLength(2);
    expect(ungroup(bus.sent[1]!.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(bus.sent[1]!.options.messageId).toMatch(/^group:[0-9a-f]{32}$/);
    expect(settled).toEqual(['e0']); // the group's callers wait for the group's ack
    bus.sent[1]!.ack();
    await Promise.all(rest);
    expect(settled).toEqual(['e0', 'e1', 'e2', 'e3']);
  });

  it('rejects the callers of a group whose publish failed, and goes on with the next', async () => {
    const bus = manualBus();
    const group = groupPublisher(bus, 'x.events');
    const first = group.publish({ n: 0 }, { messageId: 'e0' });
    await tick();
    const failing = [1, 2].map((n) => group.publish({ n }, { messageId: `e${n}` }).then(() => 'ok', (err: Error) => err.message));
    bus.sent[0]!.ack();
    await first;
    await tick();
    bus.sent[1]!.fail(new Error('stream unavailable'));
    expect(await Promise.all(failing)).toEqual(['stream unavailable', 'stream unavailable']);
    const after = group.publish({ n: 3 }, { messageId: 'e3' });
    await tick();
    expect(bus.sent[2]!.data).toEqual({ n: 3 });
    bus.sent[2]!.ack();
    await after;
  });

  it('keeps a group within maxBatch payloads', async () => {
    const bus = manualBus();
    const group = groupPublisher(bus, 'x.events', { maxBatch: 2 });
    const all = [0, 1, 2, 3, 4].map((n) => group.publish({ n }, { messageId: `e${n}` }));
    for (let i = 0; i < 3; i++) {
      await tick();
      bus.sent[i]!.ack();
    }
    await Promise.all(all);
    expect(bus.sent.map((s) => ungroup(s.data).length)).toEqual([1, 2, 2]);
    expect(bus.sent.flatMap((s) => ungroup(s.data))).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
  });
});

describe('ungroup', () => {
  it('reads a plain payload as a group of one', () => {
    expect(ungroup({ eventType: 'X' })).toEqual([{ eventType: 'X' }]);
    expect(ungroup({ batch: [1, 2] })).toEqual([1, 2]);
  });
});
