/** The simulator's topology file: the network it models, validated at load. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';

const id = z.string().min(1);
const positive = z.number().positive();

export const topologySchema = z
  .object({
    ran: z
      .object({
        gnbs: z.array(z.object({ id, prbCapacity: z.number().int().positive(), bandwidthMHz: positive.optional(), site: z.string().optional() })),
      })
      .default({ gnbs: [] }),
    transport: z
      .object({
        nodes: z.array(id),
        links: z.array(z.object({ id, from: id, to: id, bandwidthMbps: positive, latencyMs: z.number().nonnegative().default(1) })),
      })
      .default({ nodes: [], links: [] }),
    core: z
      .object({
        upfs: z.array(z.object({ id, sessionCapacity: z.number().int().positive() })),
        /** Slices the SMF knows (S-NSSAI); a core slice service binds one to a UPF and DNN. */
        smfSlices: z.array(z.object({ sliceId: id, sst: z.number().int().min(0).max(255), sd: z.string().optional(), dnns: z.array(z.string()).min(1) })),
      })
      .default({ upfs: [], smfSlices: [] }),
    access: z
      .object({
        olts: z.array(z.object({ id, ports: z.array(z.object({ id, capacityMbps: positive })) })),
        bngProfiles: z.array(z.object({ name: id, rateMbps: positive })),
        ipPools: z.array(z.object({ name: id, cidr: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/, 'an IPv4 CIDR like 100.64.0.0/24') })),
      })
      .default({ olts: [], bngProfiles: [], ipPools: [] }),
    /** Optional NFV infrastructure: with VIMs the simulator also serves domain `nfv` (VNF/NS instances by vCPU). */
    nfv: z
      .object({
        vims: z.array(z.object({ id, vcpuCapacity: z.number().int().positive() })),
        /** On-boarded network-service descriptors and what one instance of each needs. */
        nsds: z.array(z.object({ id, vcpusPerInstance: z.number().int().positive() })),
      })
      .default({ vims: [], nsds: [] }),
  })
  .superRefine((t, ctx) => {
    const nodes = new Set(t.transport.nodes);
    t.transport.links.forEach((l, i) => {
      for (const end of ['from', 'to'] as const) {
        if (!nodes.has(l[end])) ctx.addIssue({ code: 'custom', path: ['transport', 'links', i, end], message: `unknown node "${l[end]}"` });
      }
    });
    const upfs = new Set<string>();
    t.core.upfs.forEach((u, i) => {
      if (upfs.has(u.id)) ctx.addIssue({ code: 'custom', path: ['core', 'upfs', i, 'id'], message: `duplicate UPF "${u.id}"` });
      upfs.add(u.id);
    });
  });
export type Topology = z.infer<typeof topologySchema>;

/** Loads a topology from a path (relative to `baseDir`) or takes an inline object. */
export async function loadTopology(source: string | Record<string, unknown>, baseDir: string): Promise<Topology> {
  let raw: unknown = source;
  let where = 'inline topology';
  if (typeof source === 'string') {
    where = resolve(baseDir, source);
    raw = JSON.parse(await readFile(where, 'utf8'));
  }
  const parsed = topologySchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${where} is not a valid topology: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
