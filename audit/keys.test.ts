import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf, SigningKeyError } from './checkpoint.js';
import { loadSigningKey } from './keys.js';
import { createPublicKey } from 'node:crypto';

describe('loadSigningKey', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-keys-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('creates a key once (0600) and reads the same key afterwards', async () => {
    const path = join(dir, 'sub', 'checkpoint.pem');
    const first = await loadSigningKey(path, { create: true });
    expect(first.created).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = await loadSigningKey(path, { create: true });
    expect(again.created).toBe(false);
    expect(keyIdOf(createPublicKey(again.key))).toBe(keyIdOf(createPublicKey(first.key)));
    expect(await readFile(path, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('fails clearly for a missing file without create, and for a file that is not an Ed25519 key', async () => {
    await expect(loadSigningKey(join(dir, 'absent.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(join(dir, 'junk.pem'), 'not a key');
    await expect(loadSigningKey(join(dir, 'junk.pem'))).rejects.toThrow(SigningKeyError);
  });
});
