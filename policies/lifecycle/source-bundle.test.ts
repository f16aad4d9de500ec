import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { bundleDigest, generateComplianceKey, signBundle, verifyBundle } from './signing.js';
import { packSourceBundle, unpackSourceBundle } from './source-bundle.js';

async function rawTar(entries: Array<{ name: string; type?: 'file' | 'symlink'; content?: string; linkname?: string }>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  for (const e of entries) {
    if (e.type === 'symlink') pack.entry({ name: e.name, type: 'symlink', linkname: e.linkname ?? '/etc/passwd' });
    else pack.entry({ name: e.name }, e.content ?? '');
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

describe('source bundles', () => {
  it('round-trips sources, tests and data placed at their directory', async () => {
    const bytes = await packSourceBundle({ 'a/p.rego': 'package a.p\n', 'a/p_test.rego': 'package a.p_test\n', 'a/data.json': '{"x":1}', 'data.json': '{"y":2}' });
    expect(await packSourceBundle({ 'a/data.json': '{"x":1}', 'a/p_test.rego': 'package a.p_test\n', 'data.json': '{"y":2}', 'a/p.rego': 'package a.p\n' })).toEqual(bytes);
    const u = await unpackSourceBundle(bytes);
    expect(u.sources.map((s) => s.file)).toEqual(['a/p.rego']);
    expect(u.tests.map((s) => s.file)).toEqual(['a/p_test.rego']);
    expect(u.data).toEqual({ a: { x: 1 }, y: 2 });
  });

  it.each([
    ['a path escaping the bundle', [{ name: '../evil.rego', content: 'package x' }], 'unsafe path'],
    ['an absolute path segment trick', [{ name: 'a/./b.rego', content: 'package x' }], 'unsafe path'],
    ['a symlink', [{ name: 'p.rego', content: 'package p' }, { name: 'link.rego', type: 'symlink' as const }], 'is a symlink'],
    ['no policy at all', [{ name: 'data.json', content: '{}' }], 'holds no Rego policy'],
    ['a data document that is not an object', [{ name: 'p.rego', content: 'package p' }, { name: 'data.json', content: '[1]' }], 'must be a JSON object'],
  ])('refuses %s', async (_, entries, message) => {
    await expect(unpackSourceBundle(await rawTar(entries))).rejects.toThrow(message);
  });

  it('refuses what is not a gzipped tar, and a bomb that unpacks past the limit', async () => {
    await expect(unpackSourceBundle(Buffer.from('hello'))).rejects.toThrow('not a gzip-compressed tar');
    const bomb = gzipSync(Buffer.alloc(30 * 1024 * 1024));
    await expect(unpackSourceBundle(bomb)).rejects.toThrow('at most 20 MiB');
  });

  it('keeps a "__proto__" data key inert', async () => {
    const u = await unpackSourceBundle(await rawTar([{ name: 'p.rego', content: 'package p' }, { name: 'data.json', content: '{"__proto__":{"polluted":true}}' }]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(u.data)).toBe(Object.prototype);
  });
});

describe('bundle signatures', () => {
  it('verify only for the exact bytes and a trusted key, naming what failed', async () => {
    const { privateKey, publicKey } = generateComplianceKey();
    const other = generateComplianceKey();
    const bytes = await packSourceBundle({ 'p.rego': 'package p\n' });
    const sig = signBundle(bytes, privateKey);
    expect(verifyBundle(bytes, sig, [other.publicKey, publicKey])).toMatchObject({ ok: true, digest: bundleDigest(bytes) });
    expect(verifyBundle(bytes, sig, [other.publicKey])).toMatchObject({ ok: false, reason: expect.stringContaining('does not verify') });
    expect(verifyBundle(Buffer.concat([bytes, Buffer.from([0])]), sig, [publicKey])).toMatchObject({ ok: false });
    expect(verifyBundle(bytes, sig, [publicKey], 'sha256:00')).toMatchObject({ ok: false, reason: expect.stringContaining('does not match the recorded digest') });
    expect(verifyBundle(bytes, 'not base64!', [publicKey])).toMatchObject({ ok: false, reason: expect.stringContaining('not base64') });
    expect(verifyBundle(bytes, sig, [])).toMatchObject({ ok: false, reason: expect.stringContaining('no compliance public key') });
  });
});
