/** Latency and failure injection for the simulator, driven by a seeded PRNG so runs repeat. */
import { z } from 'zod';

export const SIMULATED_OPERATIONS = ['apply', 'rollback', 'verify', 'discover', 'health'] as const;
export type SimulatedOperation = (typeof SIMULATED_OPERATIONS)[number];

export const faultSpecSchema = z.object({
  /** Probability that one call fails, 0..1. */
  rate: z.number().min(0).max(1),
  /** transient: retryable refusal; permanent: final refusal; timeout: the call hangs until its deadline. */
  kind: z.enum(['transient', 'permanent', 'timeout']),
  /** Fail only the next `count` calls that the rate selects (then the fault is spent). */
  count: z.number().int().positive().optional(),
});
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export const latencySpecSchema = z
  .object({ minMs: z.number().int().nonnegative(), maxMs: z.number().int().nonnegative() })
  .refine((l) => l.maxMs >= l.minMs, { message: 'maxMs must be >= minMs', path: ['maxMs'] });
export type LatencySpec = z.infer<typeof latencySpecSchema>;

/** mulberry32: a tiny, good-enough PRNG for simulation (not for anything secret). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private readonly faults = new Map<SimulatedOperation, FaultSpec & { remaining?: number }>();
  private readonly latencies = new Map<SimulatedOperation, LatencySpec>();

  constructor(private readonly random: () => number) {}

  setFault(op: SimulatedOperation, spec: FaultSpec | undefined): void {
    if (spec) this.faults.set(op, { ...spec, ...(spec.count ? { remaining: spec.count } : {}) });
    else this.faults.delete(op);
  }

  setLatency(op: SimulatedOperation, spec: LatencySpec | undefined): void {
    if (spec) this.latencies.set(op, spec);
    else this.latencies.delete(op);
  }

  latencyFor(op: SimulatedOperation): number {
    const spec = this.latencies.get(op);
    if (!spec) return 0;
    return spec.minMs + Math.floor(this.random() * (spec.maxMs - spec.minMs + 1));
  }

  /** The fault this call suffers, if any. */
  draw(op: SimulatedOperation): FaultSpec['kind'] | undefined {
    const spec = this.faults.get(op);
    if (!spec || this.random() >= spec.rate) return undefined;
    if (spec.remaining !== undefined) {
      spec.remaining -= 1;
      if (spec.remaining <= 0) this.faults.delete(op);
    }
    return spec.kind;
  }
}
