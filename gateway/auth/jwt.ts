/**
 * JWT bearer tokens (jose): HS256 with a shared secret, or RS256 with a PEM public key, a JWKS
 * file or a JWKS URL; issuer and audience are always checked. Claims: `sub` is the principal,
 * `roles` (array) its roles, `tenant` its tenant.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, importSPKI, jwtVerify, type JWTVerifyGetKey, type KeyObject as JoseKey } from 'jose';
import { createSecretKey } from 'node:crypto';
import { ROLES, type Role } from '../../platform/config.js';
import type { Authenticator } from '../access.js';

export interface JwtSettings {
  issuer: string;
  audience: string;
  /** HS256 shared secret. */
  secret?: string;
  /** RS256 public key (PEM, SPKI). */
  publicKeyPem?: string;
  jwksUrl?: string;
  /** A JWKS document ({ keys: [...] }). */
  jwks?: { keys: unknown[] };
  /** Allowed clock skew in seconds. */
  clockToleranceSec?: number;
}

export class JwtConfigError extends Error {}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Settings from JUNCTION_JWT_* variables; undefined when JWTs are not configured. */
export function jwtSettingsFromEnv(env: Record<string, string | undefined>): JwtSettings | undefined {
  const issuer = env.JUNCTION_JWT_ISSUER?.trim();
  const audience = env.JUNCTION_JWT_AUDIENCE?.trim();
  const sources = ['JUNCTION_JWT_SECRET', 'JUNCTION_JWT_PUBLIC_KEY_FILE', 'JUNCTION_JWT_JWKS_URL', 'JUNCTION_JWT_JWKS_FILE'].filter((k) => env[k]?.trim());
  if (!issuer && !audience && sources.length === 0) return undefined;
  if (!issuer || !audience) throw new JwtConfigError('JWT bearer tokens need both JUNCTION_JWT_ISSUER and JUNCTION_JWT_AUDIENCE');
  if (sources.length !== 1) throw new JwtConfigError(`JWT bearer tokens need exactly one key source of ${['JUNCTION_JWT_SECRET', 'JUNCTION_JWT_PUBLIC_KEY_FILE', 'JUNCTION_JWT_JWKS_URL', 'JUNCTION_JWT_JWKS_FILE'].join(', ')}; got ${sources.length ? sources.join(', ') : 'none'}`);
  const s: JwtSettings = { issuer, audience };
  if (env.JUNCTION_JWT_SECRET?.trim()) {
    if (env.JUNCTION_JWT_SECRET.length < 32) throw new JwtConfigError('JUNCTION_JWT_SECRET must be at least 32 characters');
    s.secret = env.JUNCTION_JWT_SECRET;
  }
  if (env.JUNCTION_JWT_PUBLIC_KEY_FILE?.trim()) s.publicKeyPem = readFileSync(env.JUNCTION_JWT_PUBLIC_KEY_FILE.trim(), 'utf8');
  if (env.JUNCTION_JWT_JWKS_URL?.trim()) s.jwksUrl = env.JUNCTION_JWT_JWKS_URL.trim();
  if (env.JUNCTION_JWT_JWKS_FILE?.trim()) s.jwks = JSON.parse(readFileSync(env.JUNCTION_JWT_JWKS_FILE.trim(), 'utf8')) as { keys: unknown[] };
  return s;
}

export async function jwtAuthenticator(settings: JwtSettings): Promise<Authenticator> {
  let key: Uint8Array | JoseKey | JWTVerifyGetKey | CryptoKey;
  let algorithms: string[];
  if (settings.secret) {
    key = createSecretKey(Buffer.from(settings.secret, 'utf8'));
    algorithms = ['HS256'];
  } else if (settings.publicKeyPem) {
    key = await importSPKI(settings.publicKeyPem, 'RS256');
    algorithms = ['RS256'];
  } else if (settings.jwks) {
    key = createLocalJWKSet(settings.jwks as Parameters<typeof createLocalJWKSet>[0]);
    algorithms = ['RS256'];
  } else if (settings.jwksUrl) {
    key = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 2_000, cooldownDuration: 30_000 });
    algorithms = ['RS256'];
  } else {
    throw new JwtConfigError('no JWT key source configured');
  }
  return async (credential) => {
    if (!JWT_SHAPE.test(credential)) return undefined;
    try {
      const { payload } = await jwtVerify(credential, key as Parameters<typeof jwtVerify>[1], {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms,
        clockTolerance: settings.clockToleranceSec ?? 30,
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') return undefined;
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r)) : [];
      const tenant = typeof payload.tenant === 'string' && payload.tenant !== '' ? payload.tenant : undefined;
      return { name: payload.sub, roles, tenant };
    } catch {
      // Expired, wrong issuer/audience/signature/algorithm: not a credential we accept.
      return undefined;
    }
  };
}
