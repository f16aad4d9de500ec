// Exact decimal view of Rego numbers. Rego numbers have arbitrary precision (OPA keeps the
// literal and does integer arithmetic with big.Int); a runtime number is an f64 plus, where f64
// cannot hold it, the literal text. This module gives the exact value of either form so that
// comparison is exact for every literal (1e400 > 1e399, 0.1234567890123456789 > ...788) and
// + - * % / on integers stay exact beyond 2^53 (sum, product, abs and sprintf build on it).
import { makeNumber, makeNumberWithText, makeString, numberText, numberValue, stringToAS } from "./value";

/** (-1)^neg × digits × 10^exp; digits little-endian (digits[0] is the units digit), 0 = no digits. */
export class Dec {
  neg: bool = false;
  digits: Array<i32> = new Array<i32>();
  exp: i32 = 0;

  isZero(): bool { return this.digits.length == 0; }
  /** Integral after normalisation (no fractional digits). */
  isInteger(): bool { return this.isZero() || this.exp >= 0; }
}

/** Drops leading zeros and moves trailing zeros into the exponent; zero has no sign. */
function normalise(d: Dec): Dec {
  let ds = d.digits;
  while (ds.length > 0 && ds[ds.length - 1] == 0) ds.pop();
  let lead = 0;
  while (lead < ds.length && ds[lead] == 0) lead++;
  if (lead > 0) { d.digits = ds.slice(lead); d.exp += lead; }
  if (d.digits.length == 0) { d.neg = false; d.exp = 0; }
  return d;
}

/** A JSON/Rego number literal ("-12.50e+3", "1e+25" as f64.toString writes it). */
export function parseDec(s: string): Dec {
  let d = new Dec();
  let i = 0;
  let n = s.length;
  if (i < n && s.charCodeAt(i) == 0x2d) { d.neg = true; i++; }
  else if (i < n && s.charCodeAt(i) == 0x2b) i++;
  let big = new Array<i32>(); // most significant first
  let fraction = 0;
  let inFraction = false;
  for (; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c == 0x2e) { inFraction = true; continue; }
    if (c < 0x30 || c > 0x39) break;
    big.push(c - 0x30);
    if (inFraction) fraction++;
  }
  let e = 0;
  if (i < n && (s.charCodeAt(i) == 0x65 || s.charCodeAt(i) == 0x45)) {
    i++;
    let eneg = false;
    if (i < n && (s.charCodeAt(i) == 0x2b || s.charCodeAt(i) == 0x2d)) { eneg = s.charCodeAt(i) == 0x2d; i++; }
    for (; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      if (e < 100000000) e = e * 10 + (c - 0x30);
    }
    if (eneg) e = -e;
  }
  big.reverse();
  d.digits = big;
  d.exp = e - fraction;
  return normalise(d);
}

/** The decimal an f64 denotes in its shortest round-trip form (what OPA prints for it). */
export function decFromF64(x: f64): Dec {
  if (x == Math.floor(x) && Math.abs(x) < 9.0e15) return parseDec((<i64>x).toString());
  return parseDec(x.toString());
}

/** Exact value of a number value: its literal when it has one, else its f64. */
export function decOf(v: usize): Dec {
  let t = numberText(v);
  if (t != 0) return parseDec(stringToAS(t));
  return decFromF64(numberValue(v));
}

function digitAt(d: Dec, pos: i32): i32 {
  let i = pos - d.exp;
  return i >= 0 && i < d.digits.length ? d.digits[i] : 0;
}

