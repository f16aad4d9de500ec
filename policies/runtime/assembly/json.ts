// Strict JSON (RFC 8259) parsing into Rego values and serialisation of Rego values to JSON.
// Objects come out with sorted keys and sets as sorted arrays — the same deterministic output
// OPA produces. Numbers are f64: integers print without a fractional part; integers beyond 2^53
// may lose precision.
import { shortestText } from "./decimal";
import { alloc, realloc } from "./heap";
import {
  tagOf, TAG_NULL, TAG_BOOLEAN, TAG_NUMBER, TAG_STRING, TAG_ARRAY, TAG_OBJECT, TAG_SET,
  makeNull, makeBool, makeNumber, makeNumberWithText, makeStringFromBytes, allocString, boolValue,
  numberValue, numberText, stringLength, stringData,
  makeArray, arrayAppend, arrayLength, arrayGet, makeObject, objectLength, objectKeyAt, objectValueAt,
  setLength, setAt,
} from "./value";
import { appendUnsorted, normalizeSorted } from "./collections";

// ---------------------------------------------------------------- parsing

class Parser {
  pos: usize;
  end: usize;
  failed: bool = false;
  constructor(pos: usize, end: usize) {
    this.pos = pos;
    this.end = end;
  }
}

// @ts-ignore: decorator
@inline function isWs(c: u32): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

function skipWs(p: Parser): void {
  while (p.pos < p.end && isWs(load<u8>(p.pos))) p.pos++;
}

function expectWord(p: Parser, word: string): bool {
  let n = <usize>word.length;
  if (p.end - p.pos < n) return false;
  for (let i: usize = 0; i < n; i++) {
    if (<u32>load<u8>(p.pos + i) != <u32>word.charCodeAt(<i32>i)) return false;
  }
  p.pos += n;
  return true;
}

const MAX_DEPTH: i32 = 1000;

function parseValue(p: Parser, depth: i32): usize {
  if (depth > MAX_DEPTH) return 0;
  skipWs(p);
  if (p.pos >= p.end) return 0;
  let c = <u32>load<u8>(p.pos);
  switch (c) {
    case 0x7b: return parseObject(p, depth); // {
    case 0x5b: return parseArray(p, depth); // [
    case 0x22: return parseString(p); // "
    case 0x74: return expectWord(p, "true") ? makeBool(true) : 0;
    case 0x66: return expectWord(p, "false") ? makeBool(false) : 0;
    case 0x6e: return expectWord(p, "null") ? makeNull() : 0;
  }
  if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber(p);
  return 0;
}

function parseArray(p: Parser, depth: i32): usize {
  p.pos++; // [
  let arr = makeArray(4);
  skipWs(p);
  if (p.pos < p.end && load<u8>(p.pos) == 0x5d) { p.pos++; return arr; }
  while (true) {
    let v = parseValue(p, depth + 1);
    if (v == 0) return 0;
    arrayAppend(arr, v);
    skipWs(p);
    if (p.pos >= p.end) return 0;
    let c = load<u8>(p.pos++);
    if (c == 0x5d) return arr;
    if (c != 0x2c) return 0;
  }
  return 0;
}

function parseObject(p: Parser, depth: i32): usize {
  p.pos++; // {
  let obj = makeObject();
  skipWs(p);
  if (p.pos < p.end && load<u8>(p.pos) == 0x7d) { p.pos++; return obj; }
  while (true) {
    skipWs(p);
    if (p.pos >= p.end || load<u8>(p.pos) != 0x22) return 0;
    let k = parseString(p);
    if (k == 0) return 0;
    skipWs(p);
    if (p.pos >= p.end || load<u8>(p.pos) != 0x3a) return 0;
    p.pos++;
    let v = parseValue(p, depth + 1);
    if (v == 0) return 0;
    appendUnsorted(obj, k, v, 8);
    skipWs(p);
    if (p.pos >= p.end) return 0;
    let c = load<u8>(p.pos++);
    if (c == 0x7d) break;
    if (c != 0x2c) return 0;
  }
  normalizeSorted(obj, 8);
  return obj;
}

