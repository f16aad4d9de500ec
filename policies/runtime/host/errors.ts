// Errors raised by host-side built-ins, carrying OPA's error code and message text so they are
// reported exactly as OPA does (`eval_type_error: glob.match: operand 1 must be string but got
// number`). Type errors keep their parts (operand, expected, actual type) so the module can
// rebuild them with its own strict/non-strict handling (see ./index.ts, 'marker' mode).
import { regoTypeName } from './values.js';

export type BuiltinErrorCode = 'eval_builtin_error' | 'eval_type_error';

export interface OperandTypeMismatch {
  pos: number;
  /** "string", "one of {array, null}". */
  want: string;
  /** OPA type name of the offending value (or element). */
  got: string;
}

export class BuiltinError extends Error {
  readonly code: BuiltinErrorCode;
  /** The built-in's name, e.g. "units.parse". */
  readonly builtin: string;
  /** The message after "<builtin>: ". */
  readonly detail: string;
  readonly operand?: OperandTypeMismatch;

  constructor(code: BuiltinErrorCode, builtin: string, detail: string, operand?: OperandTypeMismatch) {
    super(`${builtin}: ${detail}`);
    this.name = 'BuiltinError';
    this.code = code;
    this.builtin = builtin;
    this.detail = detail;
    if (operand) this.operand = operand;
  }
}

/** eval_builtin_error with OPA's "<builtin>: <message>" text. */
export function builtinError(builtin: string, message: string): BuiltinError {
  return new BuiltinError('eval_builtin_error', builtin, message);
}

function typeMismatch(builtin: string, m: OperandTypeMismatch): BuiltinError {
  return new BuiltinError('eval_type_error', builtin, `operand ${m.pos} must be ${m.want} but got ${m.got}`, m);
}

/** OPA's operand type error: "operand 2 must be string but got number". */
export function operandTypeError(builtin: string, pos: number, got: unknown, ...expected: string[]): BuiltinError {
  const want = expected.length === 1 ? expected[0]! : `one of {${expected.join(', ')}}`;
  return typeMismatch(builtin, { pos, want, got: regoTypeName(got) });
}

/** OPA's type error for a collection with a wrongly typed element (free-form message). */
export function elementTypeError(builtin: string, pos: number, collection: string, want: string, got: unknown): BuiltinError {
  const detail = `operand ${pos} must be ${collection} of ${want}s but got ${collection} containing ${regoTypeName(got)}`;
  return new BuiltinError('eval_type_error', builtin, detail);
}
