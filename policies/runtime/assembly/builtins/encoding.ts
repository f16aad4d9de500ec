// Encoding built-ins: json.marshal, json.unmarshal, base64.*, base64url.*, hex.*.
// Decoded bytes become a Rego string as they are (OPA does not validate UTF-8 here either).
import { tagOf, TAG_STRING, makeBool, allocString, stringData, stringLength } from "../value";
import { ByteBuffer, marshalJSON, parseJSON } from "../json";
import { builtinError, typeError } from "../errors";

function bufferToString(b: ByteBuffer): usize {
  let out = allocString(<u32>b.len);
  memory.copy(stringData(out), b.data, b.len);
  return out;
}

// ---- json ----

/** json.marshal: compact JSON; like Go's encoding/json, "<", ">" and "&" are \u-escaped. */
export function b_json_marshal(v: usize): usize {
  let s = marshalJSON(v);
  let n = stringLength(s);
  let d = stringData(s);
  let special: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    let c = load<u8>(d + i);
    if (c == 0x3c || c == 0x3e || c == 0x26) special++;
  }
  if (special == 0) return s;
  let b = new ByteBuffer(<usize>n + special * 5);
  for (let i: u32 = 0; i < n; i++) {
    let c = load<u8>(d + i);
    // These bytes only occur inside JSON strings, where \u00XX is the same character.
    if (c == 0x3c) b.ascii("\\u003c");
    else if (c == 0x3e) b.ascii("\\u003e");
    else if (c == 0x26) b.ascii("\\u0026");
    else b.byte(c);
  }
  return bufferToString(b);
}

export function b_json_unmarshal(s: usize): usize {
  if (tagOf(s) != TAG_STRING) return typeError("json.unmarshal", 1, "string", s);
  let v = parseJSON(stringData(s), stringLength(s));
  if (v == 0) return builtinError("json.unmarshal", "invalid JSON text");
  return v;
}

// ---- base64 ----

const STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function encode64(s: usize, alphabet: string, pad: bool): usize {
  let n = stringLength(s);
  let d = stringData(s);
  let b = new ByteBuffer(<usize>((n + 2) / 3) * 4 + 1);
  let i: u32 = 0;
  while (i + 3 <= n) {
    let x = (<u32>load<u8>(d + i) << 16) | (<u32>load<u8>(d + i + 1) << 8) | <u32>load<u8>(d + i + 2);
    b.byte(alphabet.charCodeAt(<i32>(x >> 18)));
    b.byte(alphabet.charCodeAt(<i32>((x >> 12) & 63)));
    b.byte(alphabet.charCodeAt(<i32>((x >> 6) & 63)));
    b.byte(alphabet.charCodeAt(<i32>(x & 63)));
    i += 3;
  }
  let rest = n - i;
  if (rest > 0) {
    let x = <u32>load<u8>(d + i) << 16;
    if (rest == 2) x |= <u32>load<u8>(d + i + 1) << 8;
    b.byte(alphabet.charCodeAt(<i32>(x >> 18)));
    b.byte(alphabet.charCodeAt(<i32>((x >> 12) & 63)));
    if (rest == 2) b.byte(alphabet.charCodeAt(<i32>((x >> 6) & 63)));
    else if (pad) b.byte(0x3d);
    if (pad) b.byte(0x3d);
  }
  return bufferToString(b);
}

function sextet(c: u8, url: bool): i32 {
  if (c >= 0x41 && c <= 0x5a) return <i32>c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return <i32>c - 0x61 + 26;
  if (c >= 0x30 && c <= 0x39) return <i32>c - 0x30 + 52;
  if (c == (url ? 0x2d : 0x2b)) return 62;
  if (c == (url ? 0x5f : 0x2f)) return 63;
  return -1;
}

/** Outcome of decoding: the string value, or 0 and the offending input byte (Go's CorruptInputError). */
class Decoded {
  value: usize = 0;
  errorAt: i32 = -1;
}

function corrupt(at: u32): Decoded {
  let r = new Decoded();
  r.errorAt = <i32>at;
  return r;
}

function isNewline(c: u8): bool {
  return c == 0x0a || c == 0x0d;
}

