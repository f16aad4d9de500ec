// Rego's infix operators as built-ins: comparison, arithmetic (with set difference on `-`),
// set intersection/union (`&`, `|`) and membership (`in`).
import {
  tagOf, TAG_NUMBER, TAG_SET, TAG_ARRAY, TAG_OBJECT, makeBool, makeNumber, numberValue,
  collLen, arrayGet, objectValueAt, setAt, makeSetWithCapacity,
} from "../value";
import { compare, equal } from "../compare";
import { setContains, dot, appendUnsorted, normalizeSorted } from "../collections";
import { builtinError, typeError } from "../errors";
import { exactIntegerOp, isIntegral, numberPlus, numberMul, OP_SUB, OP_REM, OP_DIV } from "../decimal";

export function b_equal(a: usize, b: usize): usize { return makeBool(equal(a, b)); }
export function b_neq(a: usize, b: usize): usize { return makeBool(!equal(a, b)); }
export function b_lt(a: usize, b: usize): usize { return makeBool(compare(a, b) < 0); }
export function b_lte(a: usize, b: usize): usize { return makeBool(compare(a, b) <= 0); }
export function b_gt(a: usize, b: usize): usize { return makeBool(compare(a, b) > 0); }
export function b_gte(a: usize, b: usize): usize { return makeBool(compare(a, b) >= 0); }

function bothNumbers(name: string, a: usize, b: usize): bool {
  if (tagOf(a) != TAG_NUMBER) { typeError(name, 1, "number", a); return false; }
  if (tagOf(b) != TAG_NUMBER) { typeError(name, 2, "number", b); return false; }
  return true;
}

export function b_plus(a: usize, b: usize): usize {
  if (!bothNumbers("plus", a, b)) return 0;
  return numberPlus(a, b);
}

export function b_mul(a: usize, b: usize): usize {
  if (!bothNumbers("mul", a, b)) return 0;
  return numberMul(a, b);
}

export function b_div(a: usize, b: usize): usize {
  if (!bothNumbers("div", a, b)) return 0;
  let d = numberValue(b);
  if (d == 0) return builtinError("div", "divide by zero");
  let exact = exactIntegerOp(OP_DIV, a, b);
  return exact != 0 ? exact : makeNumber(numberValue(a) / d);
}

export function b_rem(a: usize, b: usize): usize {
  if (!bothNumbers("rem", a, b)) return 0;
  let x = numberValue(a);
  let y = numberValue(b);
  if (!isIntegral(a) || !isIntegral(b)) return builtinError("rem", "modulo on floating-point number");
  if (y == 0) return builtinError("rem", "modulo by zero");
  let exact = exactIntegerOp(OP_REM, a, b);
  if (exact != 0) return exact;
  // Go's big.Int Rem: truncated division, sign follows the dividend (same as f64 %).
  return makeNumber(x % y);
}

/** a - b: numbers, or set difference. */
export function b_minus(a: usize, b: usize): usize {
  let ta = tagOf(a);
  if (ta == TAG_NUMBER && tagOf(b) == TAG_NUMBER) {
    let exact = exactIntegerOp(OP_SUB, a, b);
    return exact != 0 ? exact : makeNumber(numberValue(a) - numberValue(b));
  }
  if (ta == TAG_SET && tagOf(b) == TAG_SET) return setDiff(a, b);
  if (ta != TAG_NUMBER && ta != TAG_SET) return typeError("minus", 1, "one of {number, set}", a);
  return typeError("minus", 2, ta == TAG_SET ? "set" : "number", b);
}

export function setDiff(a: usize, b: usize): usize {
  let n = collLen(a);
  let out = makeSetWithCapacity(n);
  // a is sorted, so appending in order keeps out sorted.
  for (let i: u32 = 0; i < n; i++) {
    let m = setAt(a, i);
    if (!setContains(b, m)) appendUnsorted(out, m, 0, 4);
  }
  return out;
}

export function b_set_diff(a: usize, b: usize): usize {
  if (tagOf(a) != TAG_SET) return typeError("set_diff", 1, "set", a);
  if (tagOf(b) != TAG_SET) return typeError("set_diff", 2, "set", b);
  return setDiff(a, b);
}

export function setIntersect(a: usize, b: usize): usize {
  let n = collLen(a);
  let out = makeSetWithCapacity(n);
  for (let i: u32 = 0; i < n; i++) {
    let m = setAt(a, i);
    if (setContains(b, m)) appendUnsorted(out, m, 0, 4);
  }
  return out;
}

export function setUnion(a: usize, b: usize): usize {
  let na = collLen(a);
  let nb = collLen(b);
  let out = makeSetWithCapacity(na + nb);
  for (let i: u32 = 0; i < na; i++) appendUnsorted(out, setAt(a, i), 0, 4);
  for (let i: u32 = 0; i < nb; i++) appendUnsorted(out, setAt(b, i), 0, 4);
  normalizeSorted(out, 4);
  return out;
}

export function b_and(a: usize, b: usize): usize {
  if (tagOf(a) != TAG_SET) return typeError("and", 1, "set", a);
  if (tagOf(b) != TAG_SET) return typeError("and", 2, "set", b);
  return setIntersect(a, b);
}

export function b_or(a: usize, b: usize): usize {
  if (tagOf(a) != TAG_SET) return typeError("or", 1, "set", a);
  if (tagOf(b) != TAG_SET) return typeError("or", 2, "set", b);
  return setUnion(a, b);
}

/** x in coll: any array element / object value / set member equals x. */
export function b_internal_member_2(x: usize, coll: usize): usize {
  switch (tagOf(coll)) {
    case TAG_SET: return makeBool(setContains(coll, x));
    case TAG_ARRAY: {
      let n = collLen(coll);
      for (let i: u32 = 0; i < n; i++) if (equal(arrayGet(coll, i), x)) return makeBool(true);
      return makeBool(false);
    }
    case TAG_OBJECT: {
      let n = collLen(coll);
      for (let i: u32 = 0; i < n; i++) if (equal(objectValueAt(coll, i), x)) return makeBool(true);
      return makeBool(false);
    }
  }
  return makeBool(false);
}

/** k, v in coll: coll[k] == v (arrays by index, objects by key, sets: k == v and a member). */
export function b_internal_member_3(k: usize, v: usize, coll: usize): usize {
  let t = tagOf(coll);
  if (t != TAG_ARRAY && t != TAG_OBJECT && t != TAG_SET) return makeBool(false);
  let found = dot(coll, k);
  return makeBool(found != 0 && equal(found, v));
}
