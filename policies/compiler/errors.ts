// Errors a policy author can act on: file:row:col, OPA's error code, the offending line and a caret.
import type { Location } from './ast.js';

export type RegoErrorCode =
  | 'rego_parse_error'
  | 'rego_compile_error'
  | 'rego_unsafe_var_error'
  | 'rego_recursion_error'
  | 'rego_type_error';

export interface RegoError {
  code: RegoErrorCode;
  message: string;
  location: Location;
}

/** Thrown by the parser and the compiler; carries every error found, not only the first. */
export class RegoCompileErrors extends Error {
  readonly errors: RegoError[];

  constructor(errors: RegoError[], sources: ReadonlyMap<string, string> = new Map()) {
    super(formatErrors(errors, sources));
    this.name = 'RegoCompileErrors';
    this.errors = errors;
  }
}

/** One error as `file:row:col: code: message`, then the source line and a caret under the column. */
export function formatError(err: RegoError, source?: string): string {
  const { file, row, col } = err.location;
  const head = `${file}:${row}:${col}: ${err.code}: ${err.message}`;
  const line = source?.split('\n')[row - 1];
  if (line === undefined) return head;
  const caretPad = line.slice(0, Math.max(0, col - 1)).replace(/[^\t]/g, ' ');
  return `${head}\n\t${line}\n\t${caretPad}^`;
}

export function formatErrors(errors: RegoError[], sources: ReadonlyMap<string, string> = new Map()): string {
  const n = errors.length;
  const title = `${n} error${n === 1 ? '' : 's'} occurred:`;
  return [title, ...errors.map((e) => formatError(e, sources.get(e.location.file)))].join('\n');
}
