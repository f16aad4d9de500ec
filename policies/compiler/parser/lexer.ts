// Rego lexer: turns source text into a flat token array in one linear pass.
// Whitespace is not a token; instead every token records whether whitespace (`ws`) or a
// newline (`nl`) came before it, because Rego's grammar depends on both: `f(x)` is a call but
// `f (x)` is not, and a newline separates the expressions of a body.
// Scanner error messages follow OPA's scanner ("non-terminated string", "illegal escape sequence",
// "illegal number format", ...).
import type { Comment } from '../ast.js';
import type { RegoError } from '../errors.js';

export type TokenType = 'ident' | 'number' | 'string' | 'rawstring' | 'punct' | 'eof' | 'illegal';

export interface Token {
  type: TokenType;
  /** Source text of the token (for strings: including quotes). */
  text: string;
  /** Decoded value of a string literal. */
  value?: string;
  offset: number;
  end: number;
  row: number;
  col: number;
  /** Whitespace or a comment precedes the token. */
  ws: boolean;
  /** A newline precedes the token (since the previous token). */
  nl: boolean;
  /** The lexer already reported an error for this (illegal) token. */
  reported?: boolean;
}

export interface LexResult {
  tokens: Token[];
  comments: Comment[];
  errors: RegoError[];
}

const CH_NL = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_TAB = 9;

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isDecimal(c: number): boolean {
  return c >= 48 && c <= 57;
}
const unicodeDigit = /\p{Nd}/u;
function isIdentPart(src: string, i: number): boolean {
  const c = src.charCodeAt(i);
  if (isLetter(c) || isDecimal(c)) return true;
  // OPA accepts Unicode digits (not letters) after the first identifier character.
  return c >= 128 && unicodeDigit.test(src[i] ?? '');
}

/**
 * Punctuation texts indexed by the code of their first character (shared strings, so tokens do
 * not each allocate one). Two-character operators (`:=`, `==`, `!=`, `<=`, `>=`) are checked first.
 */
const PUNCT1: Array<string | undefined> = [];
for (const ch of '[]{}(),:;.+-*/%&|=<>') PUNCT1[ch.charCodeAt(0)] = ch;
const PUNCT2: Array<string | undefined> = [];
for (const op of [':=', '==', '!=', '<=', '>=']) PUNCT2[op.charCodeAt(0)] = op;

const HEX = /^[0-9a-fA-F]{4}$/;

export function tokenize(src: string, file: string): LexResult {
  return new Lexer(src, file).run();
}

class Lexer {
  private readonly tokens: Token[] = [];
  private readonly comments: Comment[] = [];
  private readonly errors: RegoError[] = [];
  private i = 0;
  private row = 1;
  private lineStart = 0;
  private ws = false;
  private nl = false;
  // Position of the token being scanned.
  private start = 0;
  private startRow = 1;
  private startLs = 0;

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {}

  run(): LexResult {
    const src = this.src;
    const n = src.length;
    // A byte-order mark is allowed only as the very first character.
    if (src.charCodeAt(0) === 0xfeff) this.i = 1;
    while (this.i < n) {
      const c = src.charCodeAt(this.i);
      if (c === CH_SPACE || c === CH_TAB || c === CH_CR) {
        this.i++;
        this.ws = true;
      } else if (c === CH_NL) {
        this.i++;
        this.row++;
        this.lineStart = this.i;
        this.ws = true;
        this.nl = true;
      } else {
        this.start = this.i;
        this.startRow = this.row;
        this.startLs = this.lineStart;
        this.scanToken(c);
      }
    }
    const { row, lineStart, ws, nl } = this;
    this.tokens.push({ type: 'eof', text: '', offset: n, end: n, row, col: n - lineStart + 1, ws, nl: nl || n === 0 });
    return { tokens: this.tokens, comments: this.comments, errors: this.errors };
  }

  private push(type: TokenType, value?: string, text?: string): void {
    const start = this.start;
    this.tokens.push({
      type,
      text: text ?? this.src.slice(start, this.i),
      value,
      offset: start,
      end: this.i,
      row: this.startRow,
      col: start - this.startLs + 1,
      ws: this.ws,
      nl: this.nl,
    });
    this.ws = false;
    this.nl = false;
  }

  /** An illegal token whose error message was reported here. */
  private pushError(message: string): void {
    this.errors.push({
      code: 'rego_parse_error',
      message,
      location: { file: this.file, row: this.startRow, col: this.start - this.startLs + 1, offset: this.start },
    });
    this.push('illegal');
    (this.tokens[this.tokens.length - 1] as Token).reported = true;
  }

