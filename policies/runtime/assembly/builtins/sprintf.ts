// sprintf(format, values) in the module, with the semantics OPA gets from Go's fmt.Sprintf:
// OPA passes integral numbers as Go ints (or big.Int beyond int64), other numbers as float64,
// strings as strings, and every other value as its Rego text (`[1, "a"]`, `{"a": 1}`,
// `set()`, `true`, `null`) — so `%v` of an object prints Rego syntax and `%s` of a number
// prints Go's "%!s(int=5)". The SDK's JavaScript sprintf differs from that (and crashes on
// null), which is why this one takes the name over in the built-in registry.
// Supported: verbs v d s q x X o O b c U e E f F g G t T and %%, flags + - # 0 space, width,
// precision. Not supported: argument indexes (%[1]d) and * widths.
import {
  tagOf, TAG_NULL, TAG_BOOLEAN, TAG_NUMBER, TAG_STRING, TAG_ARRAY, TAG_OBJECT, boolValue, numberValue,
  stringToAS, makeString, arrayLength, numberText as valueNumberText, arrayGet, objectLength, objectKeyAt, objectValueAt, setLength, setAt,
} from "../value";
import { formatNumber, marshalJSON } from "../json";
import { typeError } from "../errors";
import { integerLiteral, shortestDigits } from "../decimal";

// ---- Rego text of a value (ast.Value.String()) ----

function quoted(v: usize): string {
  // JSON string syntax matches Go's strconv.Quote for printable text.
  return stringToAS(marshalJSON(v));
}

export function regoText(v: usize): string {
  switch (tagOf(v)) {
    case TAG_NULL: return "null";
    case TAG_BOOLEAN: return boolValue(v) ? "true" : "false";
    case TAG_NUMBER: return numberValueText(v);
    case TAG_STRING: return quoted(v);
    case TAG_ARRAY: {
      let parts = new Array<string>();
      for (let i: u32 = 0; i < arrayLength(v); i++) parts.push(regoText(arrayGet(v, i)));
      return "[" + parts.join(", ") + "]";
    }
    case TAG_OBJECT: {
      let parts = new Array<string>();
      for (let i: u32 = 0; i < objectLength(v); i++) {
        parts.push(regoText(objectKeyAt(v, i)) + ": " + regoText(objectValueAt(v, i)));
      }
      return "{" + parts.join(", ") + "}";
    }
  }
  let n = setLength(v);
  if (n == 0) return "set()";
  let parts = new Array<string>();
  for (let i: u32 = 0; i < n; i++) parts.push(regoText(setAt(v, i)));
  return "{" + parts.join(", ") + "}";
}

// ---- Go argument model ----

const KIND_INT: i32 = 0;     // Go int (fits int64)
const KIND_BIGINT: i32 = 1;  // *big.Int (integral, beyond int64)
const KIND_FLOAT: i32 = 2;   // float64
const KIND_STRING: i32 = 3;  // string (Rego strings and the Rego text of other values)

class GoArg {
  kind: i32 = KIND_STRING;
  i: i64 = 0;
  f: f64 = 0;
  s: string = "";
}

function goArg(v: usize): GoArg {
  let a = new GoArg();
  let t = tagOf(v);
  if (t == TAG_NUMBER) {
    let n = numberValue(v);
    // OPA passes an integer literal as *big.Int, any other literal f64 cannot hold as its text.
    let literal = integerLiteral(v);
    if (literal != null && Math.abs(n) >= 9007199254740992.0) {
      a.kind = KIND_BIGINT;
      a.f = n;
      a.s = literal;
    } else if (!isFinite(n) && valueNumberText(v) != 0) {
      a.kind = KIND_STRING;
      a.s = stringToAS(valueNumberText(v));
    } else if (valueNumberText(v) != 0 && literal == null) {
      // A literal such as 1e30 or 0.1234567890123456789 is not an integer literal: Go gets a float64.
      a.kind = KIND_FLOAT;
      a.f = n;
    } else if (n == Math.floor(n) && isFinite(n)) {
      if (n >= -9.223372036854775808e18 && n < 9.223372036854775808e18) {
        a.kind = KIND_INT;
        a.i = <i64>n;
      } else {
        a.kind = KIND_BIGINT;
        a.f = n;
        a.s = numberText(n);
      }
    } else {
      a.kind = KIND_FLOAT;
      a.f = n;
    }
  } else if (t == TAG_STRING) {
    a.s = stringToAS(v);
  } else {
    a.s = regoText(v);
  }
  return a;
}