function hexDigit(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  if (c >= 0x61 && c <= 0x66) return <i32>(c - 0x61 + 10);
  if (c >= 0x41 && c <= 0x46) return <i32>(c - 0x41 + 10);
  return -1;
}

function readHex4(p: Parser, at: usize): i32 {
  if (at + 4 > p.end) return -1;
  let v: i32 = 0;
  for (let i: usize = 0; i < 4; i++) {
    let d = hexDigit(load<u8>(at + i));
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

function writeUtf8(dst: usize, cp: u32): usize {
  if (cp < 0x80) { store<u8>(dst, <u8>cp); return 1; }
  if (cp < 0x800) {
    store<u8>(dst, <u8>(0xc0 | (cp >> 6)));
    store<u8>(dst + 1, <u8>(0x80 | (cp & 0x3f)));
    return 2;
  }
  if (cp < 0x10000) {
    store<u8>(dst, <u8>(0xe0 | (cp >> 12)));
    store<u8>(dst + 1, <u8>(0x80 | ((cp >> 6) & 0x3f)));
    store<u8>(dst + 2, <u8>(0x80 | (cp & 0x3f)));
    return 3;
  }
  store<u8>(dst, <u8>(0xf0 | (cp >> 18)));
  store<u8>(dst + 1, <u8>(0x80 | ((cp >> 12) & 0x3f)));
  store<u8>(dst + 2, <u8>(0x80 | ((cp >> 6) & 0x3f)));
  store<u8>(dst + 3, <u8>(0x80 | (cp & 0x3f)));
  return 4;
}

function parseString(p: Parser): usize {
  let start = p.pos + 1;
  // First pass: find the closing quote and whether there are escapes.
  let i = start;
  let escaped = false;
  while (true) {
    if (i >= p.end) return 0;
    let c = load<u8>(i);
    if (c == 0x22) break;
    if (c < 0x20) return 0; // control characters must be escaped
    if (c == 0x5c) { escaped = true; i += 2; continue; }
    i++;
  }
  if (i > p.end) return 0;
  let rawLen = <u32>(i - start);
  if (!escaped) {
    let s = allocString(rawLen);
    memory.copy(stringData(s), start, rawLen);
    p.pos = i + 1;
    return s;
  }
  // Escapes only shrink the text (\uXXXX → ≤ 3 bytes, a surrogate pair of 12 → 4 bytes).
  let s = allocString(rawLen);
  let out = stringData(s);
  let w: usize = 0;
  let r = start;
  while (r < i) {
    let c = <u32>load<u8>(r);
    if (c != 0x5c) { store<u8>(out + w, <u8>c); w++; r++; continue; }
    let e = <u32>load<u8>(r + 1);
    r += 2;
    switch (e) {
      case 0x22: store<u8>(out + w++, 0x22); break;
      case 0x5c: store<u8>(out + w++, 0x5c); break;
      case 0x2f: store<u8>(out + w++, 0x2f); break;
      case 0x62: store<u8>(out + w++, 0x08); break;
      case 0x66: store<u8>(out + w++, 0x0c); break;
      case 0x6e: store<u8>(out + w++, 0x0a); break;
      case 0x72: store<u8>(out + w++, 0x0d); break;
      case 0x74: store<u8>(out + w++, 0x09); break;
      case 0x75: {
        let cp = readHex4(p, r);
        if (cp < 0) return 0;
        r += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          // high surrogate: a low one must follow to form a pair, else U+FFFD
          let lo: i32 = -1;
          if (r + 6 <= i && load<u8>(r) == 0x5c && load<u8>(r + 1) == 0x75) lo = readHex4(p, r + 2);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            r += 6;
          } else {
            cp = 0xfffd;
          }
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          cp = 0xfffd;
        }
        w += writeUtf8(out + w, <u32>cp);
        break;
      }
      default: return 0;
    }
  }
  store<u32>(s, <u32>w, 4);
  p.pos = i + 1;
  return s;
}

function isDigit(c: u32): bool {
  return c >= 0x30 && c <= 0x39;
}

