// Replay support for the audit log: evaluate recorded inputs against a stored candidate bundle
// (uploaded through /policy/v1/bundles, named by its revision) without activating it.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { readBundle } from '../bundle.js';
import { entrypointName } from '../compiler/index.js';
import { instantiatePolicy, type PolicyInstance } from '../engine/instance.js';
import { bundleStore } from './store.js';

export class ReplayBundleError extends Error {}

/** An evaluator for POST /audit/v1/replay: `bundle` is the revision of an uploaded bundle. */
export function storedBundleEvaluator(db: Kysely<Database>, cacheSize = 4) {
  const store = bundleStore(db);
  // Replays evaluate thousands of records against one revision: keep a few instances warm.
  const cache = new Map<string, Promise<PolicyInstance>>();
  async function instanceFor(revision: string): Promise<PolicyInstance> {
    let hit = cache.get(revision);
    if (!hit) {
      hit = (async () => {
        const stored = await store.get(revision);
        if (!stored) throw new ReplayBundleError(`no uploaded bundle has revision ${revision}`);
        if (!stored.compiled) throw new ReplayBundleError(`bundle ${revision} did not compile (status ${stored.status}); it cannot be replayed`);
        return instantiatePolicy(await readBundle(stored.compiled));
      })();
      hit.catch(() => cache.delete(revision));
      cache.set(revision, hit);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    }
    return hit;
  }
  return async (bundle: unknown, path: string, input: unknown): Promise<unknown> => {
    if (typeof bundle !== 'string' || bundle === '') throw new ReplayBundleError('bundle must be the revision of an uploaded bundle');
    const instance = await instanceFor(bundle);
    const name = entrypointName(path);
    if (!Object.prototype.hasOwnProperty.call(instance.entrypoints, name)) return undefined;
    return instance.evaluate(name, input)[0]?.result;
  };
}
