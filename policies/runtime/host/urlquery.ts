// urlquery.encode / decode / encode_object / decode_object with Go's net/url rules
// (QueryEscape: unreserved characters kept, space as "+", everything else %XX of UTF-8 bytes).
import { builtinError, operandTypeError } from './errors.js';

function str(name: string, v: unknown, pos = 1): string {
  if (typeof v !== 'string') throw operandTypeError(name, pos, v, 'string');
  return v;
}

const utf8 = new TextDecoder();

/** Go's url.QueryEscape: unreserved characters stay, space becomes "+", the rest %XX. */
function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function queryUnescape(name: string, s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        throw builtinError(name, `invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return utf8.decode(Uint8Array.from(bytes));
}

export function urlqueryEncode(v: unknown): string {
  return queryEscape(str('urlquery.encode', v));
}

export function urlqueryDecode(v: unknown): string {
  return queryUnescape('urlquery.decode', str('urlquery.decode', v));
}

export function urlqueryEncodeObject(v: unknown): string {
  const name = 'urlquery.encode_object';
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw operandTypeError(name, 1, v, 'object');
  const pairs: string[] = [];
  for (const key of Object.keys(v).sort()) {
    const val = (v as Record<string, unknown>)[key];
    const values = Array.isArray(val) ? val : [val];
    for (const x of values) {
      if (typeof x !== 'string') throw builtinError(name, 'object values must be strings, arrays of strings or sets of strings');
      pairs.push(`${queryEscape(key)}=${queryEscape(x)}`);
    }
  }
  return pairs.join('&');
}

export function urlqueryDecodeObject(v: unknown): Record<string, string[]> {
  const name = 'urlquery.decode_object';
  const s = str(name, v);
  const out: Record<string, string[]> = {};
  for (const part of s.split(/[&]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = queryUnescape(name, eq < 0 ? part : part.slice(0, eq));
    const val = eq < 0 ? '' : queryUnescape(name, part.slice(eq + 1));
    (out[key] ??= []).push(val);
  }
  return out;
}
