// OPA-style policy bundles: a gzipped tar holding /policy.wasm, /data.json, /.manifest and the
// Rego sources. Built reproducibly — same sources and data give the same bytes — so a bundle's
// digest identifies exactly what decided.
import { createHash } from 'node:crypto';
import { ArchiveError, packTarGz, unpackTarGz, type UnpackLimits } from './archive.js';
import { z } from 'zod';
import { compilePolicies, entrypointName, type PolicySource } from './compiler/index.js';

export const manifestSchema = z.object({
  revision: z.string(),
  roots: z.array(z.string()).default(['']),
  wasm: z.array(z.object({ entrypoint: z.string(), module: z.string() })).default([]),
  metadata: z
    .object({
      /** sha256 of each Rego source, by its path in the bundle. */
      sources: z.record(z.string(), z.string()).default({}),
      compiler: z.string().optional(),
    })
    .passthrough()
    .default({ sources: {} }),
});

export type BundleManifest = z.infer<typeof manifestSchema>;

export interface PolicyBundle {
  manifest: BundleManifest;
  wasm: Uint8Array;
  data: unknown;
  /** Rego sources by bundle path, when the bundle carries them. */
  sources: Record<string, string>;
  /** "sha256:<hex>" of policy.wasm. */
  wasmDigest: string;
}

export interface BuildOptions {
  sources: PolicySource[];
  data?: unknown;
  entrypoints: string[];
  /** Defaults to a digest of the sources, data and entrypoints. */
  revision?: string;
}

export const COMPILER_ID = 'junction-rego-wasm/1';

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Compile and package; the result is byte-for-byte reproducible. */
export async function buildBundle(opts: BuildOptions): Promise<{ bytes: Buffer; bundle: PolicyBundle }> {
  const sources = [...opts.sources].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const entrypoints = opts.entrypoints.map(entrypointName);
  const compiled = compilePolicies(sources, { entrypoints });
  const data = opts.data ?? {};
  const dataJson = JSON.stringify(data);
  const sourceDigests = Object.fromEntries(sources.map((s) => [s.file, `sha256:${sha256(s.source)}`]));
  const revision =
    opts.revision ??
    sha256(JSON.stringify({ sourceDigests, data: sha256(dataJson), entrypoints, compiler: COMPILER_ID })).slice(0, 16);
  const manifest: BundleManifest = {
    revision,
    roots: [''],
    wasm: entrypoints.map((e) => ({ entrypoint: e, module: '/policy.wasm' })),
    metadata: { sources: sourceDigests, compiler: COMPILER_ID },
  };
  const files: Array<[string, Uint8Array | string]> = [
    ['.manifest', JSON.stringify(manifest)],
    ['data.json', dataJson],
    ['policy.wasm', compiled.wasm],
    ...sources.map((s): [string, string] => [s.file, s.source]),
  ];
  const bytes = await packTarGz(files, { leadingSlash: true });
  return {
    bytes,
    bundle: { manifest, wasm: compiled.wasm, data, sources: Object.fromEntries(sources.map((s) => [s.file, s.source])), wasmDigest: `sha256:${sha256(compiled.wasm)}` },
  };
}

export class BundleError extends Error {}

/** A compiled bundle carries a Wasm module besides the sources: allow more than an upload. */
const BUNDLE_LIMITS: UnpackLimits = { maxEntries: 2000, maxUnpackedBytes: 128 * 1024 * 1024 };

/** Read a bundle built by Junction or by `opa build -t wasm`. */
export async function readBundle(bytes: Uint8Array): Promise<PolicyBundle> {
  let files: Map<string, Buffer>;
  try {
    files = await unpackTarGz(bytes, BUNDLE_LIMITS);
  } catch (err) {
    if (err instanceof ArchiveError) throw new BundleError(`bundle is ${err.message} (expected a .tar.gz built by \`junction policy build\`)`);
    throw err;
  }
  const manifestBytes = files.get('.manifest');
  if (!manifestBytes) throw new BundleError('bundle has no /.manifest');
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    throw new BundleError('bundle /.manifest is not valid JSON');
  }
  const manifest = manifestSchema.safeParse(manifestJson);
  if (!manifest.success) throw new BundleError(`bundle /.manifest is invalid: ${manifest.error.message}`);
  const modulePath = (manifest.data.wasm[0]?.module ?? '/policy.wasm').replace(/^\/+/, '');
  const wasm = files.get(modulePath);
  if (!wasm) throw new BundleError(`bundle has no /${modulePath}`);
  const dataBytes = files.get('data.json');
  let data: unknown = {};
  if (dataBytes) {
    try {
      data = JSON.parse(dataBytes.toString('utf8'));
    } catch {
      throw new BundleError('bundle /data.json is not valid JSON');
    }
  }
  const sources: Record<string, string> = {};
  for (const [name, content] of files) if (name.endsWith('.rego')) sources[name] = content.toString('utf8');
  return { manifest: manifest.data, wasm: new Uint8Array(wasm), data, sources, wasmDigest: `sha256:${sha256(wasm)}` };
}
