/**
 * A larger network for load tests and the bench: the demo's sites and customers with capacity for
 * hundreds of orders, as a seed file (inventory) and the matching simulator topology (network).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSeedFile, type Seed } from '../catalog/seed.js';

export function largeNetwork(opts: { portsPerSite?: number } = {}): { seedFile: string; seed: Seed; topology: unknown } {
  const ports = opts.portsPerSite ?? 32;
  const demo = readSeedFile();
  const olts = ['SITE-A', 'SITE-B'].map((site, s) => ({
    id: `olt-${site.toLowerCase()}`,
    ports: Array.from({ length: ports }, (_, i) => ({ id: `olt-${site.toLowerCase()}/0/${i + 1}`, capacityMbps: 2500 })),
  }));
  const resources: Seed['resources'] = [
    ...olts.flatMap((o, s) =>
      o.ports.map((p) => ({ id: p.id, type: 'olt-port', site: s === 0 ? 'SITE-A' : 'SITE-B', domain: 'access', unit: 'Mbps', capacity: p.capacityMbps, state: 'available' as const, attributes: {} })),
    ),
    { id: 'pool-a', type: 'ip-pool', site: 'SITE-A', domain: 'access', unit: 'addresses', capacity: 1022, state: 'available', attributes: { cidr: '100.64.0.0/22' } },
    { id: 'pool-b', type: 'ip-pool', site: 'SITE-B', domain: 'access', unit: 'addresses', capacity: 1022, state: 'available', attributes: { cidr: '100.68.0.0/22' } },
    { id: 'uplink-SITE-A', type: 'transport-uplink', site: 'SITE-A', domain: 'transport', unit: 'Mbps', capacity: 100000, state: 'available', attributes: { from: 'pe-a', to: 'pe-dc' } },
    { id: 'uplink-SITE-B', type: 'transport-uplink', site: 'SITE-B', domain: 'transport', unit: 'Mbps', capacity: 100000, state: 'available', attributes: { from: 'pe-b', to: 'pe-dc' } },
    { id: 'gnb-a-1', type: 'gnb', site: 'SITE-A', domain: 'ran', unit: 'PRB', capacity: 5000, state: 'available', attributes: {} },
    { id: 'gnb-b-1', type: 'gnb', site: 'SITE-B', domain: 'ran', unit: 'PRB', capacity: 5000, state: 'available', attributes: {} },
    { id: 'upf-a', type: 'upf', site: 'SITE-A', domain: 'core', unit: 'sessions', capacity: 100000, state: 'available', attributes: {} },
    { id: 'upf-b', type: 'upf', site: 'SITE-B', domain: 'core', unit: 'sessions', capacity: 100000, state: 'available', attributes: {} },
  ];
  const topology = {
    ran: { gnbs: [{ id: 'gnb-a-1', prbCapacity: 5000 }, { id: 'gnb-b-1', prbCapacity: 5000 }] },
    transport: {
      nodes: ['pe-a', 'pe-b', 'pe-dc'],
      links: [
        { id: 'link-a-dc', from: 'pe-a', to: 'pe-dc', bandwidthMbps: 100000, latencyMs: 2 },
        { id: 'link-b-dc', from: 'pe-b', to: 'pe-dc', bandwidthMbps: 100000, latencyMs: 3 },
      ],
    },
    core: {
      upfs: [{ id: 'upf-a', sessionCapacity: 100000 }, { id: 'upf-b', sessionCapacity: 100000 }],
      smfSlices: [
        { sliceId: 'embb', sst: 1, dnns: ['internet'] },
        { sliceId: 'urllc', sst: 2, sd: '000001', dnns: ['factory'] },
      ],
    },
    access: {
      olts,
      bngProfiles: [{ name: 'residential-500m', rateMbps: 500 }, { name: 'residential-1g', rateMbps: 1000 }],
      ipPools: [{ name: 'pool-a', cidr: '100.64.0.0/22' }, { name: 'pool-b', cidr: '100.68.0.0/22' }],
    },
  };
  const seed: Seed = { tenant: demo.tenant, customers: demo.customers, resources };
  const dir = mkdtempSync(join(tmpdir(), 'junction-load-'));
  const seedFile = join(dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  return { seedFile, seed, topology };
}

export function simulatorEntries(topology: unknown, settings: Record<string, unknown> = {}) {
  return [
    {
      name: 'sim',
      builtin: 'simulator',
      settings: { topology, seed: 7, ...settings },
      call: { timeoutMs: 5000, retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100 }, breaker: { failureThreshold: 1000, coolDownMs: 1000 } },
    },
  ];
}
