// units.parse and units.parse_bytes: "10Ki" → 10240, "1.5G" → 1500000000, "500m" → 0.5.
// Exact decimal arithmetic (amount × unit as a fraction of bigints) so that results beyond
// 2^53 ("10Ei") and fractions like "0.0005K" come out as OPA's big.Rat computes them.
import { builtinError, operandTypeError } from './errors.js';
import { exactJson } from './values.js';

const POW2 = (n: number): bigint => 1n << BigInt(10 * n);
const POW10 = (n: number): bigint => 10n ** BigInt(3 * n);

/** units.parse: case matters only for the first letter ("m" milli vs "M" mega). */
const SI_UNITS: Readonly<Record<string, [bigint, bigint]>> = {
  '': [1n, 1n], m: [1n, 1000n],
  k: [POW10(1), 1n], K: [POW10(1), 1n], ki: [POW2(1), 1n], Ki: [POW2(1), 1n],
  M: [POW10(2), 1n], mi: [POW2(2), 1n], Mi: [POW2(2), 1n],
  g: [POW10(3), 1n], G: [POW10(3), 1n], gi: [POW2(3), 1n], Gi: [POW2(3), 1n],
  t: [POW10(4), 1n], T: [POW10(4), 1n], ti: [POW2(4), 1n], Ti: [POW2(4), 1n],
  p: [POW10(5), 1n], P: [POW10(5), 1n], pi: [POW2(5), 1n], Pi: [POW2(5), 1n],
  e: [POW10(6), 1n], E: [POW10(6), 1n], ei: [POW2(6), 1n], Ei: [POW2(6), 1n],
};

/** units.parse_bytes: lower-cased unit, optional trailing "b". */
const BYTE_UNITS: Readonly<Record<string, bigint>> = {
  '': 1n, kb: POW10(1), k: POW10(1), kib: POW2(1), ki: POW2(1),
  mb: POW10(2), m: POW10(2), mib: POW2(2), mi: POW2(2),
  gb: POW10(3), g: POW10(3), gib: POW2(3), gi: POW2(3),
  tb: POW10(4), t: POW10(4), tib: POW2(4), ti: POW2(4),
  pb: POW10(5), p: POW10(5), pib: POW2(5), pi: POW2(5),
  eb: POW10(6), e: POW10(6), eib: POW2(6), ei: POW2(6),
};

/** Split "10.5Ki" into amount "10.5" and unit "Ki" (an exponent "1e3" stays in the amount). */
export function splitAmountAndUnit(s: string): [string, string] {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || c === '.' || c === '+' || c === '-') continue;
    if (c === 'e' || c === 'E') {
      const next = s[i + 1];
      if (next !== undefined && ((next >= '0' && next <= '9') || next === '+' || next === '-')) {
        if (next === '+' || next === '-') i++;
        continue;
      }
    }
    break;
  }
  return [s.slice(0, i), s.slice(i)];
}

interface Fraction { num: bigint; den: bigint }

/** A decimal literal ("1.5", ".5", "2e3") as an exact fraction; undefined if malformed. */
function parseDecimal(text: string): Fraction | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const digits = (m[2] ?? '') + (m[3] ?? '');
  let num = BigInt(digits === '' ? '0' : digits);
  let den = 10n ** BigInt((m[3] ?? '').length);
  const exp = Number(m[4] ?? '0');
  if (Math.abs(exp) > 400) return undefined;
  if (exp > 0) num *= 10n ** BigInt(exp);
  else if (exp < 0) den *= 10n ** BigInt(-exp);
  if (m[1] === '-') num = -num;
  return { num, den };
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** A fraction as JSON number text: an integer, or 10 decimals like big.Rat.FloatString(10). */
function fractionText(f: Fraction): string {
  const g = gcd(f.num, f.den);
  const num = f.num / g;
  const den = f.den / g;
  if (den === 1n) return num.toString();
  const negative = num < 0n;
  const abs = negative ? -num : num;
  // Round half away from zero at the 10th decimal, as FloatString does.
  const scaled = (abs * 10n ** 10n * 2n + den) / (den * 2n);
  const whole = scaled / 10n ** 10n;
  const frac = (scaled % 10n ** 10n).toString().padStart(10, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

export function unitsParse(raw: unknown): ArrayBuffer {
  const name = 'units.parse';
  if (typeof raw !== 'string') throw operandTypeError(name, 1, raw, 'string');
  const s = raw.replaceAll('"', '');
  if (s.includes(' ')) throw builtinError(name, 'spaces not allowed in resource strings');
  let [amount, unit] = splitAmountAndUnit(s);
  if (amount === '') throw builtinError(name, 'no amount provided');
  if (unit.length > 1) unit = unit[0] + unit.slice(1).toLowerCase();
  const factor = SI_UNITS[unit];
  if (!factor) throw builtinError(name, `unit ${unit} not recognized`);
  const value = parseDecimal(amount);
  if (!value) throw builtinError(name, 'could not parse amount to a number');
  return exactJson(fractionText({ num: value.num * factor[0], den: value.den * factor[1] }));
}

export function unitsParseBytes(raw: unknown): ArrayBuffer {
  const name = 'units.parse_bytes';
  if (typeof raw !== 'string') throw operandTypeError(name, 1, raw, 'string');
  const s = raw.toLowerCase().replaceAll('"', '');
  if (s.includes(' ')) throw builtinError(name, 'spaces not allowed in resource strings');
  const [amount, unit] = splitAmountAndUnit(s);
  if (amount === '') throw builtinError(name, 'no byte amount provided');
  const factor = BYTE_UNITS[unit];
  if (factor === undefined) throw builtinError(name, `byte unit ${unit} not recognized`);
  const value = parseDecimal(amount);
  if (!value) throw builtinError(name, 'could not parse byte amount to a number');
  // Truncated toward zero to an integer number of bytes.
  return exactJson(((value.num * factor) / value.den).toString());
}
