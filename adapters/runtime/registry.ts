/**
 * Routes actions to the adapter instance serving their domain (or the one they pin by name) and
 * owns the instances' lifecycle. Routing problems come back as permanent results, not throws.
 */
import {
  permanent,
  type AdapterResult,
  type DiscoverResult,
  type ResourceActionInput,
  type VerifyResult,
  type VerifyTarget,
} from '../contract.js';
import type { CallOptions, GuardedAdapter, WriteOptions } from './guarded-adapter.js';

export class AdapterRegistry {
  private readonly byName = new Map<string, GuardedAdapter>();
  private readonly byDomain = new Map<string, GuardedAdapter>();

  /** Throws when two instances share a name or claim the same domain (configuration error). */
  constructor(adapters: readonly GuardedAdapter[]) {
    for (const adapter of adapters) {
      if (this.byName.has(adapter.name)) throw new Error(`two adapters are named "${adapter.name}"; names must be unique`);
      this.byName.set(adapter.name, adapter);
      for (const domain of adapter.domains) {
        const other = this.byDomain.get(domain);
        if (other) {
          throw new Error(
            `adapters "${other.name}" and "${adapter.name}" both serve domain "${domain}"; ` +
              `narrow one of them with "domains" in its configuration`,
          );
        }
        this.byDomain.set(domain, adapter);
      }
    }
  }

  list(): GuardedAdapter[] {
    return [...this.byName.values()];
  }

  get(name: string): GuardedAdapter | undefined {
    return this.byName.get(name);
  }

  /** The adapter for an action: its pinned adapter, else the one serving its domain. */
  route(action: { domain: string; adapter?: string }): GuardedAdapter | { error: string } {
    if (action.adapter !== undefined) {
      const pinned = this.byName.get(action.adapter);
      return pinned ?? { error: `no adapter named "${action.adapter}" is configured` };
    }
    const serving = this.byDomain.get(action.domain);
    return serving ?? { error: `no adapter serves domain "${action.domain}" (configured: ${this.domainsSummary()})` };
  }

  apply(action: ResourceActionInput, options: WriteOptions): Promise<AdapterResult> {
    const adapter = this.route(action);
    return 'error' in adapter ? Promise.resolve(permanent(adapter.error, 'unsupported')) : adapter.apply(action, options);
  }

  rollback(action: ResourceActionInput, options: WriteOptions): Promise<AdapterResult> {
    const adapter = this.route(action);
    return 'error' in adapter ? Promise.resolve(permanent(adapter.error, 'unsupported')) : adapter.rollback(action, options);
  }

  verify(target: VerifyTarget & { adapter?: string }, options?: CallOptions): Promise<VerifyResult> {
    const adapter = this.route(target);
    return 'error' in adapter ? Promise.resolve(permanent(adapter.error, 'unsupported')) : adapter.verify(target, options);
  }

  /** Live state of every adapter, for inventory reconciliation. */
  async discoverAll(options?: CallOptions): Promise<Record<string, DiscoverResult>> {
    const entries = await Promise.all(this.list().map(async (a) => [a.name, await a.discover(options)] as const));
    return Object.fromEntries(entries);
  }

  async health(options?: CallOptions): Promise<Record<string, Awaited<ReturnType<GuardedAdapter['health']>>>> {
    const entries = await Promise.all(this.list().map(async (a) => [a.name, await a.health(options)] as const));
    return Object.fromEntries(entries);
  }

  async start(): Promise<void> {
    for (const adapter of this.list()) await adapter.inner.start?.();
  }

  /** Closes every instance; one failing close does not keep the others open. */
  async close(): Promise<void> {
    const results = await Promise.allSettled(this.list().map((a) => a.inner.close?.()));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${this.list()[i]!.name}: ${String(r.reason)}`] : []));
    if (failed.length) throw new Error(`closing adapters failed: ${failed.join('; ')}`);
  }

  private domainsSummary(): string {
    const pairs = [...this.byDomain.entries()].map(([d, a]) => `${d}→${a.name}`);
    return pairs.length ? pairs.join(', ') : 'none';
  }
}
