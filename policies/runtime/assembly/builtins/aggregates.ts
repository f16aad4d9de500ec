// count, sum, product, max, min, sort.
import {
  tagOf, TAG_NUMBER, TAG_ARRAY, TAG_SET, makeNumber, numberValue, collLen,
  collData, arrayGet, setAt, makeArray, setCollLen,
} from "../value";
import { compare } from "../compare";
import { length, sortSlots } from "../collections";
import { typeError } from "../errors";
import { numberPlus, numberMul } from "../decimal";

export function b_count(x: usize): usize {
  let n = length(x);
  if (n < 0) return typeError("count", 1, "one of {array, object, set, string}", x);
  return makeNumber(<f64>n);
}

/** Elements of an array or set (for sum/product/max/min/sort); 0 when x is neither. */
function isArrayOrSet(x: usize): bool {
  let t = tagOf(x);
  return t == TAG_ARRAY || t == TAG_SET;
}

function elemAt(x: usize, i: u32): usize {
  return tagOf(x) == TAG_ARRAY ? arrayGet(x, i) : setAt(x, i);
}

function fold(name: string, x: usize, start: f64, isProduct: bool): usize {
  if (!isArrayOrSet(x)) return typeError(name, 1, "one of {array, set}", x);
  let acc = makeNumber(start);
  let n = collLen(x);
  for (let i: u32 = 0; i < n; i++) {
    let e = elemAt(x, i);
    if (tagOf(e) != TAG_NUMBER) return typeError(name, 1, "collection of numbers", e);
    // Exact on integers like the plus/mul built-ins (sums beyond 2^53 keep every digit).
    acc = isProduct ? numberMul(acc, e) : numberPlus(acc, e);
  }
  return acc;
}

export function b_sum(x: usize): usize { return fold("sum", x, 0, false); }
export function b_product(x: usize): usize { return fold("product", x, 1, true); }

function extreme(name: string, x: usize, wantMax: bool): usize {
  if (!isArrayOrSet(x)) return typeError(name, 1, "one of {array, set}", x);
  let n = collLen(x);
  if (n == 0) return 0; // undefined for empty collections
  let best = elemAt(x, 0);
  for (let i: u32 = 1; i < n; i++) {
    let e = elemAt(x, i);
    let c = compare(e, best);
    if (wantMax ? c > 0 : c < 0) best = e;
  }
  return best;
}

export function b_max(x: usize): usize { return extreme("max", x, true); }
export function b_min(x: usize): usize { return extreme("min", x, false); }

export function b_sort(x: usize): usize {
  if (!isArrayOrSet(x)) return typeError("sort", 1, "one of {array, set}", x);
  let n = collLen(x);
  let out = makeArray(n);
  memory.copy(collData(out), collData(x), <usize>n << 2);
  setCollLen(out, n);
  if (tagOf(x) == TAG_ARRAY) sortSlots(collData(out), n, 4);
  return out;
}