function goTypeName(a: GoArg): string {
  if (a.kind == KIND_INT) return "int";
  if (a.kind == KIND_BIGINT) return "*big.Int";
  if (a.kind == KIND_FLOAT) return "float64";
  return "string";
}

// ---- number rendering ----

const DIGITS = "0123456789abcdef";

function uintToString(u: u64, base: u32, upper: bool): string {
  if (u == 0) return "0";
  let s = "";
  while (u > 0) {
    let d = <i32>(u % <u64>base);
    let c = DIGITS.charAt(d);
    s = (upper ? c.toUpperCase() : c) + s;
    u /= <u64>base;
  }
  return s;
}

/** Shortest round-trip decimal digits and exponent of |x| (x finite, non-zero): x = 0.d1d2... × 10^dp. */
class Decimal {
  digits: string = "";
  dp: i32 = 0;
}

function shortestDecimal(x: f64): Decimal {
  if (x != 0 && isFinite(x)) {
    // Go's shortest digits (AssemblyScript's toString is not always shortest).
    let sd = shortestDigits(Math.abs(x));
    let r = new Decimal();
    r.digits = sd.digits;
    r.dp = sd.dp;
    return r;
  }
  let s = Math.abs(x).toString(); // e.g. "1234.5", "1.5e+21", "1e-7"
  let exp = 0;
  let e = s.indexOf("e");
  if (e >= 0) {
    exp = I32.parseInt(s.substring(e + 1));
    s = s.substring(0, e);
  }
  let dot = s.indexOf(".");
  let intPart = dot >= 0 ? s.substring(0, dot) : s;
  let frac = dot >= 0 ? s.substring(dot + 1) : "";
  let digits = intPart + frac;
  let dp = intPart.length + exp;
  // Strip leading zeros ("0.00123" → "123", dp adjusted) and trailing zeros.
  let lead = 0;
  while (lead < digits.length - 1 && digits.charAt(lead) == "0") lead++;
  digits = digits.substring(lead);
  dp -= lead;
  let end = digits.length;
  while (end > 1 && digits.charAt(end - 1) == "0") end--;
  let d = new Decimal();
  d.digits = digits.substring(0, end);
  d.dp = dp;
  return d;
}

/** Round a decimal to n significant digits (n >= 1), half away from zero on the shortest digits. */
function roundDigits(d: Decimal, n: i32): Decimal {
  let r = new Decimal();
  r.dp = d.dp;
  if (d.digits.length <= n) {
    r.digits = d.digits;
    return r;
  }
  let kept = d.digits.substring(0, n);
  if (d.digits.charCodeAt(n) >= 0x35) {
    // Increment kept digits, propagating the carry.
    let chars = new Array<i32>();
    for (let i = 0; i < kept.length; i++) chars.push(kept.charCodeAt(i) - 0x30);
    let i = chars.length - 1;
    while (i >= 0) {
      chars[i]++;
      if (chars[i] < 10) break;
      chars[i] = 0;
      i--;
    }
    let s = "";
    if (i < 0) {
      s = "1";
      r.dp++;
    }
    for (let j = 0; j < chars.length; j++) s += String.fromCharCode(0x30 + chars[j]);
    if (i < 0) s = s.substring(0, n);
    kept = s;
  }
  r.digits = kept;
  return r;
}

function padZeros(s: string, n: i32): string {
  while (s.length < n) s += "0";
  return s;
}

