/** Applies the versioned migrations with kysely's Migrator (it holds an advisory lock, so concurrent starts are safe). */
import { Migrator, type Kysely, type Migration } from 'kysely';
import type { Logger } from '../logger.js';
import { migrations as allMigrations } from './migrations/index.js';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function migrateToLatest(
  db: Kysely<any>,
  logger: Logger,
  migrations: Record<string, Migration> = allMigrations,
): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new MigrationError(`migration ${failed?.migrationName ?? '(setup)'} failed: ${cause}`, { cause: error });
  }
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrations applied');
  return applied;
}
