// glob.match and glob.quote_meta with the semantics of the gobwas/glob library OPA uses:
// `*` any run of non-delimiter characters, `**` any run at all, `?` one non-delimiter
// character, `[abc]` / `[a-z]` / `[!...]` character classes, `{a,b}` alternatives, `\` escapes.
// A pattern compiles to a JS RegExp (code-point mode); compiled patterns are cached per host.
import { builtinError, elementTypeError, operandTypeError } from './errors.js';

const SPECIALS = new Set(['*', '?', '\\', '[', ']', '{', '}']);

/** A literal character outside a class (RegExp "u" mode rejects needless escapes like \-). */
function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|\/]/.test(ch) ? `\\${ch}` : ch;
}

/** A literal character inside a class. */
function escapeClass(ch: string): string {
  return /[\\^\]\[-]/.test(ch) ? `\\${ch}` : ch;
}

class GlobSyntaxError extends Error {}

/** Translate a glob pattern to a RegExp source (anchored by the caller). */
export function globToRegexSource(pattern: string, delimiters: string[]): string {
  const chars = Array.from(pattern);
  let i = 0;
  const notDelim = delimiters.length === 0 ? '.' : `[^${delimiters.map(escapeClass).join('')}]`;

  const parseSeq = (inAlternatives: boolean): string => {
    let out = '';
    while (i < chars.length) {
      const c = chars[i]!;
      if (inAlternatives && (c === ',' || c === '}')) return out;
      i++;
      switch (c) {
        case '\\': {
          const next = chars[i];
          if (next === undefined) throw new GlobSyntaxError('unexpected end of input after escape');
          out += escapeRegex(next);
          i++;
          break;
        }
        case '*':
          if (chars[i] === '*') {
            while (chars[i] === '*') i++;
            out += '.*';
          } else out += `${notDelim}*`;
          break;
        case '?':
          out += notDelim;
          break;
        case '[':
          out += parseClass();
          break;
        case '{': {
          const alternatives: string[] = [];
          for (;;) {
            alternatives.push(parseSeq(true));
            const stop = chars[i];
            if (stop === undefined) throw new GlobSyntaxError('unexpected end of input: unclosed {');
            i++;
            if (stop === '}') break;
          }
          out += `(?:${alternatives.join('|')})`;
          break;
        }
        default:
          out += escapeRegex(c);
      }
    }
    return out;
  };

  const parseClass = (): string => {
    let negate = false;
    if (chars[i] === '!') { negate = true; i++; }
    const members: string[] = [];
    for (;;) {
      let c = chars[i];
      if (c === undefined) throw new GlobSyntaxError('unexpected end of input: unclosed [');
      i++;
      if (c === ']') break;
      if (c === '\\') {
        c = chars[i];
        if (c === undefined) throw new GlobSyntaxError('unexpected end of input after escape');
        i++;
      }
      if (chars[i] === '-' && chars[i + 1] !== undefined && chars[i + 1] !== ']') {
        const hi = chars[i + 1]!;
        i += 2;
        if (hi < c) throw new GlobSyntaxError(`invalid range ${c}-${hi}`);
        members.push(`${escapeClass(c)}-${escapeClass(hi)}`);
      } else members.push(escapeClass(c));
    }
    if (members.length === 0) throw new GlobSyntaxError('empty character class');
    return `[${negate ? '^' : ''}${members.join('')}]`;
  };

  const body = parseSeq(false);
  if (i < chars.length) throw new GlobSyntaxError(`unexpected ${chars[i]}`);
  return body;
}

export class GlobMatcher {
  private readonly cache = new Map<string, RegExp>();

  match(pattern: unknown, delimiters: unknown, subject: unknown): boolean {
    const name = 'glob.match';
    if (typeof pattern !== 'string') throw operandTypeError(name, 1, pattern, 'string');
    let delims: string[];
    if (delimiters === null) delims = [];
    else if (Array.isArray(delimiters)) {
      delims = [];
      for (const d of delimiters) {
        if (typeof d !== 'string') throw elementTypeError(name, 2, 'array', 'string', d);
        delims.push(...Array.from(d).slice(0, 1));
      }
      // An empty list means the default delimiter "."; null means no delimiters at all.
      if (delims.length === 0) delims = ['.'];
    } else throw operandTypeError(name, 2, delimiters, 'array', 'null');
    if (typeof subject !== 'string') throw operandTypeError(name, 3, subject, 'string');
    const key = `${pattern}\u0000${delims.join('')}`;
    let re = this.cache.get(key);
    if (!re) {
      try {
        re = new RegExp(`^(?:${globToRegexSource(pattern, delims)})$`, 'su');
      } catch (e) {
        throw builtinError(name, e instanceof Error ? e.message : String(e));
      }
      if (this.cache.size >= 256) this.cache.clear();
      this.cache.set(key, re);
    }
    return re.test(subject);
  }
}

export function globQuoteMeta(pattern: unknown): string {
  if (typeof pattern !== 'string') throw operandTypeError('glob.quote_meta', 1, pattern, 'string');
  return Array.from(pattern).map((c) => (SPECIALS.has(c) ? `\\${c}` : c)).join('');
}
