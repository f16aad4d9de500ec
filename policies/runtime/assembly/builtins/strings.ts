// The core string built-ins. Strings are UTF-8; positions and lengths that Rego exposes
// (substring, indexof) count code points, as OPA does.
import {
  tagOf, TAG_STRING, TAG_ARRAY, TAG_SET, makeBool, makeNumber, numberValue, TAG_NUMBER, allocString,
  stringData, stringLength, makeStringFromBytes, makeArray, arrayAppend, collLen, arrayGet, setAt,
  makeString, stringToAS,
} from "../value";
import { countCodePoints } from "../collections";
import { runeLen, runeStartBefore } from "../utf8";
import { builtinError, typeError, typeErrorMessage } from "../errors";

function str(name: string, pos: i32, x: usize): bool {
  if (tagOf(x) == TAG_STRING) return true;
  typeError(name, pos, "string", x);
  return false;
}

/** Byte offset of needle in hay at or after byte `from`, or -1. */
export function findBytes(hay: usize, needle: usize, from: u32): i32 {
  let hn = stringLength(hay);
  let nn = stringLength(needle);
  if (nn == 0) return <i32>from;
  if (nn > hn) return -1;
  let h = stringData(hay);
  let nd = stringData(needle);
  let first = load<u8>(nd);
  for (let i = from; i + nn <= hn; i++) {
    if (load<u8>(h + i) == first && memory.compare(h + i, nd, nn) == 0) return <i32>i;
  }
  return -1;
}

export function b_contains(s: usize, sub: usize): usize {
  if (!str("contains", 1, s) || !str("contains", 2, sub)) return 0;
  return makeBool(findBytes(s, sub, 0) >= 0);
}

export function b_startswith(s: usize, p: usize): usize {
  if (!str("startswith", 1, s) || !str("startswith", 2, p)) return 0;
  let n = stringLength(p);
  return makeBool(n <= stringLength(s) && memory.compare(stringData(s), stringData(p), n) == 0);
}

export function b_endswith(s: usize, p: usize): usize {
  if (!str("endswith", 1, s) || !str("endswith", 2, p)) return 0;
  let n = stringLength(p);
  let m = stringLength(s);
  return makeBool(n <= m && memory.compare(stringData(s) + m - n, stringData(p), n) == 0);
}

/** concat(delimiter, array or set of strings). */
export function b_concat(delim: usize, xs: usize): usize {
  if (!str("concat", 1, delim)) return 0;
  let t = tagOf(xs);
  if (t != TAG_ARRAY && t != TAG_SET) return typeError("concat", 2, "one of {array, set}", xs);
  let n = collLen(xs);
  let total: u32 = n > 0 ? (n - 1) * stringLength(delim) : 0;
  for (let i: u32 = 0; i < n; i++) {
    let e = t == TAG_ARRAY ? arrayGet(xs, i) : setAt(xs, i);
    if (tagOf(e) != TAG_STRING) return typeError("concat", 2, "collection of strings", e);
    total += stringLength(e);
  }
  let out = allocString(total);
  let w = stringData(out);
  for (let i: u32 = 0; i < n; i++) {
    if (i > 0) { memory.copy(w, stringData(delim), stringLength(delim)); w += stringLength(delim); }
    let e = t == TAG_ARRAY ? arrayGet(xs, i) : setAt(xs, i);
    memory.copy(w, stringData(e), stringLength(e));
    w += stringLength(e);
  }
  return out;
}

/** split(s, delimiter): an empty delimiter splits into code points (Go's strings.Split). */
export function b_split(s: usize, d: usize): usize {
  if (!str("split", 1, s) || !str("split", 2, d)) return 0;
  let out = makeArray(4);
  let sd = stringData(s);
  let sn = stringLength(s);
  let dn = stringLength(d);
  if (dn == 0) {
    let i: u32 = 0;
    while (i < sn) {
      let j = i + runeLen(sd, i, sn);
      arrayAppend(out, makeStringFromBytes(sd + i, j - i));
      i = j;
    }
    return out;
  }
  let start: u32 = 0;
  while (true) {
    let at = findBytes(s, d, start);
    if (at < 0) break;
    arrayAppend(out, makeStringFromBytes(sd + start, <u32>at - start));
    start = <u32>at + dn;
  }
  arrayAppend(out, makeStringFromBytes(sd + start, sn - start));
  return out;
}

/** replace(s, old, new): every non-overlapping occurrence. */
export function b_replace(s: usize, old: usize, nw: usize): usize {
  if (!str("replace", 1, s) || !str("replace", 2, old) || !str("replace", 3, nw)) return 0;
  let on = stringLength(old);
  if (on == 0) {
    // Go's strings.Replace with an empty old string inserts new around every code point.
    let parts = b_split(s, old);
    let n = collLen(parts);
    let mid = b_concat(nw, parts);
    if (n == 0) return nw;
    let out = b_concat(makeStringFromBytes(0, 0), pack3(nw, mid, nw));
    return out;
  }
  let sd = stringData(s);
  let sn = stringLength(s);
  let pieces = makeArray(4);
  let start: u32 = 0;
  while (true) {
    let at = findBytes(s, old, start);
    if (at < 0) break;
    arrayAppend(pieces, makeStringFromBytes(sd + start, <u32>at - start));
    start = <u32>at + on;
  }
  arrayAppend(pieces, makeStringFromBytes(sd + start, sn - start));
  return b_concat(nw, pieces);
}

