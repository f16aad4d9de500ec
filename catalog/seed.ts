/**
 * Demo content: a tenant's customers and the network's resources, matching the simulator's demo
 * topology (adapters/simulator/topology.demo.json) so inventory and network agree. Loaded into an
 * empty database by `npm start` unless JUNCTION_SEED=none.
 */
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../platform/db/schema.js';

export const DEFAULT_SEED_FILE = new URL('./demo/seed.json', import.meta.url).pathname;

export const seedSchema = z.object({
  tenant: z.string().min(1),
  customers: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().min(1),
      type: z.enum(['consumer', 'enterprise']),
      status: z.string().min(1),
      slaTier: z.string().min(1).optional(),
      sites: z.array(z.string()).default([]),
    }),
  ),
  resources: z.array(
    z.object({
      id: z.string().min(1),
      type: z.string().min(1),
      site: z.string().nullable().default(null),
      domain: z.string().min(1),
      unit: z.string().min(1),
      capacity: z.number().int().nonnegative(),
      state: z.enum(['available', 'maintenance', 'retired']).default('available'),
      attributes: z.record(z.string(), z.unknown()).default({}),
    }),
  ),
});
export type Seed = z.infer<typeof seedSchema>;

export function readSeedFile(file: string = DEFAULT_SEED_FILE): Seed {
  const parsed = seedSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** Loads the seed when the database holds no customers and no resources; returns whether it did. */
export async function seedIfEmpty(db: Kysely<Database>, seed: Seed): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // Two processes starting together must not both seed.
    await sql`select pg_advisory_xact_lock(hashtext('junction-demo-seed'))`.execute(trx);
    const customer = await trx.selectFrom('customers').select('id').limit(1).executeTakeFirst();
    const resource = await trx.selectFrom('resources').select('id').limit(1).executeTakeFirst();
    if (customer || resource) return false;
    await applySeed(trx, seed);
    return true;
  });
}

/** Inserts the seed's rows (existing ids are left alone). */
export async function applySeed(db: Kysely<Database>, seed: Seed): Promise<void> {
  if (seed.customers.length > 0) {
    await db
      .insertInto('customers')
      .values(
        seed.customers.map((c) => ({
          tenant: seed.tenant,
          id: c.id,
          name: c.name,
          type: c.type,
          status: c.status,
          sla_tier: c.slaTier ?? null,
          sites: c.sites,
        })),
      )
      .onConflict((oc) => oc.columns(['tenant', 'id']).doNothing())
      .execute();
  }
  if (seed.resources.length > 0) {
    await db
      .insertInto('resources')
      .values(
        seed.resources.map((r) => ({
          id: r.id,
          type: r.type,
          site: r.site,
          domain: r.domain,
          unit: r.unit,
          capacity: r.capacity,
          state: r.state,
          attributes: JSON.stringify(r.attributes),
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}
