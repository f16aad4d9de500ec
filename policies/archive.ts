// Gzipped tar archives of policy files: packed reproducibly (fixed order and metadata, so the
// same files give the same bytes) and unpacked with limits (archives arrive over HTTP): bounded
// size and entry count, safe relative paths, files and directories only.
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export class ArchiveError extends Error {}

export interface UnpackLimits {
  maxEntries: number;
  maxUnpackedBytes: number;
}

export const DEFAULT_UNPACK_LIMITS: UnpackLimits = { maxEntries: 500, maxUnpackedBytes: 20 * 1024 * 1024 };

const SAFE_PATH = /^(?:[A-Za-z0-9_.-]+\/)*[A-Za-z0-9_.-]+$/;

/** Pack files (in the order given) with fixed metadata: no build time, no owner. */
export async function packTarGz(files: Array<[string, Uint8Array | string]>, opts: { leadingSlash?: boolean } = {}): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const [name, content] of files) {
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    pack.entry({ name: opts.leadingSlash ? `/${name}` : name, size: buf.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' }, buf);
  }
  pack.finalize();
  await collected;
  return gzipSync(Buffer.concat(chunks), { level: 9 });
}

/** The archive's files by relative path (a leading "/" or "./" is dropped). */
export async function unpackTarGz(bytes: Uint8Array, limits: UnpackLimits = DEFAULT_UNPACK_LIMITS): Promise<Map<string, Buffer>> {
  let tarBytes: Buffer;
  try {
    tarBytes = gunzipSync(bytes, { maxOutputLength: limits.maxUnpackedBytes });
  } catch {
    throw new ArchiveError(`not a gzip-compressed tar archive of at most ${Math.round(limits.maxUnpackedBytes / 1024 / 1024)} MiB unpacked`);
  }
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => parts.push(c as Buffer));
      stream.on('end', () => {
        const name = header.name.replace(/^\.?\/+/, '');
        if (header.type === 'file') {
          if (!SAFE_PATH.test(name) || name.split('/').some((s) => s === '..' || s === '.')) {
            extract.destroy(new ArchiveError(`archive entry ${JSON.stringify(header.name)} has an unsafe path`));
            return;
          }
          files.set(name, Buffer.concat(parts));
          if (files.size > limits.maxEntries) {
            extract.destroy(new ArchiveError(`the archive has more than ${limits.maxEntries} files`));
            return;
          }
        } else if (header.type !== 'directory') {
          extract.destroy(new ArchiveError(`archive entry ${JSON.stringify(header.name)} is a ${header.type}; only files and directories are accepted`));
          return;
        }
        next();
      });
      stream.resume();
    });
    extract.on('finish', () => resolve());
    extract.on('error', (e) => reject(e instanceof ArchiveError ? e : new ArchiveError(`not a valid tar archive: ${e.message}`)));
    Readable.from([tarBytes]).pipe(extract);
  });
  return files;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Places a data.json document at its directory's path under data (as `opa build` does); a path
 * defined twice is an error naming the file. Nodes are created without a prototype so a
 * "__proto__" key stays inert; callers JSON round-trip the result to get plain objects.
 */
export function placeDataDocument(target: Record<string, unknown>, file: string, doc: unknown, onError: (message: string) => Error): void {
  if (!isPlainObject(doc)) throw onError(`${file}: a data document must be a JSON object`);
  const prefix = file.split('/').slice(0, -1);
  let node = target;
  for (const seg of prefix) {
    const next = Object.prototype.hasOwnProperty.call(node, seg) ? node[seg] : undefined;
    if (next === undefined) node = node[seg] = Object.create(null) as Record<string, unknown>;
    else if (isPlainObject(next)) node = next;
    else throw onError(`${file}: data path ${prefix.join('.')} is already a value`);
  }
  for (const [k, v] of Object.entries(doc)) {
    if (Object.prototype.hasOwnProperty.call(node, k)) throw onError(`${file}: data.${[...prefix, k].join('.')} is defined by two data files`);
    node[k] = v;
  }
}
