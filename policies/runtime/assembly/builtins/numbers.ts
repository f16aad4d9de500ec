// abs, round, ceil, floor, numbers.range, numbers.range_step, to_number, format_int.
import {
  tagOf, TAG_NUMBER, TAG_STRING, TAG_NULL, TAG_BOOLEAN, makeNumber, numberValue, boolValue, makeArray,
  arrayAppend, stringData, stringLength, makeString, numberText,
} from "../value";
import { exactAbs, isIntegral } from "../decimal";
import { builtinError, typeError, typeErrorMessage } from "../errors";
import { parseJSON } from "../json";

function num(name: string, x: usize): bool {
  if (tagOf(x) == TAG_NUMBER) return true;
  typeError(name, 1, "number", x);
  return false;
}

export function b_abs(x: usize): usize {
  if (!num("abs", x)) return 0;
  let exact = exactAbs(x);
  return exact != 0 ? exact : makeNumber(Math.abs(numberValue(x)));
}

/** Integers beyond f64's exact range (literals) round to themselves, every digit kept. */
function bigIntegral(x: usize): bool {
  return (numberText(x) != 0 || Math.abs(numberValue(x)) >= 9007199254740992.0) && isIntegral(x);
}

export function b_ceil(x: usize): usize {
  if (!num("ceil", x)) return 0;
  return bigIntegral(x) ? x : makeNumber(Math.ceil(numberValue(x)));
}

export function b_floor(x: usize): usize {
  if (!num("floor", x)) return 0;
  return bigIntegral(x) ? x : makeNumber(Math.floor(numberValue(x)));
}

/** Rounds half away from zero (Go's math.Round, which OPA uses). */
export function b_round(x: usize): usize {
  if (!num("round", x)) return 0;
  if (bigIntegral(x)) return x;
  let v = numberValue(x);
  // Not floor(v + 0.5): that rounds 0.49999999999999994 up (the sum rounds to 1.0).
  let r = Math.trunc(v);
  if (Math.abs(v - r) >= 0.5) r += v < 0 ? -1 : 1;
  return makeNumber(r);
}

function isInt(v: f64): bool {
  return v == Math.floor(v) && isFinite(v);
}

function range(name: string, a: usize, b: usize, step: f64): usize {
  if (tagOf(a) != TAG_NUMBER) return typeError(name, 1, "number", a);
  if (tagOf(b) != TAG_NUMBER) return typeError(name, 2, "number", b);
  let x = numberValue(a);
  let y = numberValue(b);
  if (!isInt(x)) return typeErrorMessage(name, "operand 1 must be integer number but got floating-point number");
  if (!isInt(y)) return typeErrorMessage(name, "operand 2 must be integer number but got floating-point number");
  let out = makeArray(<u32>Math.min(Math.abs(y - x) / step + 1, 1048576.0));
  if (x <= y) {
    for (let v = x; v <= y; v += step) arrayAppend(out, makeNumber(v));
  } else {
    for (let v = x; v >= y; v -= step) arrayAppend(out, makeNumber(v));
  }
  return out;
}

export function b_numbers_range(a: usize, b: usize): usize {
  return range("numbers.range", a, b, 1);
}

export function b_numbers_range_step(a: usize, b: usize, s: usize): usize {
  if (tagOf(s) != TAG_NUMBER) return typeError("numbers.range_step", 3, "number", s);
  let step = numberValue(s);
  if (!isInt(step)) return typeErrorMessage("numbers.range_step", "operand 3 must be integer number but got floating-point number");
  if (step <= 0) return builtinError("numbers.range_step", "step must be a positive integer");
  return range("numbers.range_step", a, b, step);
}

export function b_to_number(x: usize): usize {
  switch (tagOf(x)) {
    case TAG_NUMBER: return x;
    case TAG_NULL: return makeNumber(0);
    case TAG_BOOLEAN: return makeNumber(boolValue(x) ? 1 : 0);
    case TAG_STRING: {
      let n = stringLength(x);
      let v = n > 0 && load<u8>(stringData(x)) != 0x20 ? parseJSON(stringData(x), n) : 0;
      if (v == 0 || tagOf(v) != TAG_NUMBER) {
        return builtinError("to_number", "strconv.ParseFloat: parsing " + quoteAS(x) + ": invalid syntax");
      }
      return v;
    }
  }
  return typeError("to_number", 1, "one of {boolean, null, number, string}", x);
}

function quoteAS(s: usize): string {
  return "\"" + String.UTF8.decodeUnsafe(stringData(s), stringLength(s), false) + "\"";
}

/** format_int(number, base): the integer part (truncated) in base 2, 8, 10 or 16. */
export function b_format_int(x: usize, b: usize): usize {
  if (tagOf(x) != TAG_NUMBER) return typeError("format_int", 1, "number", x);
  if (tagOf(b) != TAG_NUMBER) return typeError("format_int", 2, "number", b);
  let base = <i32>numberValue(b);
  if (base != 2 && base != 8 && base != 10 && base != 16 || <f64>base != numberValue(b)) {
    return typeErrorMessage("format_int", "operand 2 must be one of {2, 8, 10, 16}");
  }
  let v = numberValue(x);
  let t = v < 0 ? Math.ceil(v) : Math.floor(v);
  let neg = t < 0;
  let u = <u64>Math.abs(t);
  let s = u.toString(base);
  return makeString(neg ? "-" + s : s);
}
