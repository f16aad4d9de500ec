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

/**
 * What a service holds of the network's capacity, by what it holds it on (a gNB's PRBs, a link's
 * or an OLT port's Mbit/s, a UPF's sessions, a VIM's vCPUs), from its device-side parameters.
 */
function holdings(s: SimulatedService): Array<[string, number]> {
  const d = s.device;
  switch (s.domain) {
    case 'ran':
      return ((d.gnbIds as string[] | undefined) ?? []).map((g) => [`gnb:${g}`, Number(d.prbs)]);
    case 'transport':
      return (s.allocation.path ?? []).map((l) => [`link:${l}`, Number(d.bandwidthMbps)]);
    case 'core':
      return [[`upf:${String(d.upfId)}`, Number(d.sessions)]];
    case 'access':
      return [[`port:${String(d.oltPortId)}`, Number(d.bandwidthMbps)]];
    case 'nfv':
      return [[`vim:${String(d.vimId)}`, Number(s.allocation.vcpus ?? 0)]];
  }
}

export class SimulatedNetwork {
  /** Read-only to callers: change services through put, remove and drift, which keep the ledger. */
  readonly services = new Map<string, SimulatedService>();
  readonly downLinks = new Set<string>();
  /**
   * Capacity in use per holding (see holdings) and access addresses in use, kept as services come
   * and go: a plan costs the same with ten services or a hundred thousand.
   */
  private readonly used = new Map<string, number>();
  private readonly addresses = new Map<string, number>();
  /** Per IP pool, the offset below which every address was taken when last looked (reset when one frees). */
  private readonly poolCursor = new Map<string, number>();

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
    this.remove(service.id);
    this.services.set(service.id, service);
    this.account(service, 1);
  }

  remove(id: string): SimulatedService | undefined {
    const service = this.services.get(id);
    if (!service) return undefined;
    this.services.delete(id);
    this.account(service, -1);
    return service;
  }

  /** Changes what a device holds behind Junction's back (capacity follows the device). */
  drift(id: string, change: Record<string, unknown>): void {
    const service = this.services.get(id);
    if (!service) return;
    this.put({ ...service, device: { ...service.device, ...change } });
  }

  private account(service: SimulatedService, sign: 1 | -1): void {
    for (const [key, amount] of holdings(service)) this.used.set(key, (this.used.get(key) ?? 0) + sign * amount);
    const address = service.domain === 'access' ? service.allocation.ipAddress : undefined;
    if (address === undefined) return;
    const holders = (this.addresses.get(address) ?? 0) + sign;
    if (holders > 0) this.addresses.set(address, holders);
    else {
      this.addresses.delete(address);
      this.poolCursor.clear();
    }
  }

  /** Capacity in use on a holding, what the service `excludeId` holds there left out. */
  private usedOn(key: string, excludeId: string): number {
    const own = this.services.get(excludeId);
    const mine = own ? holdings(own).reduce((sum, [k, amount]) => (k === key ? sum + amount : sum), 0) : 0;
    return (this.used.get(key) ?? 0) - mine;
  }

  /** The resource state reported to Junction: device parameters plus allocation. */
  stateOf(service: SimulatedService): Record<string, unknown> {
    return { ...service.device, ...service.allocation, domain: service.domain };
  }

  transportServicesOver(linkId: string): SimulatedService[] {
    return [...this.services.values()].filter((s) => s.domain === 'transport' && s.allocation.path?.includes(linkId));
  }

  private planRan(id: string, p: z.infer<typeof parameterSchemas.ran>) {
    for (const gnbId of p.gnbIds) {
      const gnb = this.topology.ran.gnbs.find((g) => g.id === gnbId);
      if (!gnb) return refuse('permanent', 'not-found', `gNB "${gnbId}" is not in the topology`);
      const used = this.usedOn(`gnb:${gnbId}`, id);
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
    return link.bandwidthMbps - this.usedOn(`link:${linkId}`, excludeId ?? '');
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
    const used = this.usedOn(`upf:${p.upfId}`, id);
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
    const used = this.usedOn(`port:${p.oltPortId}`, id);
    if (used + p.bandwidthMbps > port.capacityMbps) {
      return refuse('permanent', 'capacity', `OLT port "${p.oltPortId}" has ${port.capacityMbps - used} of ${port.capacityMbps} Mbit/s free; ${p.bandwidthMbps} requested`);
    }
    const current = this.services.get(id);
    if (current?.device.ipPool === p.ipPool && current.allocation.ipAddress) return { allocation: { ipAddress: current.allocation.ipAddress } };
    const address = this.firstFreeAddress(pool.cidr, current?.domain === 'access' ? current.allocation.ipAddress : undefined);
    if (!address) return refuse('permanent', 'capacity', `IP pool "${p.ipPool}" (${pool.cidr}) is exhausted`);
    return { allocation: { ipAddress: address } };
  }

  /** The pool's lowest address no access service holds (`own`, the planned service's current one, counts as free). */
  private firstFreeAddress(cidr: string, own: string | undefined): string | undefined {
    const from = this.poolCursor.get(cidr) ?? 0;
    let offset = from;
    for (const address of hosts(cidr, from)) {
      if (address === own || !this.addresses.has(address)) {
        // Only the addresses before this one are known taken (own may be released later).
        this.poolCursor.set(cidr, offset);
        return address;
      }
      offset++;
    }
    this.poolCursor.set(cidr, offset);
    return undefined;
  }

  /** vCPUs the nfv services hold on a VIM, the service `id` excluded. */
  vcpusUsed(vimId: string, excludeId?: string): number {
    return this.usedOn(`vim:${vimId}`, excludeId ?? '');
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

/** Usable host addresses of an IPv4 CIDR in order from the `skip`th (network and broadcast excluded for prefixes < /31), at most 65,536. */
function* hosts(cidr: string, skip = 0): Generator<string> {
  const [base, bits] = cidr.split('/') as [string, string];
  const prefix = Number(bits);
  const start = base.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  const network = start - (start % size);
  const first = prefix < 31 ? network + 1 : network;
  const last = Math.min(prefix < 31 ? network + size - 2 : network + size - 1, first + 65_535);
  for (let n = first + skip; n <= last; n++) yield [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Field-by-field comparison of expected values with what the device holds. */
export function compareParameters(expected: Record<string, unknown>, actual: Record<string, unknown>) {
  return Object.entries(expected)
    .filter(([field, value]) => stableJson(value) !== stableJson(actual[field]))
    .map(([field, value]) => ({ field, expected: value, actual: actual[field] }));
}
