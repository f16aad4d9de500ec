import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as decisionLog from './0001_decision_log.js';

/**
 * Audit migrations, keyed by name. Names are prefixed `audit_` so they can be
 * merged into another provider's record without clashing; if merged, the
 * platform Migrator needs `allowUnorderedMigrations: true` (names interleave).
 * Running them through applyAuditMigrations instead keeps their own history
 * table and needs no coordination.
 */
export const auditMigrations: Record<string, Migration> = {
  audit_0001_decision_log: decisionLog,
};

export const AUDIT_MIGRATION_TABLE = 'audit_kysely_migration';
export const AUDIT_MIGRATION_LOCK_TABLE = 'audit_kysely_migration_lock';

export class AuditMigrationError extends Error {
  constructor(message: string, readonly results: MigrationResultSet['results']) {
    super(message);
    this.name = 'AuditMigrationError';
  }
}

/** Applies all audit migrations with their own history table; idempotent. */
export async function applyAuditMigrations(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => auditMigrations },
    migrationTableName: AUDIT_MIGRATION_TABLE,
    migrationLockTableName: AUDIT_MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AuditMigrationError(`audit migration ${failed} failed: ${(error as Error).message ?? String(error)}`, results);
  }
}