function compareMagnitude(a: Dec, b: Dec): i32 {
  if (a.isZero() || b.isZero()) return a.isZero() ? (b.isZero() ? 0 : -1) : 1;
  let ta = a.exp + a.digits.length - 1;
  let tb = b.exp + b.digits.length - 1;
  if (ta != tb) return ta < tb ? -1 : 1;
  let low = min(a.exp, b.exp);
  for (let p = ta; p >= low; p--) {
    let x = digitAt(a, p);
    let y = digitAt(b, p);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

export function compareDec(a: Dec, b: Dec): i32 {
  let sa = a.isZero() ? 0 : a.neg ? -1 : 1;
  let sb = b.isZero() ? 0 : b.neg ? -1 : 1;
  if (sa != sb) return sa < sb ? -1 : 1;
  let c = compareMagnitude(a, b);
  return sa < 0 ? -c : c;
}

// ---- integer magnitudes (little-endian decimal digits, exponent 0) ----

/** The integer's digits with the exponent expanded (d must be an integer). */
function intDigits(d: Dec): Array<i32> {
  let out = new Array<i32>();
  for (let i = 0; i < d.exp; i++) out.push(0);
  for (let i = 0; i < d.digits.length; i++) out.push(d.digits[i]);
  return out;
}

function cmpMag(a: Array<i32>, b: Array<i32>): i32 {
  if (a.length != b.length) return a.length < b.length ? -1 : 1;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

function trim(a: Array<i32>): Array<i32> {
  while (a.length > 0 && a[a.length - 1] == 0) a.pop();
  return a;
}

function addMag(a: Array<i32>, b: Array<i32>): Array<i32> {
  let out = new Array<i32>();
  let carry = 0;
  let n = max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let s = (i < a.length ? a[i] : 0) + (i < b.length ? b[i] : 0) + carry;
    out.push(s % 10);
    carry = s / 10;
  }
  if (carry > 0) out.push(carry);
  return out;
}

/** a - b for a >= b. */
function subMag(a: Array<i32>, b: Array<i32>): Array<i32> {
  let out = new Array<i32>();
  let borrow = 0;
  for (let i = 0; i < a.length; i++) {
    let s = a[i] - (i < b.length ? b[i] : 0) - borrow;
    borrow = s < 0 ? 1 : 0;
    out.push(s < 0 ? s + 10 : s);
  }
  return trim(out);
}

function mulMag(a: Array<i32>, b: Array<i32>): Array<i32> {
  if (a.length == 0 || b.length == 0) return new Array<i32>();
  let out = new Array<i32>(a.length + b.length);
  for (let i = 0; i < a.length; i++) {
    let carry = 0;
    for (let j = 0; j < b.length; j++) {
      let s = out[i + j] + a[i] * b[j] + carry;
      out[i + j] = s % 10;
      carry = s / 10;
    }
    let k = i + b.length;
    while (carry > 0) {
      let s = out[k] + carry;
      out[k] = s % 10;
      carry = s / 10;
      k++;
    }
  }
  return trim(out);
}

/** Truncated division of magnitudes: [quotient, remainder]; b must be non-zero. */
function divModMag(a: Array<i32>, b: Array<i32>): Array<Array<i32>> {
  let q = new Array<i32>(a.length);
  let r = new Array<i32>();
  for (let i = a.length - 1; i >= 0; i--) {
    r.unshift(a[i]);
    trim(r);
    let count = 0;
    while (cmpMag(r, b) >= 0) { r = subMag(r, b); count++; }
    q[i] = count;
  }
  return [trim(q), r];
}

// ---- number values from exact integers ----

/** A number value for the integer (-1)^neg × mag: exact f64 when it fits, else f64 + literal. */
function intNumber(neg: bool, mag: Array<i32>): usize {
  trim(mag);
  if (mag.length == 0) return makeNumber(0);
  let s = neg ? "-" : "";
  for (let i = mag.length - 1; i >= 0; i--) s += String.fromCharCode(0x30 + mag[i]);
  let f = parseFloat(s);
  if (mag.length <= 15) return makeNumber(f);
  return makeNumberWithText(f, makeString(s));
}

export const OP_ADD: i32 = 0;
export const OP_SUB: i32 = 1;
export const OP_MUL: i32 = 2;
export const OP_REM: i32 = 3;
export const OP_DIV: i32 = 4;

const SAFE: f64 = 9007199254740992.0; // 2^53: every integer below is exact in f64

/** An f64 operation on integers already exact in f64 (and with an exact result) needs no decimals. */
function f64Suffices(a: usize, b: usize, op: i32): bool {
  if (numberText(a) != 0 || numberText(b) != 0) return false;
  let x = numberValue(a);
  let y = numberValue(b);
  if (x != Math.floor(x) || y != Math.floor(y)) return true; // a float operand: f64 arithmetic
  if (Math.abs(x) >= SAFE || Math.abs(y) >= SAFE) return false;
  if (op == OP_MUL) return Math.abs(x * y) < SAFE;
  if (op == OP_ADD) return Math.abs(x + y) < SAFE;
  if (op == OP_SUB) return Math.abs(x - y) < SAFE;
  return true; // remainders and quotients of safe integers are exact in f64
}

/**
 * Exact a op b when both numbers are integers that f64 cannot handle exactly; 0 when f64
 * arithmetic is right (floats, or small integers). For OP_DIV also 0 when the quotient is not
 * an integer (OPA divides exactly only when the divisor divides the dividend). b is non-zero
 * for OP_REM and OP_DIV.
 */
export function exactIntegerOp(op: i32, a: usize, b: usize): usize {
  if (f64Suffices(a, b, op)) return 0;
  let da = decOf(a);
  let db = decOf(b);
  if (!da.isInteger() || !db.isInteger()) return 0;
  let x = intDigits(da);
  let y = intDigits(db);
  let xn = da.neg;
  let yn = op == OP_SUB ? !db.neg && !db.isZero() : db.neg;
  if (op == OP_ADD || op == OP_SUB) {
    if (xn == yn) return intNumber(xn, addMag(x, y));
    let c = cmpMag(x, y);
    if (c == 0) return makeNumber(0);
    return c > 0 ? intNumber(xn, subMag(x, y)) : intNumber(yn, subMag(y, x));
  }
  if (op == OP_MUL) return intNumber(xn != yn, mulMag(x, y));
  let qr = divModMag(x, y);
  if (op == OP_REM) return intNumber(xn, qr[1]); // Go's Rem: the sign follows the dividend
  if (qr[1].length != 0) return 0;
  return intNumber(xn != yn, qr[0]);
}

/** Is the number value integral (exactly, by its literal when it has one)? */
export function isIntegral(v: usize): bool {
  if (numberText(v) == 0) {
    let x = numberValue(v);
    return x == Math.floor(x);
  }
  return decOf(v).isInteger();
}

/** |v| for numbers carrying a literal (exact); 0 when f64 abs is exact. */
export function exactAbs(v: usize): usize {
  if (numberText(v) == 0 && Math.abs(numberValue(v)) < SAFE) return 0;
  let d = decOf(v);
  if (!d.neg) return v;
  if (!d.isInteger()) return 0;
  return intNumber(false, intDigits(d));
}

/** Exact order of two numbers: f64 decides unless the values tie and a literal is involved. */
export function compareNumberValues(a: usize, b: usize): i32 {
  let x = numberValue(a);
  let y = numberValue(b);
  if (x < y) return -1;
  if (x > y) return 1;
  if (numberText(a) == 0 && numberText(b) == 0) return 0;
  return compareDec(decOf(a), decOf(b));
}

/** The integer literal of a number written with plain digits ("-123"), or null. */
export function integerLiteral(v: usize): string | null {
  let t = numberText(v);
  if (t == 0) return null;
  let s = stringToAS(t);
  let start = s.length > 0 && s.charCodeAt(0) == 0x2d ? 1 : 0;
  if (start >= s.length) return null;
  for (let i = start; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
  }
  return s;
}

/** a + b of two numbers: exact on integers (beyond 2^53 too), f64 otherwise. */
export function numberPlus(a: usize, b: usize): usize {
  let exact = exactIntegerOp(OP_ADD, a, b);
  return exact != 0 ? exact : makeNumber(numberValue(a) + numberValue(b));
}

/** a * b of two numbers: exact on integers (beyond 2^53 too), f64 otherwise. */
export function numberMul(a: usize, b: usize): usize {
  let exact = exactIntegerOp(OP_MUL, a, b);
  return exact != 0 ? exact : makeNumber(numberValue(a) * numberValue(b));
}

// ---- shortest round-trip digits of an f64 ----

/** Significant digits (most significant first) and decimal point position: value = 0.D × 10^dp. */
export class ShortestDigits {
  digits: string = "0";
  dp: i32 = 1;
}

function mulSmall(mag: Array<i32>, k: i32): void {
  let carry = 0;
  for (let i = 0; i < mag.length; i++) {
    let s = mag[i] * k + carry;
    mag[i] = s % 10;
    carry = s / 10;
  }
  while (carry > 0) { mag.push(carry % 10); carry /= 10; }
}

/**
 * The shortest digits that read back as x (x finite, > 0), the closest such when several have
 * that length — what Go's strconv (and so OPA) prints. AssemblyScript's own dtoa is Grisu2,
 * which is not always shortest nor closest (100/3 → 33.333333333333339 instead of ...336).
 */
export function shortestDigits(x: f64): ShortestDigits {
  let bits = reinterpret<u64>(x);
  let be = <i32>((bits >> 52) & 0x7ff);
  let m = bits & 0xfffffffffffff;
  let e2: i32;
  if (be == 0) e2 = -1074; else { m |= (<u64>1) << 52; e2 = be - 1075; }
  let mag = new Array<i32>();
  while (m > 0) { mag.push(<i32>(m % 10)); m /= 10; }
  let e10 = 0;
  if (e2 >= 0) { for (let i = 0; i < e2; i++) mulSmall(mag, 2); }
  else { for (let i = 0; i < -e2; i++) mulSmall(mag, 5); e10 = e2; }
  // Exact value: digits (mag, most significant last) × 10^e10.
  let len = mag.length;
  let out = new ShortestDigits();
  for (let n = 1; n <= 17; n++) {
    let rounded = roundMag(mag, n);
    let dp = len + e10 + (rounded.length > n ? 1 : 0);
    let text = rounded.substring(0, n);
    if (parseFloat(text + "e" + (dp - n).toString()) == x) {
      let end = text.length;
      while (end > 1 && text.charCodeAt(end - 1) == 0x30) end--;
      out.digits = text.substring(0, end);
      out.dp = dp;
      return out;
    }
  }
  return out;
}

/** The n most significant digits of mag (LE), rounded half to even; one longer on carry-out. */
function roundMag(mag: Array<i32>, n: i32): string {
  let len = mag.length;
  let top = new Array<i32>(); // most significant first
  for (let i = len - 1; i >= 0 && top.length < n; i--) top.push(mag[i]);
  while (top.length < n) top.push(0);
  let cut = len - n; // index (LE) of the first dropped digit + 1
  let roundUp = false;
  if (cut > 0) {
    let first = mag[cut - 1];
    if (first > 5) roundUp = true;
    else if (first == 5) {
      let rest = false;
      for (let i = cut - 2; i >= 0; i--) if (mag[i] != 0) { rest = true; break; }
      roundUp = rest || (top[n - 1] % 2 == 1);
    }
  }
  if (roundUp) {
    let i = n - 1;
    while (i >= 0) {
      if (top[i] == 9) { top[i] = 0; i--; } else { top[i]++; break; }
    }
    if (i < 0) top.unshift(1);
  }
  let s = "";
  for (let i = 0; i < top.length; i++) s += String.fromCharCode(0x30 + top[i]);
  return s;
}

/** JavaScript-style text of a non-integral or huge finite f64 from its shortest digits. */
export function shortestText(x: f64): string {
  if (x == 0) return "0";
  let neg = x < 0;
  let d = shortestDigits(Math.abs(x));
  let ds = d.digits;
  let n = ds.length;
  let s: string;
  if (d.dp > 21 || d.dp < -5) {
    // d.d…e±X
    let e = d.dp - 1;
    s = ds.substring(0, 1) + (n > 1 ? "." + ds.substring(1) : "") + "e" + (e >= 0 ? "+" : "-") + abs(e).toString();
  } else if (d.dp <= 0) {
    s = "0.";
    for (let i = 0; i < -d.dp; i++) s += "0";
    s += ds;
  } else if (d.dp >= n) {
    s = ds;
    for (let i = n; i < d.dp; i++) s += "0";
  } else {
    s = ds.substring(0, d.dp) + "." + ds.substring(d.dp);
  }
  return neg ? "-" + s : s;
}
