// The artifact compliance uploads: a gzipped tar of Rego sources, their *_test.rego suites and
// data.json documents (the layout of a policy directory). Read with limits, since it arrives
// over HTTP: bounded size, entry count, path shape, no links.
import type { PolicySource } from '../compiler/index.js';
import { ArchiveError, packTarGz, placeDataDocument, unpackTarGz } from '../archive.js';

export interface PolicySourceBundle {
  sources: PolicySource[];
  tests: PolicySource[];
  data: Record<string, unknown>;
}

export class SourceBundleError extends Error {}

/** Packs files (path → content) reproducibly: sorted paths, fixed metadata. */
export async function packSourceBundle(files: Record<string, string>): Promise<Buffer> {
  return packTarGz(Object.keys(files).sort().map((name) => [name, files[name]!]));
}

export async function unpackSourceBundle(bytes: Uint8Array): Promise<PolicySourceBundle> {
  let files: Map<string, Buffer>;
  try {
    files = await unpackTarGz(bytes);
  } catch (err) {
    if (err instanceof ArchiveError) throw new SourceBundleError(`the bundle is ${err.message.startsWith('not ') ? '' : 'refused: '}${err.message}`);
    throw err;
  }
  const out: PolicySourceBundle = { sources: [], tests: [], data: {} };
  for (const [name, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (name.endsWith('.rego')) {
      (name.endsWith('_test.rego') ? out.tests : out.sources).push({ file: name, source: content.toString('utf8') });
    } else if (name === 'data.json' || name.endsWith('/data.json')) {
      let doc: unknown;
      try {
        doc = JSON.parse(content.toString('utf8'));
      } catch (err) {
        throw new SourceBundleError(`${name}: invalid JSON: ${(err as Error).message}`);
      }
      placeDataDocument(out.data, name, doc, (m) => new SourceBundleError(m));
    }
  }
  if (out.sources.length === 0) throw new SourceBundleError('the bundle holds no Rego policy (*.rego other than *_test.rego)');
  // Plain objects again (the null-prototype nodes above keep "__proto__" keys inert while merging).
  out.data = JSON.parse(JSON.stringify(out.data)) as Record<string, unknown>;
  return out;
}