function parseNumber(p: Parser): usize {
  let start = p.pos;
  let i = p.pos;
  let neg = false;
  if (i < p.end && load<u8>(i) == 0x2d) { neg = true; i++; }
  if (i >= p.end || !isDigit(load<u8>(i))) return 0;
  // integer part: no leading zeros
  if (load<u8>(i) == 0x30) {
    i++;
    if (i < p.end && isDigit(load<u8>(i))) return 0;
  } else {
    while (i < p.end && isDigit(load<u8>(i))) i++;
  }
  let simple = true;
  if (i < p.end && load<u8>(i) == 0x2e) {
    simple = false;
    i++;
    if (i >= p.end || !isDigit(load<u8>(i))) return 0;
    while (i < p.end && isDigit(load<u8>(i))) i++;
  }
  if (i < p.end && (load<u8>(i) == 0x65 || load<u8>(i) == 0x45)) {
    simple = false;
    i++;
    if (i < p.end && (load<u8>(i) == 0x2b || load<u8>(i) == 0x2d)) i++;
    if (i >= p.end || !isDigit(load<u8>(i))) return 0;
    while (i < p.end && isDigit(load<u8>(i))) i++;
  }
  p.pos = i;
  let digits = i - start - (neg ? 1 : 0);
  if (simple && digits <= 15) {
    // exact: at most 15 decimal digits fit an f64 mantissa
    let v: f64 = 0;
    for (let j = start + (neg ? 1 : 0); j < i; j++) v = v * 10 + <f64>(load<u8>(j) - 0x30);
    return makeNumber(neg ? -v : v);
  }
  let len = <u32>(i - start);
  let value = parseNumberText(start, len);
  // Keep the literal only where f64 may not reproduce it: more than 15 significant digits, or
  // out of f64's range (1e400, and 1e-400 which f64 rounds to 0). "1.0" and "1e3" print as 1 and 1000.
  let significant = significantDigits(start, i);
  if (significant > 15 || !isFinite(value) || (value == 0 && significant > 0)) {
    return makeNumberWithText(value, makeStringFromBytes(start, len));
  }
  return makeNumber(value);
}

/** Mantissa digits of the number literal in [p, end), leading zeros excluded. */
function significantDigits(p: usize, end: usize): u32 {
  let count: u32 = 0;
  let leading = true;
  for (let i = p; i < end; i++) {
    let c = <u32>load<u8>(i);
    if (c == 0x65 || c == 0x45) break; // exponent
    if (!isDigit(c)) continue;
    if (leading && c == 0x30) continue;
    leading = false;
    count++;
  }
  return count;
}

/** f64 value of a validated number literal of n bytes at p. */
export function parseNumberText(p: usize, n: u32): f64 {
  return parseFloat(String.UTF8.decodeUnsafe(p, n, false));
}

/** Parse len bytes of JSON at ptr; 0 on any syntax error or trailing garbage. */
export function parseJSON(ptr: usize, len: usize): usize {
  let p = new Parser(ptr, ptr + len);
  let v = parseValue(p, 0);
  if (v == 0) return 0;
  skipWs(p);
  if (p.pos != p.end) return 0;
  return v;
}

// ---------------------------------------------------------------- serialisation

/** A growable byte buffer on the policy heap (grows in place while it is the last allocation). */
export class ByteBuffer {
  data: usize;
  len: usize = 0;
  cap: usize;
  constructor(cap: usize) {
    this.cap = cap;
    this.data = alloc(cap);
  }
  reserve(extra: usize): void {
    if (this.len + extra <= this.cap) return;
    let newCap = max(this.cap * 2, this.len + extra);
    this.data = realloc(this.data, this.cap, newCap);
    this.cap = newCap;
  }
  byte(b: u32): void {
    this.reserve(1);
    store<u8>(this.data + this.len, <u8>b);
    this.len++;
  }
  bytes(src: usize, n: usize): void {
    this.reserve(n);
    memory.copy(this.data + this.len, src, n);
    this.len += n;
  }
  ascii(s: string): void {
    let n = <usize>s.length;
    this.reserve(n);
    for (let i: usize = 0; i < n; i++) store<u8>(this.data + this.len + i, <u8>s.charCodeAt(<i32>i));
    this.len += n;
  }
}

