import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleCommand } from './cli.js';
import { parsePublicKey, verifyBundle } from './signing.js';
import { unpackSourceBundle } from './source-bundle.js';

describe('junction bundle keygen|pack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'junction-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const io = { out: () => undefined, err: () => undefined };

  it('makes a key pair, packs the shipped policies with their tests and data, and signs them verifiably', async () => {
    expect(await bundleCommand(['keygen', '--out', join(dir, 'compliance')], io)).toBe(0);
    expect(statSync(join(dir, 'compliance.key')).mode & 0o777).toBe(0o600);
    const out = join(dir, 'bundle.tar.gz');
    expect(await bundleCommand(['pack', resolve(import.meta.dirname, '../rego'), '--key', join(dir, 'compliance.key'), '--out', out], io)).toBe(0);
    const bytes = readFileSync(out);
    const signature = readFileSync(`${out}.sig`, 'utf8').trim();
    expect(verifyBundle(bytes, signature, [parsePublicKey(readFileSync(join(dir, 'compliance.pub'), 'utf8'))])).toMatchObject({ ok: true });
    const unpacked = await unpackSourceBundle(bytes);
    expect(unpacked.sources.map((s) => s.file)).toContain('junction/authz.rego');
    expect(unpacked.tests.map((s) => s.file)).toContain('junction/authz_test.rego');
    expect(unpacked.data).toHaveProperty('entitlement');
  });

  it('answers usage errors with exit code 2', async () => {
    expect(await bundleCommand(['pack', dir], io)).toBe(2);
    expect(await bundleCommand(['nope'], io)).toBe(2);
  });
});