  private scanToken(c: number): void {
    const src = this.src;
    const n = src.length;
    if (c === 35 /* # */) {
      let j = this.i + 1;
      while (j < n && src.charCodeAt(j) !== CH_NL) j++;
      let textEnd = j;
      if (textEnd > this.i + 1 && src.charCodeAt(textEnd - 1) === CH_CR) textEnd--;
      this.comments.push({
        text: src.slice(this.i + 1, textEnd),
        loc: { file: this.file, row: this.row, col: this.i - this.lineStart + 1, offset: this.i },
      });
      this.i = j;
      this.ws = true;
      return;
    }
    if (isLetter(c)) {
      let i = this.i + 1;
      while (i < n && isIdentPart(src, i)) i++;
      this.i = i;
      this.push('ident');
      return;
    }
    if (isDecimal(c)) {
      this.scanNumber();
      return;
    }
    if (c === 34 /* " */) {
      const r = scanString(src, this.i);
      this.i = r.end;
      if (r.error) this.pushError(r.error === 'illegal string literal' ? `${r.error}: ${src.slice(this.start, this.i)}` : r.error);
      else this.push('string', r.value);
      return;
    }
    if (c === 96 /* ` */) {
      this.scanRawString();
      return;
    }
    if (c === 0) {
      this.i++;
      this.pushError('illegal null character');
      return;
    }
    const next = src.charCodeAt(this.i + 1);
    if (next === 61 /* = */ && (c === 58 || c === 61 || c === 33 || c === 60 || c === 62) /* : = ! < > */) {
      this.i += 2;
      this.push('punct', undefined, PUNCT2[c]);
      return;
    }
    const single = c < 128 ? PUNCT1[c] : undefined;
    if (single !== undefined) {
      this.i++;
      this.push('punct', undefined, single);
      return;
    }
    if (c === 33 /* ! */) {
      this.i++;
      this.pushError('illegal ! character');
      return;
    }
    if (c === 36 /* $ */) {
      this.i++;
      this.pushError('illegal $ character (template strings are not supported)');
      return;
    }
    // Any other character (e.g. `@`, `?`, non-ASCII letters) is an illegal token; the parser
    // reports it where it is met, like OPA ("illegal token").
    this.i += (src.codePointAt(this.i) ?? 0) > 0xffff ? 2 : 1;
    this.push('illegal');
  }

  private scanNumber(): void {
    const src = this.src;
    const n = src.length;
    let i = this.i;
    let bad: string | null = null;
    while (i < n && isDecimal(src.charCodeAt(i))) i++;
    if (src.charCodeAt(i) === 46 /* . */) {
      i++;
      const fracStart = i;
      while (i < n && isDecimal(src.charCodeAt(i))) i++;
      if (i === fracStart) bad = 'expected fraction';
    }
    const e = src.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      const s = src.charCodeAt(i);
      if (s === 43 || s === 45) i++;
      const expStart = i;
      while (i < n && isDecimal(src.charCodeAt(i))) i++;
      if (i === expStart) bad = bad ?? 'expected exponent';
    }
    if (i < n && isLetter(src.charCodeAt(i))) {
      bad = bad ?? 'illegal number format';
      while (i < n && isIdentPart(src, i)) i++;
    }
    this.i = i;
    if (bad) this.pushError(bad);
    else this.push('number');
  }

  private scanRawString(): void {
    const src = this.src;
    const n = src.length;
    let j = this.i + 1;
    let row = this.row;
    let lineStart = this.lineStart;
    while (j < n && src.charCodeAt(j) !== 96) {
      if (src.charCodeAt(j) === CH_NL) {
        row++;
        lineStart = j + 1;
      }
      j++;
    }
    if (j >= n) {
      this.i = n;
      this.pushError('non-terminated string');
    } else {
      this.i = j + 1;
      this.push('rawstring', src.slice(this.start + 1, j));
    }
    this.row = row;
    this.lineStart = lineStart;
  }
}

interface StringScan {
  end: number;
  value: string;
  error: string | null;
}

/** Scans a double-quoted string starting at `start` (the quote) and decodes its JSON escapes. */
function scanString(src: string, start: number): StringScan {
  const n = src.length;
  let i = start + 1;
  let segStart = i;
  const parts: string[] = [];
  let hasEscape = false;
  let hasControl = false;
  let error: string | null = null;
  for (;;) {
    if (i >= n || src.charCodeAt(i) === CH_NL) {
      return { end: i, value: '', error: 'non-terminated string' };
    }
    const c = src.charCodeAt(i);
    if (c === 34) {
      parts.push(src.slice(segStart, i));
      i++;
      break;
    }
    if (c < 0x20) hasControl = true;
    if (c !== 92 /* \ */) {
      i++;
      continue;
    }
    hasEscape = true;
    parts.push(src.slice(segStart, i));
    const e = src[i + 1];
    switch (e) {
      case '"': parts.push('"'); i += 2; break;
      case '\\': parts.push('\\'); i += 2; break;
      case '/': parts.push('/'); i += 2; break;
      case 'b': parts.push('\b'); i += 2; break;
      case 'f': parts.push('\f'); i += 2; break;
      case 'n': parts.push('\n'); i += 2; break;
      case 'r': parts.push('\r'); i += 2; break;
      case 't': parts.push('\t'); i += 2; break;
      case 'u': {
        const hex = src.slice(i + 2, i + 6);
        if (!HEX.test(hex)) {
          error = error ?? 'illegal string literal';
          i += 2;
          break;
        }
        let code = parseInt(hex, 16);
        i += 6;
        if (code >= 0xd800 && code <= 0xdbff) {
          // A high surrogate must be followed by an escaped low surrogate to form one character.
          const next = src.slice(i, i + 6);
          const low = next.startsWith('\\u') && HEX.test(next.slice(2)) ? parseInt(next.slice(2), 16) : -1;
          if (low >= 0xdc00 && low <= 0xdfff) {
            parts.push(String.fromCharCode(code, low));
            i += 6;
            break;
          }
          code = 0xfffd;
        } else if (code >= 0xdc00 && code <= 0xdfff) {
          code = 0xfffd; // a lone low surrogate is not a character (Go's JSON decoder does the same)
        }
        parts.push(String.fromCharCode(code));
        break;
      }
      default:
        error = error ?? 'illegal escape sequence';
        i += e === undefined ? 1 : 2;
    }
    segStart = i;
  }
  // OPA decodes escaped strings as JSON, which rejects raw control characters.
  if (!error && hasEscape && hasControl) error = 'illegal string literal';
  return { end: i, value: parts.length === 1 ? (parts[0] ?? '') : parts.join(''), error };
}