function pack3(a: usize, b: usize, c: usize): usize {
  let arr = makeArray(3);
  arrayAppend(arr, a);
  arrayAppend(arr, b);
  arrayAppend(arr, c);
  return arr;
}

export function b_lower(s: usize): usize {
  return str("lower", 1, s) ? makeString(stringToAS(s).toLowerCase()) : 0;
}

export function b_upper(s: usize): usize {
  return str("upper", 1, s) ? makeString(stringToAS(s).toUpperCase()) : 0;
}

/** Does the cutset string contain the code point of length n at p? */
function inCutset(cut: usize, p: usize, n: u32): bool {
  let cd = stringData(cut);
  let cn = stringLength(cut);
  let i: u32 = 0;
  while (i < cn) {
    let l = runeLen(cd, i, cn);
    if (l == n && memory.compare(cd + i, p, n) == 0) return true;
    i += l;
  }
  return false;
}

function trimCut(s: usize, cut: usize, left: bool, right: bool): usize {
  let d = stringData(s);
  let n = stringLength(s);
  let start: u32 = 0;
  let end = n;
  if (left) {
    while (start < end) {
      let l = runeLen(d, start, end);
      if (!inCutset(cut, d + start, l)) break;
      start += l;
    }
  }
  if (right) {
    while (end > start) {
      let b = runeStartBefore(d, start, end);
      if (!inCutset(cut, d + b, end - b)) break;
      end = b;
    }
  }
  return makeStringFromBytes(d + start, end - start);
}

export function b_trim(s: usize, c: usize): usize {
  return str("trim", 1, s) && str("trim", 2, c) ? trimCut(s, c, true, true) : 0;
}
export function b_trim_left(s: usize, c: usize): usize {
  return str("trim_left", 1, s) && str("trim_left", 2, c) ? trimCut(s, c, true, false) : 0;
}
export function b_trim_right(s: usize, c: usize): usize {
  return str("trim_right", 1, s) && str("trim_right", 2, c) ? trimCut(s, c, false, true) : 0;
}

const SPACE_CUTSET: string = " \t\n\r\v\f\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

export function b_trim_space(s: usize): usize {
  return str("trim_space", 1, s) ? trimCut(s, makeString(SPACE_CUTSET), true, true) : 0;
}

export function b_trim_prefix(s: usize, p: usize): usize {
  if (!str("trim_prefix", 1, s) || !str("trim_prefix", 2, p)) return 0;
  let n = stringLength(p);
  if (n <= stringLength(s) && memory.compare(stringData(s), stringData(p), n) == 0) {
    return makeStringFromBytes(stringData(s) + n, stringLength(s) - n);
  }
  return s;
}

export function b_trim_suffix(s: usize, p: usize): usize {
  if (!str("trim_suffix", 1, s) || !str("trim_suffix", 2, p)) return 0;
  let n = stringLength(p);
  let m = stringLength(s);
  if (n <= m && memory.compare(stringData(s) + m - n, stringData(p), n) == 0) {
    return makeStringFromBytes(stringData(s), m - n);
  }
  return s;
}

/** Byte offset of code point index cp (clamped to the end). */
function byteOffsetOf(s: usize, cp: u32): u32 {
  let d = stringData(s);
  let n = stringLength(s);
  let i: u32 = 0;
  let c: u32 = 0;
  while (i < n && c < cp) {
    i += runeLen(d, i, n);
    c++;
  }
  return min(i, n);
}

/** substring(s, start, length): code points; a negative length means "to the end". */
export function b_substring(s: usize, start: usize, len: usize): usize {
  if (!str("substring", 1, s)) return 0;
  if (tagOf(start) != TAG_NUMBER) return typeError("substring", 2, "number", start);
  if (tagOf(len) != TAG_NUMBER) return typeError("substring", 3, "number", len);
  let st = numberValue(start);
  let ln = numberValue(len);
  if (st != Math.floor(st)) return typeErrorMessage("substring", "operand 2 must be integer number but got floating-point number");
  if (ln != Math.floor(ln)) return typeErrorMessage("substring", "operand 3 must be integer number but got floating-point number");
  if (st < 0) return builtinError("substring", "negative offset");
  let total = countCodePoints(stringData(s), stringLength(s));
  if (st >= <f64>total) return makeStringFromBytes(0, 0);
  let a = byteOffsetOf(s, <u32>st);
  let b = ln < 0 || st + ln >= <f64>total ? stringLength(s) : byteOffsetOf(s, <u32>(st + ln));
  return makeStringFromBytes(stringData(s) + a, b - a);
}

/** indexof(s, sub): code point index of the first occurrence, -1 when absent. */
export function b_indexof(s: usize, sub: usize): usize {
  if (!str("indexof", 1, s) || !str("indexof", 2, sub)) return 0;
  let at = findBytes(s, sub, 0);
  if (at < 0) return makeNumber(-1);
  return makeNumber(<f64>countCodePoints(stringData(s), <u32>at));
}
