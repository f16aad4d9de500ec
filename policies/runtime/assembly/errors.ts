// Runtime errors. opa_abort (imported from the host) never returns: the SDK throws the
// NUL-terminated message. Messages are "<code>: <message>" with OPA's error codes.
// Built-in errors follow OPA's default: the call is undefined, unless the module was compiled
// with strict built-in errors, in which case evaluation aborts with eval_builtin_error.
import { alloc } from "./heap";

// @ts-ignore: decorator
@external("env", "opa_abort")
declare function opa_abort(addr: usize): void;

// @ts-ignore: decorator
@external("env", "opa_println")
declare function opa_println(addr: usize): void;

let strictBuiltinErrors: bool = false;

/** Set by the generated eval entry when the module is compiled with strictBuiltinErrors. */
export function setStrictBuiltinErrors(strict: bool): void {
  strictBuiltinErrors = strict;
}

function cString(s: string): usize {
  let n = String.UTF8.byteLength(s, false);
  let p = alloc(n + 1);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, p, false);
  store<u8>(p + n, 0);
  return p;
}

/** Abort evaluation with "<code>: <message>". */
export function raise(code: string, message: string): void {
  opa_abort(cString(code + ": " + message));
  unreachable();
}

/** Abort with the message held by a Rego string value (used for IR `abort` statements). */
export function raiseValue(str: usize): void {
  let n = load<u32>(str, 4);
  let p = alloc(n + 1);
  memory.copy(p, str + 8, n);
  store<u8>(p + n, 0);
  opa_abort(p);
  unreachable();
}

export function println(s: string): void {
  opa_println(cString(s));
}

/**
 * A built-in failed: returns 0 (undefined) by default; with strict built-in errors aborts with
 * "eval_builtin_error: <name>: <message>". Built-ins write `return builtinError("x", "...")`.
 */
export function builtinError(name: string, message: string): usize {
  if (strictBuiltinErrors) raise("eval_builtin_error", name + ": " + message);
  return 0;
}

/** An operand of the wrong type: OPA reports these as eval_type_error in strict mode. */
export function typeError(name: string, pos: i32, want: string, got: usize): usize {
  if (strictBuiltinErrors) {
    raise("eval_type_error", name + ": operand " + pos.toString() + " must be " + want + " but got " + typeNameOf(got));
  }
  return 0;
}

/**
 * A type error with a custom message ("operand 1 must be integer number but got floating-point
 * number"): undefined by default, eval_type_error when strict.
 */
export function typeErrorMessage(name: string, message: string): usize {
  if (strictBuiltinErrors) raise("eval_type_error", name + ": " + message);
  return 0;
}

function typeNameOf(v: usize): string {
  switch (load<u8>(v)) {
    case 1: return "null";
    case 2: return "boolean";
    case 3: return "number";
    case 4: return "string";
    case 5: return "array";
    case 6: return "object";
    case 7: return "set";
  }
  return "undefined";
}

/** AssemblyScript's abort (assertions, out-of-bounds) routed to opa_abort (via --use abort=). */
export function asAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let m = message !== null ? message : "abort";
  let f = fileName !== null ? fileName : "?";
  opa_abort(cString("internal_error: " + m + " at " + f + ":" + line.toString() + ":" + column.toString()));
  unreachable();
}
