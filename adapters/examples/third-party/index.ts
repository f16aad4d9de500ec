/**
 * An example third-party adapter, loaded by configuration alone:
 *
 *   adapters:
 *     - name: lab-ipam
 *       module: ./adapters/examples/third-party/index.ts   # or a package name
 *       settings: { prefix: "10.20.0.0/16", prefixLength: 24 }
 *
 * It serves a domain Junction's built-ins don't (`ipam`): it hands out /24 subnets from a
 * supernet, in memory. A real plugin would call its vendor's API where this touches the Map.
 * It imports only the contract (in a separate package: `junction/adapters/contract.js`).
 */
import { z } from 'zod';
import { defineAdapter, permanent, succeeded, type SouthboundAdapter } from '../../contract.js';

const settingsSchema = z.object({
  /** Supernet to allocate from, e.g. 10.20.0.0/16. */
  prefix: z.string().regex(/^\d+\.\d+\.\d+\.0\/(8|16)$/, 'an IPv4 /8 or /16 supernet like 10.20.0.0/16'),
  /** Only /24 is supported by this example. */
  prefixLength: z.literal(24).default(24),
});

export default defineAdapter({
  kind: 'example-ipam',
  description: 'Example third-party adapter: allocates /24 subnets from a supernet',
  domains: ['ipam'],
  settingsSchema,
  create(name, settings, deps): SouthboundAdapter {
    const [a, b] = settings.prefix.split('.').map(Number) as [number, number];
    const byService = new Map<string, string>();
    const subnet = (i: number) => (settings.prefix.endsWith('/8') ? `${a}.${Math.floor(i / 256)}.${i % 256}.0/24` : `${a}.${b}.${i}.0/24`);
    const capacity = settings.prefix.endsWith('/8') ? 65_536 : 256;
    const resource = (id: string, type: string) => ({ id, type, externalIds: { subnet: byService.get(id)! }, state: { subnet: byService.get(id) } });

    return {
      name,
      domains: ['ipam'],
      async apply(action) {
        const { id, type } = action.target;
        if (action.operation === 'delete') {
          byService.delete(id);
          return succeeded(`released subnet of ${id}`, { id, type, state: { released: true } });
        }
        if (byService.has(id)) return succeeded(`${id} already has ${byService.get(id)}`, resource(id, type), true);
        const used = new Set(byService.values());
        for (let i = 0; i < capacity; i++) {
          if (!used.has(subnet(i))) {
            byService.set(id, subnet(i));
            deps.logger.info({ service: id, subnet: subnet(i) }, 'allocated subnet');
            return succeeded(`allocated ${subnet(i)} to ${id}`, resource(id, type));
          }
        }
        return permanent(`supernet ${settings.prefix} is exhausted`, 'capacity');
      },
      async rollback(action) {
        if (action.operation === 'create') byService.delete(action.target.id);
        return succeeded(`rolled back ${action.operation} of ${action.target.id}`, { id: action.target.id, type: action.target.type });
      },
      async verify(target) {
        const subnetOf = byService.get(target.target.id);
        return subnetOf
          ? { status: 'in-sync', reason: `${target.target.id} has ${subnetOf}`, resource: resource(target.target.id, target.target.type) }
          : { status: 'absent', reason: `${target.target.id} has no subnet` };
      },
      async discover() {
        return { status: 'success', resources: [...byService.keys()].map((id) => ({ ...resource(id, 'subnet'), domain: 'ipam' })) };
      },
      async health() {
        return { status: 'up', detail: `${byService.size} of ${capacity} subnets allocated` };
      },
    };
  },
});
