// Token cursor of the Rego parser: position, backtracking marks, OPA-style error messages and
// the recovery that lets one parse report the errors of several statements.
import type { Location } from '../ast.js';
import type { RegoError } from '../errors.js';
import type { Token } from './lexer.js';

/** Unwinds the parser after a syntax error was recorded; `at` is the token index where it happened. */
export class ParseAbort {
  constructor(readonly at: number) {}
}

/** Keywords of Rego v1. `contains` is only a keyword in rule heads; elsewhere it names the built-in. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'package', 'import', 'as', 'default', 'else', 'not', 'some', 'with', 'null', 'true', 'false',
  'in', 'every', 'contains', 'if',
]);

/** OPA's token names, used in "unexpected X token" messages. */
const PUNCT_NAMES: Readonly<Record<string, string>> = {
  '+': 'plus', '-': 'minus', '*': 'mul', '/': 'div', '%': 'rem', '&': 'and', '|': 'or',
  '=': 'eq', '==': 'equal', ':=': 'assign', '!=': 'neq', '>': 'gt', '<': 'lt', '>=': 'gte', '<=': 'lte',
};

/** A backtracking point: restoring it also drops the errors recorded after it. */
export interface Mark {
  pos: number;
  errors: number;
}

/** Position in the token stream and the parse errors recorded so far. */
export class TokenCursor {
  pos = 0;
  readonly errors: RegoError[] = [];

  constructor(
    readonly tokens: readonly Token[],
    readonly file: string,
  ) {}

  // ---- token cursor ------------------------------------------------------------------------

  get tok(): Token {
    return this.tokens[this.pos] as Token;
  }

  peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const t = this.tok;
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  isPunct(t: Token, text: string): boolean {
    return t.type === 'punct' && t.text === text;
  }

  /**
   * The current token is the keyword `word`. A word directly followed by `.` or `[` starts a
   * reference instead, even if it is a keyword (`input.in`, `not.x`), as in OPA.
   */
  atKeyword(word: string): boolean {
    const t = this.tok;
    if (t.type !== 'ident' || t.text !== word) return false;
    const after = this.peek();
    return after.ws || after.type !== 'punct' || (after.text !== '.' && after.text !== '[');
  }

  /** The current token can start a variable: an identifier that is not a keyword, or `contains`. */
  atVarStart(): boolean {
    const t = this.tok;
    if (t.type !== 'ident') return false;
    if (!KEYWORDS.has(t.text) || t.text === 'contains') return true;
    return !this.atKeyword(t.text);
  }

  loc(t: Token): Location {
    return { file: this.file, row: t.row, col: t.col, offset: t.offset };
  }

  save(): Mark {
    return { pos: this.pos, errors: this.errors.length };
  }

  restore(m: Mark): void {
    this.pos = m.pos;
    this.errors.length = m.errors;
  }

  // ---- errors ------------------------------------------------------------------------------

  error(location: Location, message: string): void {
    this.errors.push({ code: 'rego_parse_error', message, location });
  }

  fail(location: Location, message: string): never {
    this.error(location, message);
    throw new ParseAbort(this.pos);
  }

  /** Unwinds without a new message (one was already recorded). */
  abort(): never {
    throw new ParseAbort(this.pos);
  }

  /** OPA's "unexpected <token> token[: note]" at the current token. */
  illegal(note?: string): never {
    const t = this.tok;
    if (t.type === 'illegal') {
      if (t.reported) this.abort();
      this.fail(this.loc(t), 'illegal token');
    }
    const what = describeToken(t);
    this.fail(this.loc(t), note ? `unexpected ${what}: ${note}` : `unexpected ${what}`);
  }

  expectPunct(text: string, note: string): void {
    if (!this.isPunct(this.tok, text)) this.illegal(note);
    this.next();
  }

  /**
   * After an error in the statement starting at token `start` and failing at `failAt`, moves to
   * the first later token that begins a line at bracket depth 0 (counted from the statement's
   * start) or begins a line at column 1 with a word (a new rule, import or package).
   */
  recover(start: number, failAt: number): void {
    const last = this.tokens.length - 1;
    const from = Math.min(Math.max(failAt, start + 1), last);
    // Open brackets of the statement; a closer that does not match the innermost one is ignored.
    const open: string[] = [];
    const track = (t: Token): void => {
      if (t.type !== 'punct') return;
      const closer = CLOSERS[t.text];
      if (closer) open.push(closer);
      else if (open[open.length - 1] === t.text) open.pop();
    };
    let i = start;
    for (; i < from; i++) track(this.tokens[i] as Token);
    for (; i < last; i++) {
      const t = this.tokens[i] as Token;
      if (t.nl && (open.length === 0 || (t.col === 1 && t.type === 'ident'))) break;
      track(t);
    }
    this.pos = i;
  }
}

const CLOSERS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };

/** "identifier token", "if keyword", "} token", "assign token", ... as in OPA's messages. */
export function describeToken(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'eof token';
    case 'ident':
      return KEYWORDS.has(t.text) ? `${t.text} keyword` : 'identifier token';
    case 'number':
      return 'number token';
    case 'string':
    case 'rawstring':
      return 'string token';
    case 'punct':
      return `${PUNCT_NAMES[t.text] ?? t.text} token`;
    default:
      return 'illegal token';
  }
}
