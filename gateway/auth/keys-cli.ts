// `junction keys create|list|revoke`: API keys in the database Junction uses (DATABASE_URL, or
// the same local fallback the server takes). The new key is printed once and never again.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../../platform/config.js';
import { resolveDatabase } from '../../platform/db/connect.js';
import { migrateToLatest } from '../../platform/db/migrate.js';
import { createLogger } from '../../platform/logger.js';
import { apiKeyStore, KeyInputError, type ApiKeyStore } from './api-keys.js';

export const KEYS_USAGE = `usage: junction keys create --principal <name> --role <role> [--role <role>...] [--tenant <tenant>]
       junction keys list [--json]
       junction keys revoke <key-id>`;

export interface KeysIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs one keys subcommand against a store; returns the exit code. */
export async function runKeysCommand(store: ApiKeyStore, argv: string[], io: KeysIo): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'create') {
      const { values } = parseArgs({ args: rest, options: { principal: { type: 'string' }, role: { type: 'string', multiple: true }, tenant: { type: 'string' } }, strict: true });
      const created = await store.create({ principal: values.principal ?? '', roles: values.role ?? [], ...(values.tenant ? { tenant: values.tenant } : {}) });
      io.out(created.key);
      io.err(`created key ${created.id} for ${created.principal} (roles ${created.roles.join(', ')}${created.tenant ? `, tenant ${created.tenant}` : ''}); it is shown only this once`);
      return 0;
    }
    if (sub === 'list') {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true });
      const keys = await store.list();
      if (values.json) io.out(JSON.stringify(keys));
      else for (const k of keys) io.out([k.id, k.principal, k.roles.join(','), k.tenant ?? '-', k.createdAt.toISOString(), k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'].join('\t'));
      return 0;
    }
    if (sub === 'revoke') {
      const id = rest[0];
      if (!id || rest.length !== 1) throw new KeyInputError('revoke takes exactly one key id (see `junction keys list`)');
      if (!(await store.revoke(id))) {
        io.err(`no active key with id ${id}`);
        return 1;
      }
      io.err(`revoked key ${id}`);
      return 0;
    }
    io.err(sub ? `unknown keys command "${sub}"\n${KEYS_USAGE}` : KEYS_USAGE);
    return 2;
  } catch (err) {
    if (err instanceof KeyInputError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(err as Error).message}\n${KEYS_USAGE}`);
      return 2;
    }
    throw err;
  }
}

export async function keysCommand(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const config = loadConfig(env);
  // Logs go to stderr: stdout carries only the command's answer (e.g. the new key, for scripts).
  const logger = createLogger({ level: 'warn', destination: pino.destination(2) });
  const database = await resolveDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, logger);
  try {
    await migrateToLatest(database.db, logger);
    return await runKeysCommand(apiKeyStore(database.db), argv, { out: (l) => console.log(l), err: (l) => console.error(l) });
  } finally {
    await database.close();
  }
}
