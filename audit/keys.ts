import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { generateSigningKey, privateKeyFromPem } from './checkpoint.js';

/**
 * The checkpoint signing key from a PEM file (PKCS#8 Ed25519). With
 * `create: true` a missing file is generated once (mode 0600) — for
 * development; production should provision the key and keep a copy of the
 * public half with the auditors.
 */
export async function loadSigningKey(path: string, options: { create?: boolean } = {}): Promise<{ key: KeyObject; created: boolean }> {
  try {
    return { key: privateKeyFromPem(await readFile(path, 'utf8')), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !options.create) throw err;
  }
  const key = generateSigningKey();
  await mkdir(dirname(path), { recursive: true });
  // 'wx' fails if another process created it meanwhile; then read theirs.
  try {
    await writeFile(path, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    return { key, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { key: privateKeyFromPem(await readFile(path, 'utf8')), created: false };
  }
}
