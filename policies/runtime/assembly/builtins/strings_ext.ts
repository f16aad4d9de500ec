// String built-ins beyond the core set: strings.any_prefix_match / any_suffix_match,
// strings.reverse, strings.count, indexof_n, strings.replace_n. Strings are UTF-8; positions
// Rego sees count code points (Go runes), as OPA does.
import {
  tagOf, TAG_STRING, TAG_ARRAY, TAG_SET, TAG_OBJECT, makeBool, makeNumber, allocString, stringData,
  stringLength, makeArray, arrayAppend, collLen, arrayGet, setAt, objectLength, objectKeyAt,
  objectValueAt,
} from "../value";
import { ByteBuffer } from "../json";
import { builtinError, typeError, typeErrorMessage } from "../errors";

function typeName(v: usize): string {
  switch (tagOf(v)) {
    case 1: return "null";
    case 2: return "boolean";
    case 3: return "number";
    case 4: return "string";
    case 5: return "array";
    case 6: return "object";
  }
  return "set";
}

/**
 * Operand that is a string or an array/set of strings, as an array of string values; null after
 * reporting a type error.
 */
function stringList(name: string, pos: i32, v: usize): Array<usize> | null {
  let out = new Array<usize>();
  let t = tagOf(v);
  if (t == TAG_STRING) {
    out.push(v);
    return out;
  }
  if (t != TAG_ARRAY && t != TAG_SET) {
    typeError(name, pos, "one of {string, set, array}", v);
    return null;
  }
  let n = collLen(v);
  for (let i: u32 = 0; i < n; i++) {
    let e = t == TAG_ARRAY ? arrayGet(v, i) : setAt(v, i);
    if (tagOf(e) != TAG_STRING) {
      let coll = t == TAG_ARRAY ? "array" : "set";
      typeErrorMessage(name, "operand " + pos.toString() + " must be " + coll + " of strings but got " + coll + " containing " + typeName(e));
      return null;
    }
    out.push(e);
  }
  return out;
}

function hasPrefix(s: usize, p: usize): bool {
  let n = stringLength(p);
  return n <= stringLength(s) && memory.compare(stringData(s), stringData(p), n) == 0;
}

function hasSuffix(s: usize, p: usize): bool {
  let n = stringLength(p);
  let m = stringLength(s);
  return n <= m && memory.compare(stringData(s) + m - n, stringData(p), n) == 0;
}

function anyMatch(name: string, search: usize, base: usize, suffix: bool): usize {
  let strs = stringList(name, 1, search);
  if (strs === null) return 0;
  let affixes = stringList(name, 2, base);
  if (affixes === null) return 0;
  for (let i = 0; i < strs.length; i++) {
    for (let j = 0; j < affixes.length; j++) {
      if (suffix ? hasSuffix(strs[i], affixes[j]) : hasPrefix(strs[i], affixes[j])) return makeBool(true);
    }
  }
  return makeBool(false);
}

export function b_strings_any_prefix_match(search: usize, base: usize): usize {
  return anyMatch("strings.any_prefix_match", search, base, false);
}

export function b_strings_any_suffix_match(search: usize, base: usize): usize {
  return anyMatch("strings.any_suffix_match", search, base, true);
}

/** Byte length of the UTF-8 sequence starting with byte b (1 for invalid lead bytes). */
function seqLen(b: u8): u32 {
  if (b < 0xc0) return 1;
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 3;
  return 4;
}

export function b_strings_reverse(s: usize): usize {
  if (tagOf(s) != TAG_STRING) return typeError("strings.reverse", 1, "string", s);
  let n = stringLength(s);
  let src = stringData(s);
  let out = allocString(n);
  let dst = stringData(out) + n;
  let i: u32 = 0;
  while (i < n) {
    let k = seqLen(load<u8>(src + i));
    if (i + k > n) k = n - i;
    dst -= k;
    memory.copy(dst, src + i, k);
    i += k;
  }
  return out;
}