/** %e body for |x| with `prec` digits after the point (-1: shortest). */
function fmtE(x: f64, prec: i32, upper: bool): string {
  let d: Decimal;
  if (x == 0) {
    d = new Decimal();
    d.digits = "0";
    d.dp = 1;
  } else {
    d = shortestDecimal(x);
    if (prec >= 0) d = roundDigits(d, prec + 1);
  }
  let digits = prec >= 0 ? padZeros(d.digits, prec + 1) : d.digits;
  let exp = x == 0 ? 0 : d.dp - 1;
  let s = digits.substring(0, 1);
  if (digits.length > 1) s += "." + digits.substring(1);
  let ae = exp < 0 ? -exp : exp;
  s += (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + (ae < 10 ? "0" : "") + ae.toString();
  return s;
}

/** %f body for |x| with `prec` digits after the point (-1: shortest). */
function fmtF(x: f64, prec: i32): string {
  if (x == 0) return prec > 0 ? "0." + padZeros("", prec) : "0";
  let d = shortestDecimal(x);
  if (prec >= 0) {
    let sig = d.dp + prec;
    if (sig <= 0) {
      // Rounds to zero, or to one unit in the last place.
      let up = sig == 0 && d.digits.charCodeAt(0) >= 0x35;
      let fracDigits = padZeros("", prec);
      if (up) fracDigits = prec > 0 ? padZeros("", prec - 1) + "1" : "";
      if (prec == 0) return up ? "1" : "0";
      return "0." + fracDigits;
    }
    d = roundDigits(d, sig);
  }
  let digits = d.digits;
  let intPart: string;
  let frac: string;
  if (d.dp <= 0) {
    intPart = "0";
    frac = padZeros("", -d.dp) + digits;
  } else if (d.dp >= digits.length) {
    intPart = padZeros(digits, d.dp);
    frac = "";
  } else {
    intPart = digits.substring(0, d.dp);
    frac = digits.substring(d.dp);
  }
  if (prec >= 0) frac = padZeros(frac, prec).substring(0, prec);
  return frac.length > 0 ? intPart + "." + frac : intPart;
}

/** %g / %v body: shortest (prec -1) or `prec` significant digits, exponent form for large/small. */
function fmtG(x: f64, prec: i32, upper: bool, sharp: bool): string {
  if (x == 0) return "0";
  let d = shortestDecimal(x);
  let eprec = prec;
  if (prec == 0) prec = 1;
  if (prec > 0) {
    d = roundDigits(d, prec);
    eprec = prec;
    if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
  } else {
    eprec = 6;
  }
  if (sharp && prec > 0) d.digits = padZeros(d.digits, prec);
  let exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    let s = d.digits.substring(0, 1);
    if (d.digits.length > 1) s += "." + d.digits.substring(1);
    let ae = exp < 0 ? -exp : exp;
    return s + (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + (ae < 10 ? "0" : "") + ae.toString();
  }
  if (d.dp <= 0) return "0." + padZeros("", -d.dp) + d.digits;
  if (d.dp >= d.digits.length) return padZeros(d.digits, d.dp);
  return d.digits.substring(0, d.dp) + "." + d.digits.substring(d.dp);
}

/** Rego text of a number value: its literal when it carries one, else its f64 printed. */
function numberValueText(v: usize): string {
  let t = valueNumberText(v);
  return t != 0 ? stringToAS(t) : numberText(numberValue(v));
}

/** Decimal text of a number as OPA prints it: integers in full (no exponent, no ".0"). */
function numberText(n: f64): string {
  if (!isFinite(n)) return n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN";
  if (n == Math.floor(n) && Math.abs(n) >= 1e15) {
    let d = shortestDecimal(n);
    return (n < 0 ? "-" : "") + padZeros(d.digits, d.dp);
  }
  return formatNumber(n);
}

// ---- the formatter ----

class Spec {
  plus: bool = false;
  minus: bool = false;
  sharp: bool = false;
  zero: bool = false;
  space: bool = false;
  width: i32 = -1;
  prec: i32 = -1;
}

function runeCount(s: string): i32 {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

function pad(s: string, spec: Spec, numeric: bool): string {
  let n = runeCount(s);
  if (spec.width <= n) return s;
  let fill = spec.width - n;
  if (spec.minus) {
    for (let i = 0; i < fill; i++) s += " ";
    return s;
  }
  if (spec.zero && !(numeric && spec.prec >= 0 && false)) {
    // Zero padding goes after a sign.
    let sign = "";
    if (numeric && s.length > 0 && (s.charAt(0) == "-" || s.charAt(0) == "+" || s.charAt(0) == " ")) {
      sign = s.charAt(0);
      s = s.substring(1);
    }
    let z = "";
    for (let i = 0; i < fill; i++) z += "0";
    return sign + z + s;
  }
  let sp = "";
  for (let i = 0; i < fill; i++) sp += " ";
  return sp + s;
}

function signed(body: string, negative: bool, spec: Spec): string {
  if (negative) return "-" + body;
  if (spec.plus) return "+" + body;
  if (spec.space) return " " + body;
  return body;
}

function badVerb(verb: string, a: GoArg): string {
  return "%!" + verb + "(" + goTypeName(a) + "=" + plainValue(a) + ")";
}

function plainValue(a: GoArg): string {
  if (a.kind == KIND_INT) return a.i.toString();
  if (a.kind == KIND_BIGINT) return a.s;
  // fmtG renders the magnitude; Go's %!verb(float64=-1.25) keeps the sign.
  if (a.kind == KIND_FLOAT) return isFinite(a.f) ? (a.f < 0 ? "-" : "") + fmtG(Math.abs(a.f), -1, false, false) : numberText(a.f);
  return a.s;
}

function quoteGo(s: string): string {
  let v = makeString(s);
  return quoted(v);
}

function fmtInt(a: GoArg, verb: string, spec: Spec): string {
  let neg = a.i < 0;
  // |i64 min| does not fit i64; go through u64.
  let mag: u64 = neg ? <u64>(-(a.i + 1)) + 1 : <u64>a.i;
  let body: string;
  if (verb == "v" || verb == "d") body = uintToString(mag, 10, false);
  else if (verb == "b") body = uintToString(mag, 2, false);
  else if (verb == "o") body = (spec.sharp ? "0" : "") + uintToString(mag, 8, false);
  else if (verb == "O") body = "0o" + uintToString(mag, 8, false);
  else if (verb == "x") body = (spec.sharp ? "0x" : "") + uintToString(mag, 16, false);
  else if (verb == "X") body = (spec.sharp ? "0X" : "") + uintToString(mag, 16, true);
  else if (verb == "c") return pad(String.fromCodePoint(<i32>a.i), spec, false);
  else if (verb == "q") return pad("'" + String.fromCodePoint(<i32>a.i) + "'", spec, false);
  else if (verb == "U") {
    let h = uintToString(mag, 16, true);
    while (h.length < 4) h = "0" + h;
    return pad("U+" + h, spec, false);
  } else return badVerb(verb, a);
  if (spec.prec >= 0) while (body.length < spec.prec) body = "0" + body;
  return pad(signed(body, neg, spec), spec, true);
}

function fmtFloat(a: GoArg, verb: string, spec: Spec): string {
  let x = a.f;
  if (!isFinite(x)) {
    // Go: "+Inf", "-Inf", "NaN" (the sign of +Inf is always shown for %v/%g/%e/%f).
    if (verb != "v" && verb != "g" && verb != "G" && verb != "e" && verb != "E" && verb != "f" && verb != "F") return badVerb(verb, a);
    return pad(x != x ? "NaN" : x > 0 ? "+Inf" : "-Inf", spec, false);
  }
  let neg = x < 0 || (x == 0 && 1 / x < 0);
  let ax = Math.abs(x);
  let body: string;
  if (verb == "v" || verb == "g") body = fmtG(ax, spec.prec, false, spec.sharp);
  else if (verb == "G") body = fmtG(ax, spec.prec, true, spec.sharp);
  else if (verb == "e") body = fmtE(ax, spec.prec < 0 ? 6 : spec.prec, false);
  else if (verb == "E") body = fmtE(ax, spec.prec < 0 ? 6 : spec.prec, true);
  else if (verb == "f" || verb == "F") body = fmtF(ax, spec.prec < 0 ? 6 : spec.prec);
  else return badVerb(verb, a);
  return pad(signed(body, neg, spec), spec, true);
}

function fmtBigInt(a: GoArg, verb: string, spec: Spec): string {
  // Decimal verbs only: the value is an f64 here, so other bases would show rounding noise.
  if (verb == "v" || verb == "d" || verb == "s") {
    let neg = a.s.startsWith("-");
    return pad(signed(neg ? a.s.substring(1) : a.s, neg, spec), spec, true);
  }
  if (verb == "e" || verb == "E" || verb == "f" || verb == "F" || verb == "g" || verb == "G") {
    let f = new GoArg();
    f.kind = KIND_FLOAT;
    f.f = a.f;
    return fmtFloat(f, verb, spec);
  }
  return badVerb(verb, a);
}

function fmtString(a: GoArg, verb: string, spec: Spec): string {
  let s = a.s;
  if (verb == "v" || verb == "s") {
    if (spec.prec >= 0 && runeCount(s) > spec.prec) {
      let out = "";
      let n = 0;
      for (let i = 0; i < s.length && n < spec.prec; i++) {
        let c = s.charCodeAt(i);
        out += String.fromCharCode(c);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
          i++;
          out += String.fromCharCode(s.charCodeAt(i));
        }
        n++;
      }
      s = out;
    }
    return pad(s, spec, false);
  }
  if (verb == "q") return pad(quoteGo(s), spec, false);
  if (verb == "x" || verb == "X") {
    let bytes = String.UTF8.encode(s);
    let view = Uint8Array.wrap(bytes);
    let out = "";
    for (let i = 0; i < view.length; i++) {
      let h = uintToString(<u64>view[i], 16, verb == "X");
      out += (h.length < 2 ? "0" : "") + h;
    }
    return pad(out, spec, false);
  }
  return badVerb(verb, a);
}

function formatArg(a: GoArg, verb: string, spec: Spec): string {
  if (verb == "T") return pad(goTypeName(a), spec, false);
  if (a.kind == KIND_INT) {
    if (verb == "s" || verb == "e" || verb == "E" || verb == "f" || verb == "F" || verb == "g" || verb == "G" || verb == "t") {
      return badVerb(verb, a);
    }
    return fmtInt(a, verb, spec);
  }
  if (a.kind == KIND_BIGINT) return fmtBigInt(a, verb, spec);
  if (a.kind == KIND_FLOAT) return fmtFloat(a, verb, spec);
  return fmtString(a, verb, spec);
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

export function b_sprintf(format: usize, values: usize): usize {
  if (tagOf(format) != TAG_STRING) return typeError("sprintf", 1, "string", format);
  if (tagOf(values) != TAG_ARRAY) return typeError("sprintf", 2, "array", values);
  let f = stringToAS(format);
  let args = new Array<GoArg>();
  for (let i: u32 = 0; i < arrayLength(values); i++) args.push(goArg(arrayGet(values, i)));
  let out = "";
  let argi = 0;
  let i = 0;
  let n = f.length;
  while (i < n) {
    let pct = f.indexOf("%", i);
    if (pct < 0) {
      out += f.substring(i);
      break;
    }
    out += f.substring(i, pct);
    i = pct + 1;
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    let spec = new Spec();
    // flags
    while (i < n) {
      let c = f.charAt(i);
      if (c == "+") spec.plus = true;
      else if (c == "-") spec.minus = true;
      else if (c == "#") spec.sharp = true;
      else if (c == "0") spec.zero = true;
      else if (c == " ") spec.space = true;
      else break;
      i++;
    }
    if (spec.minus) spec.zero = false;
    // width and precision
    if (i < n && isDigit(f.charCodeAt(i))) {
      spec.width = 0;
      while (i < n && isDigit(f.charCodeAt(i))) spec.width = spec.width * 10 + (f.charCodeAt(i++) - 0x30);
    }
    if (i < n && f.charAt(i) == ".") {
      i++;
      spec.prec = 0;
      while (i < n && isDigit(f.charCodeAt(i))) spec.prec = spec.prec * 10 + (f.charCodeAt(i++) - 0x30);
    }
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    let cp = f.codePointAt(i);
    let verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb == "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += "%!" + verb + "(MISSING)";
      continue;
    }
    out += formatArg(args[argi++], verb, spec);
  }
  if (argi < args.length) {
    let extra = new Array<string>();
    for (let k = argi; k < args.length; k++) extra.push(goTypeName(args[k]) + "=" + plainValue(args[k]));
    out += "%!(EXTRA " + extra.join(", ") + ")";
  }
  return makeString(out);
}
