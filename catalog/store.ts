/**
 * The catalog in Postgres: specification files are read from a directory and stored as
 * (name, version) rows. A version, once stored, never changes: loading a file whose content
 * differs from the stored row of the same version is an error (bump the version instead).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import { CatalogError, parseSpecification, type ServiceSpecification } from './spec.js';

export const DEFAULT_CATALOG_DIR = new URL('./specs/', import.meta.url).pathname;

export function readCatalogDir(dir: string = DEFAULT_CATALOG_DIR): ServiceSpecification[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return files.map((f) => {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    } catch (err) {
      throw new CatalogError(`${f}: invalid JSON: ${(err as Error).message}`);
    }
    return parseSpecification(doc, f);
  });
}

const digestOf = (spec: ServiceSpecification) => `sha256:${createHash('sha256').update(JSON.stringify(spec)).digest('hex')}`;

/** Stores specifications not stored yet; returns the ones added as `name@version`. */
export async function storeCatalog(db: Kysely<Database>, specs: readonly ServiceSpecification[]): Promise<string[]> {
  const added: string[] = [];
  for (const spec of specs) {
    const digest = digestOf(spec);
    const inserted = await db
      .insertInto('catalog_specifications')
      .values({ name: spec.name, version: spec.version, spec: JSON.stringify(spec), digest })
      .onConflict((oc) => oc.columns(['name', 'version']).doNothing())
      .returning('name')
      .executeTakeFirst();
    if (inserted) {
      added.push(`${spec.name}@${spec.version}`);
      continue;
    }
    const stored = await db
      .selectFrom('catalog_specifications')
      .select('digest')
      .where('name', '=', spec.name)
      .where('version', '=', spec.version)
      .executeTakeFirstOrThrow();
    if (stored.digest !== digest) {
      throw new CatalogError(`${spec.name} v${spec.version} is already stored with different content; give the change a new version`);
    }
  }
  return added;
}

export interface CatalogReader {
  /** The latest version, or the given one; undefined when unknown. */
  get(name: string, version?: number): Promise<ServiceSpecification | undefined>;
}

/**
 * Reads specifications from Postgres. Versions are immutable, so they are cached forever; which
 * version is the latest is cached for `latestTtlMs` (a version stored by another process, which
 * happens when a new catalog is deployed, is picked up by new orders within that time; an order
 * naming its version gets that version at once).
 */
export function catalogReader(db: Kysely<Database>, options: { latestTtlMs?: number; now?: () => number } = {}): CatalogReader {
  const latestTtlMs = options.latestTtlMs ?? 5_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, ServiceSpecification>();
  const latest = new Map<string, { version: number; at: number }>();
  return {
    async get(name, version) {
      const known = version === undefined ? latest.get(name) : undefined;
      const wanted = version ?? (known && now() - known.at < latestTtlMs ? known.version : undefined);
      if (wanted !== undefined && cache.has(`${name}@${wanted}`)) return cache.get(`${name}@${wanted}`);
      let q = db.selectFrom('catalog_specifications').select(['spec', 'version']).where('name', '=', name);
      q = version === undefined ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
      const row = await q.executeTakeFirst();
      if (!row) return undefined;
      const spec = row.spec as ServiceSpecification;
      cache.set(`${name}@${row.version}`, spec);
      if (version === undefined) latest.set(name, { version: row.version, at: now() });
      return spec;
    },
  };
}
