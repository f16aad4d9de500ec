// bits.and/or/xor/negate/lsh/rsh on integers (as 64-bit two's complement).
import { tagOf, TAG_NUMBER, makeNumber, numberValue } from "../value";
import { builtinError, typeError, typeErrorMessage } from "../errors";

function intArg(name: string, pos: i32, x: usize): bool {
  if (tagOf(x) != TAG_NUMBER) { typeError(name, pos, "number", x); return false; }
  let v = numberValue(x);
  if (v != Math.floor(v)) { typeErrorMessage(name, "operand " + pos.toString() + " must be integer number but got floating-point number"); return false; }
  return true;
}

function i(x: usize): i64 { return <i64>numberValue(x); }

export function b_bits_and(a: usize, b: usize): usize {
  return intArg("bits.and", 1, a) && intArg("bits.and", 2, b) ? makeNumber(<f64>(i(a) & i(b))) : 0;
}
export function b_bits_or(a: usize, b: usize): usize {
  return intArg("bits.or", 1, a) && intArg("bits.or", 2, b) ? makeNumber(<f64>(i(a) | i(b))) : 0;
}
export function b_bits_xor(a: usize, b: usize): usize {
  return intArg("bits.xor", 1, a) && intArg("bits.xor", 2, b) ? makeNumber(<f64>(i(a) ^ i(b))) : 0;
}
export function b_bits_negate(a: usize): usize {
  return intArg("bits.negate", 1, a) ? makeNumber(<f64>(~i(a))) : 0;
}
export function b_bits_lsh(a: usize, b: usize): usize {
  if (!intArg("bits.lsh", 1, a) || !intArg("bits.lsh", 2, b)) return 0;
  if (i(b) < 0) return builtinError("bits.lsh", "operand 2 must be an unsigned integer number but got a negative integer");
  return makeNumber(<f64>i(a) * Math.pow(2, <f64>i(b)));
}
export function b_bits_rsh(a: usize, b: usize): usize {
  if (!intArg("bits.rsh", 1, a) || !intArg("bits.rsh", 2, b)) return 0;
  if (i(b) < 0) return builtinError("bits.rsh", "operand 2 must be an unsigned integer number but got a negative integer");
  return makeNumber(Math.floor(<f64>i(a) / Math.pow(2, <f64>i(b))));
}