/** Byte offset of needle in hay at or after `from`, or -1. */
function find(hay: usize, needle: usize, from: u32): i32 {
  let hn = stringLength(hay);
  let nn = stringLength(needle);
  if (nn > hn) return -1;
  let h = stringData(hay);
  let nd = stringData(needle);
  for (let i = from; i + nn <= hn; i++) {
    if (memory.compare(h + i, nd, nn) == 0) return <i32>i;
  }
  return -1;
}

function codePoints(p: usize, n: u32): u32 {
  let c: u32 = 0;
  for (let i: u32 = 0; i < n; i++) if ((load<u8>(p + i) & 0xc0) != 0x80) c++;
  return c;
}

/** Go's strings.Count: non-overlapping occurrences; an empty needle counts code points + 1. */
export function b_strings_count(s: usize, sub: usize): usize {
  if (tagOf(s) != TAG_STRING) return typeError("strings.count", 1, "string", s);
  if (tagOf(sub) != TAG_STRING) return typeError("strings.count", 2, "string", sub);
  let nn = stringLength(sub);
  if (nn == 0) return makeNumber(<f64>(codePoints(stringData(s), stringLength(s)) + 1));
  let count = 0;
  let at = find(s, sub, 0);
  while (at >= 0) {
    count++;
    at = find(s, sub, <u32>at + nn);
  }
  return makeNumber(<f64>count);
}

/** Every occurrence (overlapping), as code-point indexes. */
export function b_indexof_n(s: usize, sub: usize): usize {
  if (tagOf(s) != TAG_STRING) return typeError("indexof_n", 1, "string", s);
  if (tagOf(sub) != TAG_STRING) return typeError("indexof_n", 2, "string", sub);
  if (stringLength(sub) == 0) return builtinError("indexof_n", "empty search character");
  let out = makeArray(4);
  let d = stringData(s);
  let lastByte: u32 = 0;
  let lastIndex: u32 = 0;
  let at = find(s, sub, 0);
  while (at >= 0) {
    // Code-point index of byte offset `at`, counted incrementally from the previous hit.
    lastIndex += codePoints(d + lastByte, <u32>at - lastByte);
    lastByte = <u32>at;
    arrayAppend(out, makeNumber(<f64>lastIndex));
    // Overlapping: continue one code point further.
    at = find(s, sub, <u32>at + seqLen(load<u8>(d + <u32>at)));
  }
  return out;
}

/**
 * strings.replace_n(patterns, value): one left-to-right pass; at each position the first
 * pattern (in key order) that matches is replaced (Go's strings.Replacer).
 */
export function b_strings_replace_n(patterns: usize, value: usize): usize {
  let name = "strings.replace_n";
  if (tagOf(patterns) != TAG_OBJECT) return typeError(name, 1, "object", patterns);
  if (tagOf(value) != TAG_STRING) return typeError(name, 2, "string", value);
  let n = objectLength(patterns);
  for (let k: u32 = 0; k < n; k++) {
    if (tagOf(objectKeyAt(patterns, k)) != TAG_STRING) return typeError(name, 1, "object[string: string]", objectKeyAt(patterns, k));
    if (tagOf(objectValueAt(patterns, k)) != TAG_STRING) return typeError(name, 1, "object[string: string]", objectValueAt(patterns, k));
  }
  let len = stringLength(value);
  let src = stringData(value);
  let b = new ByteBuffer(<usize>len + 16);
  let i: u32 = 0;
  while (i < len) {
    let hit = false;
    for (let k: u32 = 0; k < n; k++) {
      let from = objectKeyAt(patterns, k);
      let fl = stringLength(from);
      if (fl == 0 || i + fl > len) continue;
      if (memory.compare(src + i, stringData(from), fl) == 0) {
        let to = objectValueAt(patterns, k);
        b.bytes(stringData(to), stringLength(to));
        i += fl;
        hit = true;
        break;
      }
    }
    if (!hit) {
      b.byte(load<u8>(src + i));
      i++;
    }
  }
  let out = allocString(<u32>b.len);
  memory.copy(stringData(out), b.data, b.len);
  return out;
}
