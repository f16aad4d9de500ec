/**
 * The simulated network: topology plus the services configured on it. Capacity is derived from
 * the services' device-side parameters, so it cannot get out of step with them. Every check
 * returns a readable refusal instead of throwing.
 */
import { z } from 'zod';
import { stableJson } from '../runtime/idempotency.js';
import type { Topology } from './topology.js';

export type Refusal = { refused: true; kind: 'permanent' | 'transient'; code: string; reason: string };
const refuse = (kind: Refusal['kind'], code: string, reason: string): Refusal => ({ refused: true, kind, code, reason });

export const SIMULATED_DOMAINS = ['ran', 'transport', 'core', 'access', 'nfv'] as const;
export type SimulatedDomain = (typeof SIMULATED_DOMAINS)[number];

const parameterSchemas = {
  ran: z.object({ gnbIds: z.array(z.string().min(1)).min(1), prbs: z.number().int().positive(), sliceId: z.string().optional() }),
  transport: z.object({
    from: z.string().min(1),
    to: z.string().min(1),
    bandwidthMbps: z.number().positive(),
    linkIds: z.array(z.string().min(1)).min(1).optional(),
  }),
  core: z.object({ upfId: z.string().min(1), sessions: z.number().int().positive(), sliceId: z.string().min(1), dnn: z.string().min(1) }),
  access: z.object({
    oltPortId: z.string().min(1),
    bandwidthMbps: z.number().positive(),
    bngProfile: z.string().min(1),
    ipPool: z.string().min(1),
  }),
  /** A network service of `instances` × the NSD's vCPUs on one VIM; modify scales `instances`. */
  nfv: z.object({ nsdId: z.string().min(1), vimId: z.string().min(1), instances: z.number().int().positive() }),
} as const;

export interface SimulatedService {
  id: string;
  type: string;
  domain: SimulatedDomain;
  /** What Junction last configured. */
  intended: Record<string, unknown>;
  /** What the "device" actually holds (differs after drift injection). */
  device: Record<string, unknown>;
  /** What the network assigned: the transport path, the access IP address. */
  allocation: { path?: string[]; ipAddress?: string; vcpus?: number };
}

export class SimulatedNetwork {
  readonly services = new Map<string, SimulatedService>();
  readonly downLinks = new Set<string>();
  /** The services per domain: a plan looks only at its own domain's (a big network holds many). */
  private readonly byDomain = new Map<SimulatedDomain, Map<string, SimulatedService>>();

  constructor(readonly topology: Topology) {}

  isSimulatedDomain(domain: string): domain is SimulatedDomain {
    return (SIMULATED_DOMAINS as readonly string[]).includes(domain);
  }

