// Identity: database API keys (salted hashes, created by `junction keys`, revocable) and JWT
// bearer tokens (HS256, RS256 by PEM, JWKS file and JWKS URL; issuer and audience checked).
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/index.js';
import { createAccessControl } from '../access.js';
import { apiKeyStore, databaseKeyAuthenticator } from './api-keys.js';
import { jwtAuthenticator, jwtSettingsFromEnv } from './jwt.js';
import { runKeysCommand } from './keys-cli.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

describe('API keys in Postgres', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('stores a salted hash, never the key, and authenticates the key until it is revoked', async () => {
    const store = apiKeyStore(t.db);
    const a = await store.create({ principal: 'crm', roles: ['bss'], tenant: 'acme' });
    const b = await store.create({ principal: 'crm', roles: ['bss'], tenant: 'acme' });
    expect(a.key).toMatch(/^jk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const rows = await t.db.selectFrom('api_keys').selectAll().execute();
    const stored = JSON.stringify(rows.map((r) => ({ ...r, salt: r.salt.toString('hex'), hash: r.hash.toString('hex') })));
    const secretOf = (key: string) => key.slice('jk_'.length + 16 + 1); // the secret may contain '_'
    expect(stored).not.toContain(secretOf(a.key));
    expect(rows[0]!.salt.equals(rows[1]!.salt)).toBe(false);

    const access = createAccessControl([], { authenticators: [databaseKeyAuthenticator(t.db)] });
    expect(await access.authenticate(`Bearer ${a.key}`)).toEqual({ principal: { name: 'crm', roles: ['bss'], tenant: 'acme' } });
    expect(await access.authenticate(`Bearer ${a.key}`)).toMatchObject({ principal: { name: 'crm' } }); // cached path
    const forged = `${a.key.slice(0, -1)}${a.key.endsWith('A') ? 'B' : 'A'}`;
    expect(await access.authenticate(`Bearer ${forged}`)).toMatchObject({ status: 401 });
    const swapped = `jk_${b.id}_${secretOf(a.key)}`;
    expect(await access.authenticate(`Bearer ${swapped}`)).toMatchObject({ status: 401 });

    expect(await store.revoke(a.id)).toBe(true);
    expect(await store.revoke(a.id)).toBe(false);
    expect(await access.authenticate(`Bearer ${a.key}`)).toMatchObject({ status: 401 });
    expect(await access.authenticate(`Bearer ${b.key}`)).toMatchObject({ principal: { name: 'crm' } });
  });

  it('the keys command refuses unknown roles and a missing principal with usage', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await runKeysCommand(apiKeyStore(t.db), ['create', '--principal', 'x', '--role', 'root'], io)).toBe(2);
    expect(lines.join('\n')).toContain('unknown role "root"');
    expect(await runKeysCommand(apiKeyStore(t.db), ['create', '--role', 'bss'], io)).toBe(2);
    expect(lines.join('\n')).toContain('--principal is required');
    expect(await runKeysCommand(apiKeyStore(t.db), ['revoke'], io)).toBe(2);
  });

  it('`npx junction keys create|list|revoke` works against DATABASE_URL and prints the key once', async () => {
    const env = { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' };
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', resolve(ROOT, 'bin/cli.ts'), 'keys', ...args], { env, cwd: ROOT });
    const created = await cli('create', '--principal', 'noc', '--role', 'operator', '--role', 'auditor');
    const key = created.stdout.trim();
    expect(key).toMatch(/^jk_/);
    expect(created.stderr).toContain('shown only this once');
    const id = key.split('_')[1]!;
    const listed = await cli('list', '--json');
    const entry = (JSON.parse(listed.stdout) as Array<{ id: string; roles: string[]; revokedAt: string | null }>).find((k) => k.id === id);
    expect(entry).toMatchObject({ roles: ['operator', 'auditor'], revokedAt: null });
    // The secret is base64url and may itself contain '_': take everything after the id.
    const secret = key.slice(`jk_${id}_`.length);
    expect(secret.length).toBeGreaterThan(20);
    expect(listed.stdout).not.toContain(secret);
    await cli('revoke', id);
    const access = createAccessControl([], { authenticators: [databaseKeyAuthenticator(t.db)] });
    expect(await access.authenticate(`Bearer ${key}`)).toMatchObject({ status: 401 });
  }, 60_000);
});

