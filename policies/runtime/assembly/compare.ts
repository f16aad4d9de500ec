// Rego's total order over values (null < boolean < number < string < array < object < set) and
// equality (1 == 1.0: numbers compare by value). Objects compare entry by entry in sorted key
// order (key first, then value), then by size; sets member by member in sorted order, then size.
import {
  tagOf, TAG_NULL, TAG_BOOLEAN, TAG_NUMBER, TAG_STRING, TAG_ARRAY, TAG_OBJECT, TAG_SET,
  boolValue, numberValue, numberText, stringLength, stringData, collLen, arrayGet, objectKeyAt, objectValueAt, setAt,
} from "./value";
import { compareNumberValues } from "./decimal";

function cmpU32(a: u32, b: u32): i32 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Byte-wise comparison of two UTF-8 strings (= code point order). */
export function compareStrings(a: usize, b: usize): i32 {
  let la = stringLength(a);
  let lb = stringLength(b);
  let n = min(la, lb);
  let pa = stringData(a);
  let pb = stringData(b);
  for (let i: u32 = 0; i < n; i++) {
    let ca = load<u8>(pa + i);
    let cb = load<u8>(pb + i);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return cmpU32(la, lb);
}

/** Numbers compare by value, exactly (see decimal.ts): f64 first, literals on a tie. */
export function compareNumbers(a: usize, b: usize): i32 {
  return compareNumberValues(a, b);
}

/** Total-order comparison: negative, zero or positive. Both values must be defined. */
export function compare(a: usize, b: usize): i32 {
  if (a == b) return 0;
  let ta = tagOf(a);
  let tb = tagOf(b);
  if (ta != tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case TAG_NULL: return 0;
    case TAG_BOOLEAN: {
      let x = <i32>boolValue(a);
      let y = <i32>boolValue(b);
      return x - y;
    }
    case TAG_NUMBER: return compareNumbers(a, b);
    case TAG_STRING: return compareStrings(a, b);
    case TAG_ARRAY: {
      let la = collLen(a);
      let lb = collLen(b);
      let n = min(la, lb);
      for (let i: u32 = 0; i < n; i++) {
        let c = compare(arrayGet(a, i), arrayGet(b, i));
        if (c != 0) return c;
      }
      return cmpU32(la, lb);
    }
    case TAG_OBJECT: {
      let la = collLen(a);
      let lb = collLen(b);
      let n = min(la, lb);
      for (let i: u32 = 0; i < n; i++) {
        let c = compare(objectKeyAt(a, i), objectKeyAt(b, i));
        if (c != 0) return c;
        c = compare(objectValueAt(a, i), objectValueAt(b, i));
        if (c != 0) return c;
      }
      return cmpU32(la, lb);
    }
    case TAG_SET: {
      let la = collLen(a);
      let lb = collLen(b);
      let n = min(la, lb);
      for (let i: u32 = 0; i < n; i++) {
        let c = compare(setAt(a, i), setAt(b, i));
        if (c != 0) return c;
      }
      return cmpU32(la, lb);
    }
  }
  return 0;
}

/** Rego equality of two defined values. */
export function equal(a: usize, b: usize): bool {
  if (a == b) return true;
  let ta = tagOf(a);
  if (ta != tagOf(b)) return false;
  if (ta == TAG_NUMBER) return compareNumbers(a, b) == 0;
  if (ta == TAG_STRING) {
    let n = stringLength(a);
    if (n != stringLength(b)) return false;
    return memory.compare(stringData(a), stringData(b), n) == 0;
  }
  if (ta >= TAG_ARRAY && collLen(a) != collLen(b)) return false;
  return compare(a, b) == 0;
}
