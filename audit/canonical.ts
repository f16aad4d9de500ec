/**
 * Canonical JSON used for every hash in the audit log.
 *
 * The rules follow RFC 8785 (JSON Canonicalization Scheme) for the value space
 * Junction records contain:
 *  - no insignificant whitespace;
 *  - object members sorted by key, comparing keys as sequences of UTF-16 code
 *    units (JavaScript's default string ordering);
 *  - strings escaped as ECMAScript JSON.stringify does (only `"`, `\`, and
 *    control characters are escaped; everything else is emitted as UTF-8);
 *  - numbers serialised with the ECMAScript Number-to-String algorithm
 *    (JSON.stringify), so 1e21, 0.1, -0 (as 0) match JCS byte for byte;
 *  - NaN / Infinity, bigint, functions, symbols and undefined array elements
 *    are rejected; object members whose value is undefined are omitted
 *    (exactly as JSON.stringify omits them).
 * The canonical text is hashed as UTF-8.
 */

export class CanonicalJsonError extends Error {
  constructor(message: string, readonly path: string) {
    super(`${message} at ${path || '/'}`);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  try {
    return serialise(value);
  } catch (err) {
    if (err instanceof Unsupported) throw new CanonicalJsonError(err.message, locate(value, ''));
    throw err;
  }
}

class Unsupported extends Error {}

// Strings made only of printable ASCII other than `"` and `\` serialise as themselves.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function quote(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

// Hot path: hashing runs this for every record written and verified, so no
// per-member path bookkeeping; `locate` finds the offending place on error.
function serialise(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Unsupported(`non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const element: unknown = value[i];
          if (element === undefined) throw new Unsupported('undefined array element');
          out += (i === 0 ? '' : ',') + serialise(element);
        }
        return out + ']';
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new Unsupported(`unsupported object type ${proto?.constructor?.name ?? 'unknown'}`);
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        out += (first ? '' : ',') + quote(key) + ':' + serialise(member);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new Unsupported(`unsupported value of type ${typeof value}`);
  }
}

/** Path of the first value `serialise` rejects (slow; only used to report errors). */
function locate(value: unknown, path: string): string {
  if (value === null || typeof value !== 'object') return path;
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value).filter(([, v]) => v !== undefined);
  if (!Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return path;
  }
  for (const [key, member] of entries) {
    try {
      if (member === undefined) return `${path}/${key}`;
      serialise(member);
    } catch {
      return locate(member, `${path}/${key}`);
    }
  }
  return path;
}