describe('JWT bearer tokens', () => {
  const issuer = 'https://idp.example';
  const audience = 'junction';
  const secret = 's'.repeat(40);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwksServer: Server;
  let jwksUrl: string;

  beforeAll(async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_, res) => res.end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => jwksServer.close(() => r())));

  const claims = { roles: ['bss', 'root'], tenant: 'acme' };
  const hs = (o: { iss?: string; aud?: string; exp?: string } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('crm').setIssuer(o.iss ?? issuer).setAudience(o.aud ?? audience).setIssuedAt().setExpirationTime(o.exp ?? '5m').sign(Buffer.from(secret));
  const rs = () => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('crm').setIssuer(issuer).setAudience(audience).setExpirationTime('5m').sign(rsa.privateKey);

  it('HS256: accepts a valid token with its principal, known roles and tenant; refuses wrong issuer, audience, expiry', async () => {
    const auth = await jwtAuthenticator({ issuer, audience, secret });
    expect(await auth(await hs())).toEqual({ name: 'crm', roles: ['bss'], tenant: 'acme' });
    expect(await auth(await hs({ iss: 'https://evil.example' }))).toBeUndefined();
    expect(await auth(await hs({ aud: 'someone-else' }))).toBeUndefined();
    expect(await auth(await hs({ exp: '-10m' }))).toBeUndefined();
    expect(await auth(await rs())).toBeUndefined(); // algorithm pinned to HS256
    expect(await auth('not-a-jwt')).toBeUndefined();
  });

  it('RS256 from a PEM key, a JWKS document and a JWKS URL', async () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const jwks = { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' }] };
    for (const settings of [{ publicKeyPem: pem }, { jwks }, { jwksUrl }]) {
      const auth = await jwtAuthenticator({ issuer, audience, ...settings });
      expect(await auth(await rs())).toEqual({ name: 'crm', roles: ['bss'], tenant: 'acme' });
      expect(await auth(await hs())).toBeUndefined();
    }
  });

  it('a token is a bearer credential beside API keys', async () => {
    const access = createAccessControl([{ key: 'bootstrap-key-0123456789', principal: 'boot', roles: ['operator'] }], {
      authenticators: [await jwtAuthenticator({ issuer, audience, secret })],
    });
    expect(await access.authenticate(`Bearer ${await hs()}`)).toMatchObject({ principal: { name: 'crm' } });
    expect(await access.authenticate('Bearer bootstrap-key-0123456789')).toMatchObject({ principal: { name: 'boot' } });
  });

  it('settings from the environment need issuer, audience and exactly one key source', () => {
    expect(jwtSettingsFromEnv({})).toBeUndefined();
    expect(() => jwtSettingsFromEnv({ JUNCTION_JWT_SECRET: secret })).toThrow('JUNCTION_JWT_ISSUER and JUNCTION_JWT_AUDIENCE');
    expect(() => jwtSettingsFromEnv({ JUNCTION_JWT_ISSUER: issuer, JUNCTION_JWT_AUDIENCE: audience })).toThrow('exactly one key source');
    expect(() => jwtSettingsFromEnv({ JUNCTION_JWT_ISSUER: issuer, JUNCTION_JWT_AUDIENCE: audience, JUNCTION_JWT_SECRET: 'short' })).toThrow('at least 32');
    expect(jwtSettingsFromEnv({ JUNCTION_JWT_ISSUER: issuer, JUNCTION_JWT_AUDIENCE: audience, JUNCTION_JWT_JWKS_URL: jwksUrl })).toEqual({ issuer, audience, jwksUrl });
  });
});
