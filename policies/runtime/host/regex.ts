// OPA's regex.* built-ins on the host. OPA uses Go's RE2 syntax; patterns are translated to
// JS RegExp ("u" mode, so `.` matches a code point like Go matches a rune). Constructs RE2
// rejects (backreferences, lookaround) are rejected here too, so regex.is_valid agrees with OPA.
// Translation covers: leading flag groups (?i) (?s) (?m) (?U is not supported), (?P<name>),
// \A \z, \Q...\E, POSIX classes [[:alpha:]], \pL / \p{Greek}, and escaped punctuation.
import { builtinError, operandTypeError } from './errors.js';

export class RegexSyntaxError extends Error {}

const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ', upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

const SYNTAX_CHARS = new Set(Array.from('^$\\.*+?()[]{}|/'));
const CLASS_SPECIAL = new Set(Array.from('\\]^-['));

function err(msg: string): never {
  throw new RegexSyntaxError(`error parsing regexp: ${msg}`);
}

function unicodeClass(name: string, negated: boolean): string {
  const known = /^(L|Lu|Ll|Lt|Lm|Lo|M|Mn|Mc|Me|N|Nd|Nl|No|P|Pc|Pd|Ps|Pe|Pi|Pf|Po|S|Sm|Sc|Sk|So|Z|Zs|Zl|Zp|C|Cc|Cf|Co|Cs)$/;
  const body = known.test(name) ? name : `Script=${name}`;
  return `\\${negated ? 'P' : 'p'}{${body}}`;
}

/** RE2 pattern → JS RegExp source and flags. */
export function translateRe2(pattern: string): { source: string; flags: string } {
  let flags = 'u';
  let i = 0;
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'U') err('ungreedy flag (?U) is not supported');
      if (!flags.includes(f)) flags += f;
    }
    i = lead[0].length;
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  let depth = 0;
  while (i < pattern.length) {
    const cp = pattern.codePointAt(i)!;
    const c = String.fromCodePoint(cp);
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) err('trailing backslash at end of expression');
      if (n === 'Q' && !inClass) {
        const end = pattern.indexOf('\\E', i + 2);
        const lit = end < 0 ? pattern.slice(i + 2) : pattern.slice(i + 2, end);
        out += Array.from(lit).map((ch) => (SYNTAX_CHARS.has(ch) ? `\\${ch}` : ch)).join('');
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      if (n === 'A' && !inClass) { out += multiline ? '(?<![\\s\\S])' : '^'; i += 2; continue; }
      if (n === 'z' && !inClass) { out += multiline ? '(?![\\s\\S])' : '$'; i += 2; continue; }
      if (n === 'p' || n === 'P') {
        const braced = /^\{(\^?)([A-Za-z_]+)\}/.exec(pattern.slice(i + 2));
        if (braced) {
          out += unicodeClass(braced[2]!, (n === 'P') !== (braced[1] === '^'));
          i += 2 + braced[0].length;
        } else {
          const one = pattern[i + 2];
          if (one === undefined || !/[A-Za-z]/.test(one)) err(`invalid character class range: \`\\${n}\``);
          out += unicodeClass(one, n === 'P');
          i += 3;
        }
        continue;
      }
      if (/[1-9]/.test(n)) err(`invalid escape sequence: \`\\${n}\``);
      if (/[dDwWsSbBnrtfv0x]/.test(n)) {
        if (n === 'x' && pattern[i + 2] === '{') {
          const m = /^\{([0-9A-Fa-f]+)\}/.exec(pattern.slice(i + 2));
          if (!m) err('invalid escape sequence: `\\x`');
          out += `\\u{${m![1]}}`;
          i += 2 + m![0].length;
          continue;
        }
        out += `\\${n}`;
        i += 2;
        continue;
      }
      if (/[A-Za-z0-9]/.test(n)) err(`invalid escape sequence: \`\\${n}\``);
      // Escaped punctuation: a literal character.
      const special = inClass ? CLASS_SPECIAL.has(n) : SYNTAX_CHARS.has(n);
      out += special ? `\\${n}` : n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
        if (m) {
          const set = POSIX[m[2]!];
          if (!set) err(`invalid character class range: \`${m[0]}\``);
          if (m[1]) err(`negated POSIX classes are not supported: \`${m[0]}\``);
          out += set;
          i += m[0].length;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i += c.length;
      continue;
    }
    switch (c) {
      case '[': {
        inClass = true;
        out += '[';
        i++;
        if (pattern[i] === '^') { out += '^'; i++; }
        // A leading "]" is a literal in RE2.
        if (pattern[i] === ']') { out += '\\]'; i++; }
        continue;
      }
      case '(': {
        depth++;
        if (pattern[i + 1] === '?') {
          const rest = pattern.slice(i + 2);
          const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
          if (named) { out += `(?<${named[1]}>`; i += 2 + named[0].length; continue; }
          if (rest.startsWith(':')) { out += '(?:'; i += 3; continue; }
          err(`invalid or unsupported Perl syntax: \`(?${rest.slice(0, 1)}\``);
        }
        out += '(';
        i++;
        continue;
      }
      case ')':
        if (depth === 0) err(`unexpected ): \`${pattern}\``);
        depth--;
        out += ')';
        i++;
        continue;
      case '{': {
        // RE2 treats "{" that does not start a repetition ({n}, {n,}, {n,m}) as a literal.
        const rep = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
        if (rep) { out += rep[0]; i += rep[0].length; } else { out += '\\{'; i++; }
        continue;
      }
      case '}':
        out += '\\}';
        i++;
        continue;
      default:
        out += c;
        i += c.length;
    }
  }
  if (inClass) err(`missing closing ]: \`${pattern}\``);
  if (depth > 0) err(`missing closing ): \`${pattern}\``);
  return { source: out, flags };
}

