/**
 * API keys kept in Postgres. A key is `jk_<id>_<secret>`: the id finds the row, the secret is
 * stored only as a salted scrypt hash, so the database never holds a usable key and the key is
 * shown once, when it is created.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { ROLES, type Role } from '../../platform/config.js';
import type { Database } from '../../platform/db/schema.js';
import type { Authenticator, Principal } from '../access.js';

const scrypt = promisify(scryptCb) as (password: Buffer | string, salt: Buffer, keylen: number) => Promise<Buffer>;
const KEY_FORMAT = /^jk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const HASH_BYTES = 32;

export interface CreatedKey {
  id: string;
  /** The full key: shown to the caller once and never stored. */
  key: string;
  principal: string;
  roles: Role[];
  tenant: string | null;
}

export interface KeyListing {
  id: string;
  principal: string;
  roles: Role[];
  tenant: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export class KeyInputError extends Error {}

function checkRoles(roles: readonly string[]): Role[] {
  if (roles.length === 0) throw new KeyInputError(`at least one --role is required (${ROLES.join(', ')})`);
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (bad.length) throw new KeyInputError(`unknown role ${bad.map((b) => JSON.stringify(b)).join(', ')}; roles are ${ROLES.join(', ')}`);
  return [...new Set(roles)] as Role[];
}

export function apiKeyStore(db: Kysely<Database>) {
  return {
    async create(input: { principal: string; roles: readonly string[]; tenant?: string }): Promise<CreatedKey> {
      const principal = input.principal.trim();
      if (!principal) throw new KeyInputError('--principal is required');
      const roles = checkRoles(input.roles);
      const tenant = input.tenant?.trim() || null;
      const id = randomBytes(8).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const salt = randomBytes(16);
      const hash = await scrypt(secret, salt, HASH_BYTES);
      await db.insertInto('api_keys').values({ id, principal, roles, tenant, salt, hash }).execute();
      return { id, key: `jk_${id}_${secret}`, principal, roles, tenant };
    },

    async list(): Promise<KeyListing[]> {
      const rows = await db.selectFrom('api_keys').select(['id', 'principal', 'roles', 'tenant', 'created_at', 'revoked_at']).orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, principal: r.principal, roles: r.roles as Role[], tenant: r.tenant, createdAt: r.created_at, revokedAt: r.revoked_at }));
    },

    /** Revokes a key by id; false when there is no such (unrevoked) key. */
    async revoke(id: string): Promise<boolean> {
      const res = await db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
  };
}
export type ApiKeyStore = ReturnType<typeof apiKeyStore>;

/**
 * Authenticates `jk_…` keys against the table. The row is read on every request so a revocation
 * holds at once; the scrypt check (tens of ms by design) runs once per key and process, after which
 * a sha256 of the verified key stands in for it.
 */
export function databaseKeyAuthenticator(db: Kysely<Database>): Authenticator {
  const verified = new Map<string, Buffer>();
  return async (credential) => {
    const m = KEY_FORMAT.exec(credential);
    if (!m) return undefined;
    const [, id, secret] = m as unknown as [string, string, string];
    const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (!row) return undefined;
    const fingerprint = createHash('sha256').update(credential).digest();
    const known = verified.get(id);
    if (!(known && timingSafeEqual(known, fingerprint))) {
      const hash = await scrypt(secret, row.salt, HASH_BYTES);
      if (hash.length !== row.hash.length || !timingSafeEqual(hash, row.hash)) return undefined;
      verified.set(id, fingerprint);
    }
    const principal: Principal = { name: row.principal, roles: row.roles as Role[], tenant: row.tenant ?? undefined };
    return principal;
  };
}
