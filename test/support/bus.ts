/**
 * A private JetStream namespace per test file on the local NATS server (JUNCTION_TEST_NATS_URL,
 * default nats://127.0.0.1:4222): streams and consumers declared under a random namespace,
 * deleted afterwards.
 *
 *   const t = await createTestBus();        // in beforeAll
 *   await t.bus.publish(t.bus.subjects.orders.received, order, { messageId: 'o-1' });
 *   await t.cleanup();                      // in afterAll: deletes the namespace's streams
 */
import { connectNats, createBus, ensureTopology, type Bus } from '../../platform/bus/bus.js';
import { belongsToNamespace } from '../../platform/bus/subjects.js';
import type { Logger } from '../../platform/logger.js';
import { randomSuffix } from './ids.js';
import { silentLogger } from './logger.js';

export const TEST_NATS_URL = process.env.JUNCTION_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A namespace no other test run uses (matches JUNCTION_NAMESPACE's rules). */
export function testNamespace(): string {
  return `t${randomSuffix()}`;
}

export interface TestBus {
  namespace: string;
  bus: Bus;
  /** Opens another Bus on the same namespace over a new connection (e.g. a second "process"). */
  connectAgain(): Promise<Bus>;
  /** Deletes every stream (and KV bucket) of the namespace and closes all connections. */
  cleanup(): Promise<void>;
}

export async function deleteNamespace(bus: Bus, namespace: string): Promise<void> {
  const names: string[] = [];
  for await (const name of bus.jsm.streams.names()) if (belongsToNamespace(namespace, name)) names.push(name);
  for (const name of names) await bus.jsm.streams.delete(name);
}

export async function createTestBus(options: { topology?: boolean; logger?: Logger } = {}): Promise<TestBus> {
  const namespace = testNamespace();
  const logger = options.logger ?? silentLogger();
  const open = async () => createBus(await connectNats(TEST_NATS_URL), namespace, logger);
  const bus = await open();
  if (options.topology ?? true) await ensureTopology(bus.jsm, bus.topology);
  const extra: Bus[] = [];
  return {
    namespace,
    bus,
    async connectAgain() {
      const b = await open();
      extra.push(b);
      return b;
    },
    async cleanup() {
      for (const b of extra) await b.nc.close();
      await deleteNamespace(bus, namespace);
      await bus.nc.close();
    },
  };
}