  /**
   * Checks that `params` fit next to every other service (the service `id` itself excluded, so a
   * modify is checked against its own new size) and computes the allocation.
   */
  plan(domain: SimulatedDomain, id: string, params: Record<string, unknown>): Refusal | { allocation: SimulatedService['allocation'] } {
    const parsed = parameterSchemas[domain].safeParse(params);
    if (!parsed.success) {
      return refuse('permanent', 'invalid-action', `invalid ${domain} parameters: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    switch (domain) {
      case 'ran':
        return this.planRan(id, parsed.data as z.infer<typeof parameterSchemas.ran>);
      case 'transport':
        return this.planTransport(id, parsed.data as z.infer<typeof parameterSchemas.transport>);
      case 'core':
        return this.planCore(id, parsed.data as z.infer<typeof parameterSchemas.core>);
      case 'access':
        return this.planAccess(id, parsed.data as z.infer<typeof parameterSchemas.access>);
      case 'nfv':
        return this.planNfv(id, parsed.data as z.infer<typeof parameterSchemas.nfv>);
    }
  }

  /** Stores a service (after a successful plan). */
  put(service: SimulatedService): void {
    const previous = this.services.get(service.id);
    if (previous) this.byDomain.get(previous.domain)?.delete(service.id);
    this.services.set(service.id, service);
    let domain = this.byDomain.get(service.domain);
    if (!domain) this.byDomain.set(service.domain, (domain = new Map()));
    domain.set(service.id, service);
  }

  remove(id: string): SimulatedService | undefined {
    const service = this.services.get(id);
    this.services.delete(id);
    if (service) this.byDomain.get(service.domain)?.delete(id);
    return service;
  }

  /** The resource state reported to Junction: device parameters plus allocation. */
  stateOf(service: SimulatedService): Record<string, unknown> {
    return { ...service.device, ...service.allocation, domain: service.domain };
  }

  transportServicesOver(linkId: string): SimulatedService[] {
    return [...this.services.values()].filter((s) => s.domain === 'transport' && s.allocation.path?.includes(linkId));
  }

  private others(domain: SimulatedDomain, id: string): SimulatedService[] {
    return [...(this.byDomain.get(domain)?.values() ?? [])].filter((s) => s.id !== id);
  }

  private planRan(id: string, p: z.infer<typeof parameterSchemas.ran>) {
    for (const gnbId of p.gnbIds) {
      const gnb = this.topology.ran.gnbs.find((g) => g.id === gnbId);
      if (!gnb) return refuse('permanent', 'not-found', `gNB "${gnbId}" is not in the topology`);
      const used = this.others('ran', id)
        .filter((s) => (s.device.gnbIds as string[]).includes(gnbId))
        .reduce((sum, s) => sum + Number(s.device.prbs), 0);
      if (used + p.prbs > gnb.prbCapacity) {
        return refuse('permanent', 'capacity', `gNB "${gnbId}" has ${gnb.prbCapacity - used} of ${gnb.prbCapacity} PRBs free; the slice needs ${p.prbs}`);
      }
    }
    return { allocation: {} };
  }

  /** Free bandwidth of a link, the service `id` excluded. */
  freeMbps(linkId: string, excludeId?: string): number {
    const link = this.topology.transport.links.find((l) => l.id === linkId);
    if (!link) return 0;
    const used = this.others('transport', excludeId ?? '')
      .filter((s) => s.allocation.path?.includes(linkId))
      .reduce((sum, s) => sum + Number(s.device.bandwidthMbps), 0);
    return link.bandwidthMbps - used;
  }

  private planTransport(id: string, p: z.infer<typeof parameterSchemas.transport>) {
    const nodes = new Set(this.topology.transport.nodes);
    for (const end of [p.from, p.to]) if (!nodes.has(end)) return refuse('permanent', 'not-found', `node "${end}" is not in the topology`);
    if (p.linkIds) {
      for (const linkId of p.linkIds) {
        if (!this.topology.transport.links.some((l) => l.id === linkId)) return refuse('permanent', 'not-found', `link "${linkId}" is not in the topology`);
        if (this.downLinks.has(linkId)) return refuse('transient', 'unreachable', `link "${linkId}" is down`);
        const free = this.freeMbps(linkId, id);
        if (free < p.bandwidthMbps) return refuse('permanent', 'capacity', `link "${linkId}" has ${free} Mbit/s free; the service needs ${p.bandwidthMbps}`);
      }
      return { allocation: { path: p.linkIds } };
    }
    const path = this.lowestLatencyPath(p.from, p.to, (l) => !this.downLinks.has(l.id) && this.freeMbps(l.id, id) >= p.bandwidthMbps);
    if (path) return { allocation: { path } };
    // Distinguish "no capacity anywhere" (permanent) from "only down links would do" (transient).
    const ignoringOutages = this.lowestLatencyPath(p.from, p.to, (l) => this.freeMbps(l.id, id) >= p.bandwidthMbps);
    if (ignoringOutages) return refuse('transient', 'unreachable', `no path ${p.from}→${p.to} with ${p.bandwidthMbps} Mbit/s while links ${[...this.downLinks].join(', ')} are down`);
    return refuse('permanent', 'capacity', `no path ${p.from}→${p.to} has ${p.bandwidthMbps} Mbit/s free`);
  }

  /** Dijkstra over usable links (links are bidirectional). */
  private lowestLatencyPath(from: string, to: string, usable: (l: Topology['transport']['links'][number]) => boolean): string[] | undefined {
    const dist = new Map<string, number>([[from, 0]]);
    const via = new Map<string, { node: string; link: string }>();
    const open = new Set<string>([from]);
    const done = new Set<string>();
    while (open.size) {
      const node = [...open].reduce((a, b) => ((dist.get(a) ?? Infinity) <= (dist.get(b) ?? Infinity) ? a : b));
      open.delete(node);
      done.add(node);
      if (node === to) break;
      for (const link of this.topology.transport.links) {
        if (!usable(link)) continue;
        const next = link.from === node ? link.to : link.to === node ? link.from : undefined;
        if (!next || done.has(next)) continue;
        const d = (dist.get(node) ?? 0) + link.latencyMs;
        if (d < (dist.get(next) ?? Infinity)) {
          dist.set(next, d);
          via.set(next, { node, link: link.id });
          open.add(next);
        }
      }
    }
    if (from === to || !via.has(to)) return from === to ? [] : undefined;
    const path: string[] = [];
    for (let n = to; n !== from; ) {
      const step = via.get(n)!;
      path.unshift(step.link);
      n = step.node;
    }
    return path;
  }

  pathLatencyMs(path: readonly string[]): number {
    return path.reduce((sum, id) => sum + (this.topology.transport.links.find((l) => l.id === id)?.latencyMs ?? 0), 0);
  }

  private planCore(id: string, p: z.infer<typeof parameterSchemas.core>) {
    const upf = this.topology.core.upfs.find((u) => u.id === p.upfId);
    if (!upf) return refuse('permanent', 'not-found', `UPF "${p.upfId}" is not in the topology`);
    const slice = this.topology.core.smfSlices.find((s) => s.sliceId === p.sliceId);
    if (!slice) return refuse('permanent', 'not-found', `slice "${p.sliceId}" is not configured on the SMF`);
    if (!slice.dnns.includes(p.dnn)) return refuse('permanent', 'invalid-action', `slice "${p.sliceId}" does not serve DNN "${p.dnn}" (it serves ${slice.dnns.join(', ')})`);
    const used = this.others('core', id)
      .filter((s) => s.device.upfId === p.upfId)
      .reduce((sum, s) => sum + Number(s.device.sessions), 0);
    if (used + p.sessions > upf.sessionCapacity) {
      return refuse('permanent', 'capacity', `UPF "${p.upfId}" has ${upf.sessionCapacity - used} of ${upf.sessionCapacity} sessions free; ${p.sessions} requested`);
    }
    return { allocation: {} };
  }

  private planAccess(id: string, p: z.infer<typeof parameterSchemas.access>) {
    const port = this.topology.access.olts.flatMap((o) => o.ports).find((pt) => pt.id === p.oltPortId);
    if (!port) return refuse('permanent', 'not-found', `OLT port "${p.oltPortId}" is not in the topology`);
    if (!this.topology.access.bngProfiles.some((b) => b.name === p.bngProfile)) {
      return refuse('permanent', 'not-found', `BNG profile "${p.bngProfile}" does not exist`);
    }
    const pool = this.topology.access.ipPools.find((pl) => pl.name === p.ipPool);
    if (!pool) return refuse('permanent', 'not-found', `IP pool "${p.ipPool}" does not exist`);
    const others = this.others('access', id);
    const used = others.filter((s) => s.device.oltPortId === p.oltPortId).reduce((sum, s) => sum + Number(s.device.bandwidthMbps), 0);
    if (used + p.bandwidthMbps > port.capacityMbps) {
      return refuse('permanent', 'capacity', `OLT port "${p.oltPortId}" has ${port.capacityMbps - used} of ${port.capacityMbps} Mbit/s free; ${p.bandwidthMbps} requested`);
    }
    const current = this.services.get(id);
    if (current?.device.ipPool === p.ipPool && current.allocation.ipAddress) return { allocation: { ipAddress: current.allocation.ipAddress } };
    const taken = new Set(others.map((s) => s.allocation.ipAddress));
    const address = firstFreeHost(pool.cidr, taken);
    if (!address) return refuse('permanent', 'capacity', `IP pool "${p.ipPool}" (${pool.cidr}) is exhausted`);
    return { allocation: { ipAddress: address } };
  }

  /** vCPUs the nfv services hold on a VIM, the service `id` excluded. */
  vcpusUsed(vimId: string, excludeId?: string): number {
    return this.others('nfv', excludeId ?? '')
      .filter((s) => s.device.vimId === vimId)
      .reduce((sum, s) => sum + Number(s.allocation.vcpus ?? 0), 0);
  }

  private planNfv(id: string, p: z.infer<typeof parameterSchemas.nfv>) {
    const vim = this.topology.nfv.vims.find((v) => v.id === p.vimId);
    if (!vim) return refuse('permanent', 'not-found', `VIM "${p.vimId}" is not in the topology`);
    const nsd = this.topology.nfv.nsds.find((n) => n.id === p.nsdId);
    if (!nsd) return refuse('permanent', 'not-found', `NSD "${p.nsdId}" is not on-boarded`);
    const vcpus = p.instances * nsd.vcpusPerInstance;
    const free = vim.vcpuCapacity - this.vcpusUsed(p.vimId, id);
    if (vcpus > free) return refuse('permanent', 'capacity', `VIM "${p.vimId}" has ${free} of ${vim.vcpuCapacity} vCPUs free; ${p.instances} × ${p.nsdId} needs ${vcpus}`);
    return { allocation: { vcpus } };
  }
}

/** Usable host addresses of an IPv4 CIDR in order (network and broadcast excluded for prefixes < /31), at most 65,536. */
function* hosts(cidr: string): Generator<string> {
  const [base, bits] = cidr.split('/') as [string, string];
  const prefix = Number(bits);
  const start = base.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  const network = start - (start % size);
  const first = prefix < 31 ? network + 1 : network;
  const last = Math.min(prefix < 31 ? network + size - 2 : network + size - 1, first + 65_535);
  for (let n = first; n <= last; n++) yield [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The pool's lowest address not in `taken`. */
function firstFreeHost(cidr: string, taken: ReadonlySet<unknown>): string | undefined {
  for (const a of hosts(cidr)) if (!taken.has(a)) return a;
  return undefined;
}

/** Field-by-field comparison of expected values with what the device holds. */
export function compareParameters(expected: Record<string, unknown>, actual: Record<string, unknown>) {
  return Object.entries(expected)
    .filter(([field, value]) => stableJson(value) !== stableJson(actual[field]))
    .map(([field, value]) => ({ field, expected: value, actual: actual[field] }));
}