/** The JSON text of a number: integers without fraction, others shortest round-trip. */
export function formatNumber(n: f64): string {
  if (n == Math.floor(n) && Math.abs(n) < 1e21) {
    if (Math.abs(n) < 9.2e18) return (<i64>n).toString();
  }
  if (!isFinite(n)) return "null"; // unreachable for Rego values; keeps output valid JSON
  return shortestText(n);
}

const HEX = "0123456789abcdef";

function writeString(b: ByteBuffer, s: usize): void {
  let n = stringLength(s);
  let d = stringData(s);
  b.reserve(<usize>n + 2);
  b.byte(0x22);
  let runStart: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    let c = <u32>load<u8>(d + i);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
    b.bytes(d + runStart, i - runStart);
    runStart = i + 1;
    b.byte(0x5c);
    if (c == 0x22) b.byte(0x22);
    else if (c == 0x5c) b.byte(0x5c);
    else if (c == 0x0a) b.byte(0x6e);
    else if (c == 0x0d) b.byte(0x72);
    else if (c == 0x09) b.byte(0x74);
    else if (c == 0x08) b.byte(0x62);
    else if (c == 0x0c) b.byte(0x66);
    else {
      b.ascii("u00");
      b.byte(HEX.charCodeAt(<i32>(c >> 4)));
      b.byte(HEX.charCodeAt(<i32>(c & 15)));
    }
  }
  b.bytes(d + runStart, n - runStart);
  b.byte(0x22);
}

export function writeJSON(b: ByteBuffer, v: usize): void {
  switch (tagOf(v)) {
    case TAG_NULL: b.ascii("null"); return;
    case TAG_BOOLEAN: b.ascii(boolValue(v) ? "true" : "false"); return;
    case TAG_NUMBER: {
      let text = numberText(v);
      if (text != 0) b.bytes(stringData(text), stringLength(text));
      else b.ascii(formatNumber(numberValue(v)));
      return;
    }
    case TAG_STRING: writeString(b, v); return;
    case TAG_ARRAY: {
      b.byte(0x5b);
      let n = arrayLength(v);
      for (let i: u32 = 0; i < n; i++) {
        if (i > 0) b.byte(0x2c);
        writeJSON(b, arrayGet(v, i));
      }
      b.byte(0x5d);
      return;
    }
    case TAG_OBJECT: {
      b.byte(0x7b);
      let n = objectLength(v);
      for (let i: u32 = 0; i < n; i++) {
        if (i > 0) b.byte(0x2c);
        let k = objectKeyAt(v, i);
        if (tagOf(k) == TAG_STRING) {
          writeString(b, k);
        } else {
          // JSON keys must be strings: non-string keys are written as their JSON text, quoted.
          let inner = new ByteBuffer(16);
          writeJSON(inner, k);
          let ks = allocString(<u32>inner.len);
          memory.copy(stringData(ks), inner.data, inner.len);
          writeString(b, ks);
        }
        b.byte(0x3a);
        writeJSON(b, objectValueAt(v, i));
      }
      b.byte(0x7d);
      return;
    }
    case TAG_SET: {
      b.byte(0x5b);
      let n = setLength(v);
      for (let i: u32 = 0; i < n; i++) {
        if (i > 0) b.byte(0x2c);
        writeJSON(b, setAt(v, i));
      }
      b.byte(0x5d);
      return;
    }
  }
}

/** NUL-terminated JSON text of v (address of the first byte). */
export function dumpJSON(v: usize): usize {
  let b = new ByteBuffer(256);
  if (v == 0) b.ascii("null");
  else writeJSON(b, v);
  b.byte(0);
  return b.data;
}

/** JSON text of v as a Rego string value (json.marshal). */
export function marshalJSON(v: usize): usize {
  let b = new ByteBuffer(64);
  writeJSON(b, v);
  let s = allocString(<u32>b.len);
  memory.copy(stringData(s), b.data, b.len);
  return s;
}

