import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '../platform/bus/consume.js';
import { createTestBus, silentLogger, type TestBus } from '../test/support/index.js';
import { createOrchestrator } from './orchestrator.js';

describe('orchestrator shutdown', () => {
  let tb: TestBus;
  beforeAll(async () => {
    tb = await createTestBus();
  });
  afterAll(async () => {
    await tb?.cleanup();
  });

  it('finishes and acks the message in hand, leaves the rest unacked for redelivery', async () => {
    const spec = tb.bus.topology.consumers.orchestratorOrders;
    for (const n of [1, 2, 3]) {
      await tb.bus.publish(tb.bus.subjects.orders.received, { n }, { messageId: `m-${n}` });
    }
    const handled: string[] = [];
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));

    const orchestrator = createOrchestrator({ bus: tb.bus, logger: silentLogger() }, [
      {
        spec,
        handler: async (m: BusMessage) => {
          entered();
          await released; // the work in flight when the stop comes
          handled.push(m.messageId);
        },
      },
    ]);
    await orchestrator.start();
    await inHandler;
    const stopped = orchestrator.stop();
    release();
    await stopped;

    expect(handled).toEqual(['m-1']);
    const info = await tb.bus.jsm.consumers.info(spec.stream, spec.name);
    expect(info.ack_floor.stream_seq).toBe(1);
    expect(info.num_ack_pending + info.num_pending).toBe(2);
  });
});