/** Go's padded base64 decoding (StdEncoding / URLEncoding), including its error positions. */
function decode64(s: usize, url: bool): Decoded {
  let n = stringLength(s);
  let d = stringData(s);
  let b = new ByteBuffer(<usize>(n / 4) * 3 + 3);
  let si: u32 = 0;
  let vals = new StaticArray<u32>(4);
  while (si < n) {
    let j: i32 = 0;
    let dlen: i32 = 4;
    for (; j < 4; j++) {
      if (si == n) {
        if (j == 0) { dlen = 0; break; }
        return corrupt(si - <u32>j);
      }
      let c = load<u8>(d + si);
      si++;
      let x = sextet(c, url);
      if (x >= 0) { vals[j] = <u32>x; continue; }
      if (isNewline(c)) { j--; continue; }
      if (c != 0x3d) return corrupt(si - 1);
      // Padding: "xx==" or "xxx=", then only newlines.
      if (j < 2) return corrupt(si - 1);
      if (j == 2) {
        while (si < n && isNewline(load<u8>(d + si))) si++;
        if (si == n) return corrupt(n);
        if (load<u8>(d + si) != 0x3d) return corrupt(si - 1);
        si++;
      }
      while (si < n && isNewline(load<u8>(d + si))) si++;
      if (si < n) return corrupt(si);
      dlen = j;
      break;
    }
    if (dlen == 0) break;
    for (let k = dlen; k < 4; k++) vals[k] = 0;
    let x = (vals[0] << 18) | (vals[1] << 12) | (vals[2] << 6) | vals[3];
    b.byte((x >> 16) & 255);
    if (dlen >= 3) b.byte((x >> 8) & 255);
    if (dlen == 4) b.byte(x & 255);
  }
  let r = new Decoded();
  r.value = bufferToString(b);
  return r;
}

export function b_base64_encode(s: usize): usize {
  if (tagOf(s) != TAG_STRING) return typeError("base64.encode", 1, "string", s);
  return encode64(s, STD_ALPHABET, true);
}

export function b_base64_decode(s: usize): usize {
  if (tagOf(s) != TAG_STRING) return typeError("base64.decode", 1, "string", s);
  let r = decode64(s, false);
  if (r.errorAt >= 0) return builtinError("base64.decode", "illegal base64 data at input byte " + r.errorAt.toString());
  return r.value;
}

export function b_base64_is_valid(s: usize): usize {
  if (tagOf(s) != TAG_STRING) return makeBool(false);
  return makeBool(decode64(s, false).errorAt < 0);
}

export function b_base64url_encode(s: usize): usize {
  if (tagOf(s) != TAG_STRING) return typeError("base64url.encode", 1, "string", s);
  return encode64(s, URL_ALPHABET, true);
}

export function b_base64url_encode_no_pad(s: usize): usize {
  if (tagOf(s) != TAG_STRING) return typeError("base64url.encode_no_pad", 1, "string", s);
  return encode64(s, URL_ALPHABET, false);
}

/** base64url.decode accepts unpadded input (RFC 7515 appendix C), as OPA does. */
export function b_base64url_decode(s: usize): usize {
  let name = "base64url.decode";
  if (tagOf(s) != TAG_STRING) return typeError(name, 1, "string", s);
  let n = stringLength(s);
  let input = s;
  if (n > 0 && load<u8>(stringData(s) + n - 1) != 0x3d && n % 4 != 0) {
    if (n % 4 == 1) return builtinError(name, "illegal base64url string: " + String.UTF8.decodeUnsafe(stringData(s), n, false));
    let padded = n + (4 - n % 4);
    input = allocString(padded);
    memory.copy(stringData(input), stringData(s), n);
    memory.fill(stringData(input) + n, 0x3d, padded - n);
  }
  let r = decode64(input, true);
  if (r.errorAt >= 0) return builtinError(name, "illegal base64 data at input byte " + r.errorAt.toString());
  return r.value;
}

// ---- hex ----

const HEX_DIGITS = "0123456789abcdef";

export function b_hex_encode(s: usize): usize {
  if (tagOf(s) != TAG_STRING) return typeError("hex.encode", 1, "string", s);
  let n = stringLength(s);
  let d = stringData(s);
  let out = allocString(n * 2);
  let o = stringData(out);
  for (let i: u32 = 0; i < n; i++) {
    let c = load<u8>(d + i);
    store<u8>(o + 2 * i, <u8>HEX_DIGITS.charCodeAt(c >> 4));
    store<u8>(o + 2 * i + 1, <u8>HEX_DIGITS.charCodeAt(c & 15));
  }
  return out;
}

function hexValue(c: u8): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>c - 0x30;
  if (c >= 0x61 && c <= 0x66) return <i32>c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return <i32>c - 0x41 + 10;
  return -1;
}

export function b_hex_decode(s: usize): usize {
  let name = "hex.decode";
  if (tagOf(s) != TAG_STRING) return typeError(name, 1, "string", s);
  let n = stringLength(s);
  let d = stringData(s);
  for (let i: u32 = 0; i < n; i++) {
    if (hexValue(load<u8>(d + i)) < 0) {
      let ch = String.UTF8.decodeUnsafe(d + i, min<u32>(4, n - i), false);
      let cp = ch.codePointAt(0);
      let hex = cp.toString(16).toUpperCase();
      while (hex.length < 4) hex = "0" + hex;
      return builtinError(name, "encoding/hex: invalid byte: U+" + hex + " '" + String.fromCodePoint(cp) + "'");
    }
  }
  if (n % 2 != 0) return builtinError(name, "encoding/hex: odd length hex string");
  let out = allocString(n / 2);
  let o = stringData(out);
  for (let i: u32 = 0; i < n; i += 2) {
    store<u8>(o + i / 2, <u8>((hexValue(load<u8>(d + i)) << 4) | hexValue(load<u8>(d + i + 1))));
  }
  return out;
}

