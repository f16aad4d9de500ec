// Policy bundles and activations in Postgres: the history every instance and auditor reads.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

export interface StoredBundle {
  revision: string;
  sourceDigest: string;
  signature: string;
  signerKeyId: string;
  source: Buffer;
  compiled: Buffer | null;
  compiledDigest: string | null;
  status: 'ready' | 'rejected';
  tests: unknown;
  problems: string[];
  uploadedBy: string;
  uploadedAt: Date;
}

export interface Activation {
  revision: string;
  previousRevision: string | null;
  activatedBy: string;
  activatedAt: Date;
}

export type BundleSummary = Omit<StoredBundle, 'source' | 'compiled'>;

export function bundleStore(db: Kysely<Database>) {
  const summaryColumns = ['revision', 'source_digest', 'signature', 'signer_key_id', 'compiled_digest', 'status', 'tests', 'problems', 'uploaded_by', 'uploaded_at'] as const;
  const toSummary = (r: {
    revision: string; source_digest: string; signature: string; signer_key_id: string; compiled_digest: string | null;
    status: string; tests: unknown; problems: unknown; uploaded_by: string; uploaded_at: Date;
  }): BundleSummary => ({
    revision: r.revision,
    sourceDigest: r.source_digest,
    signature: r.signature,
    signerKeyId: r.signer_key_id,
    compiledDigest: r.compiled_digest,
    status: r.status as StoredBundle['status'],
    tests: r.tests,
    problems: r.problems as string[],
    uploadedBy: r.uploaded_by,
    uploadedAt: r.uploaded_at,
  });

  return {
    /** Inserts a bundle; false when that revision is already stored (uploads are immutable). */
    async insert(b: Omit<StoredBundle, 'uploadedAt'>): Promise<boolean> {
      const res = await db
        .insertInto('policy_bundles')
        .values({
          revision: b.revision,
          source_digest: b.sourceDigest,
          signature: b.signature,
          signer_key_id: b.signerKeyId,
          source: b.source,
          compiled: b.compiled,
          compiled_digest: b.compiledDigest,
          status: b.status,
          tests: JSON.stringify(b.tests),
          problems: JSON.stringify(b.problems),
          uploaded_by: b.uploadedBy,
        })
        .onConflict((oc) => oc.column('revision').doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async get(revision: string): Promise<StoredBundle | undefined> {
      const r = await db.selectFrom('policy_bundles').selectAll().where('revision', '=', revision).executeTakeFirst();
      return r ? { ...toSummary(r), source: r.source, compiled: r.compiled } : undefined;
    },

    async summary(revision: string): Promise<BundleSummary | undefined> {
      const r = await db.selectFrom('policy_bundles').select(summaryColumns).where('revision', '=', revision).executeTakeFirst();
      return r ? toSummary(r) : undefined;
    },

    async list(): Promise<BundleSummary[]> {
      const rows = await db.selectFrom('policy_bundles').select(summaryColumns).orderBy('uploaded_at', 'desc').orderBy('revision').execute();
      return rows.map(toSummary);
    },

    async recordActivation(a: Omit<Activation, 'activatedAt'>): Promise<void> {
      await db.insertInto('policy_activations').values({ revision: a.revision, previous_revision: a.previousRevision, activated_by: a.activatedBy }).execute();
    },

    async activations(): Promise<Activation[]> {
      const rows = await db.selectFrom('policy_activations').selectAll().orderBy('id', 'desc').execute();
      return rows.map((r) => ({ revision: r.revision, previousRevision: r.previous_revision, activatedBy: r.activated_by, activatedAt: r.activated_at }));
    },

    async active(): Promise<string | null> {
      const r = await db.selectFrom('policy_activations').select('revision').orderBy('id', 'desc').limit(1).executeTakeFirst();
      return r?.revision ?? null;
    },
  };
}
export type BundleStore = ReturnType<typeof bundleStore>;