/** Compiled patterns, cached per host-builtins instance (OPA caches compiled regexes too). */
export class RegexCache {
  private readonly cache = new Map<string, RegExp>();

  compile(pattern: string): RegExp {
    let re = this.cache.get(pattern);
    if (re) return re;
    const { source, flags } = translateRe2(pattern);
    try {
      re = new RegExp(source, `${flags}g`);
    } catch (e) {
      err(e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e));
    }
    if (this.cache.size >= 256) this.cache.clear();
    this.cache.set(pattern, re!);
    return re!;
  }
}

/** Go's FindAll: successive non-overlapping matches; an empty match right after a match is skipped. */
function findAll(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  let prevEnd = -1;
  while (n < 0 || out.length < n) {
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    if (m[0].length === 0) {
      if (m.index !== prevEnd) out.push(m);
      // Step over one code point so the search makes progress.
      const cp = s.codePointAt(m.index);
      re.lastIndex = m.index + (cp !== undefined && cp > 0xffff ? 2 : 1);
      if (m.index >= s.length) break;
    } else {
      out.push(m);
      re.lastIndex = end;
    }
    prevEnd = end;
  }
  re.lastIndex = 0;
  return out;
}

/**
 * regex.template_match: the template is literal text with regular expressions between the
 * delimiters ("urn:foo:{.*}"); delimiters inside an expression must balance. The whole value
 * must match.
 */
export function templateToRe2(template: string, start: string, end: string): string {
  let out = '^';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf(start, i);
    if (open < 0) { out += quoteMeta(template.slice(i)); break; }
    out += quoteMeta(template.slice(i, open));
    let depth = 0;
    let j = open;
    for (; j < template.length; j++) {
      if (template.startsWith(start, j)) depth++;
      else if (template.startsWith(end, j)) { depth--; if (depth === 0) break; }
    }
    if (depth !== 0) throw new RegexSyntaxError(`unbalanced braces in template ${JSON.stringify(template)}`);
    out += `(?:${template.slice(open + start.length, j)})`;
    i = j + end.length;
  }
  return `${out}$`;
}

function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

/** Go's Regexp.Expand template: $1, ${1}, $name, ${name}, $$. */
function expandTemplate(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (whole, _all, braced?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const ref = braced ?? bare ?? '';
    if (/^\d+$/.test(ref)) return m[Number(ref)] ?? '';
    return m.groups?.[ref] ?? '';
  });
}

function str(name: string, v: unknown, pos: number): string {
  if (typeof v !== 'string') throw operandTypeError(name, pos, v, 'string');
  return v;
}

function compileOrFail(cache: RegexCache, name: string, pattern: string): RegExp {
  try {
    return cache.compile(pattern);
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw builtinError(name, e.message);
    throw e;
  }
}

export function regexBuiltins(cache: RegexCache): Record<string, (...args: unknown[]) => unknown> {
  const match = (name: string) => (pattern: unknown, value: unknown): boolean => {
    const re = compileOrFail(cache, name, str(name, pattern, 1));
    const s = str(name, value, 2);
    re.lastIndex = 0;
    const ok = re.test(s);
    re.lastIndex = 0;
    return ok;
  };
  return {
    'regex.match': match('regex.match'),
    're_match': match('re_match'),
    'regex.is_valid': (pattern: unknown): boolean => {
      if (typeof pattern !== 'string') return false;
      try {
        cache.compile(pattern);
        return true;
      } catch {
        return false;
      }
    },
    'regex.find_n': (pattern: unknown, value: unknown, n: unknown): string[] => {
      const name = 'regex.find_n';
      const re = compileOrFail(cache, name, str(name, pattern, 1));
      const s = str(name, value, 2);
      if (typeof n !== 'number' || !Number.isInteger(n)) throw operandTypeError(name, 3, n, 'number');
      return findAll(re, s, n).map((m) => m[0]);
    },
    'regex.find_all_string_submatch_n': (pattern: unknown, value: unknown, n: unknown): string[][] => {
      const name = 'regex.find_all_string_submatch_n';
      const re = compileOrFail(cache, name, str(name, pattern, 1));
      const s = str(name, value, 2);
      if (typeof n !== 'number' || !Number.isInteger(n)) throw operandTypeError(name, 3, n, 'number');
      return findAll(re, s, n).map((m) => Array.from(m, (g) => g ?? ''));
    },
    'regex.template_match': (template: unknown, value: unknown, start: unknown, end: unknown): boolean => {
      const name = 'regex.template_match';
      const t = str(name, template, 1);
      const s = str(name, value, 2);
      const open = str(name, start, 3);
      const close = str(name, end, 4);
      if (open === '' || close === '') throw builtinError(name, 'delimiters must not be empty');
      let source: string;
      try {
        source = templateToRe2(t, open, close);
      } catch (e) {
        if (e instanceof RegexSyntaxError) throw builtinError(name, e.message);
        throw e;
      }
      const re = compileOrFail(cache, name, source);
      re.lastIndex = 0;
      const ok = re.test(s);
      re.lastIndex = 0;
      return ok;
    },
    'regex.replace': (value: unknown, pattern: unknown, replacement: unknown): string => {
      const name = 'regex.replace';
      const s = str(name, value, 1);
      const re = compileOrFail(cache, name, str(name, pattern, 2));
      const template = str(name, replacement, 3);
      let out = '';
      let last = 0;
      for (const m of findAll(re, s, -1)) {
        out += s.slice(last, m.index) + expandTemplate(template, m);
        last = m.index + m[0].length;
      }
      return out + s.slice(last);
    },
  };
}
