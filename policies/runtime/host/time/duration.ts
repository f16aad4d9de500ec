// Go's time.ParseDuration ("1h30m", "-1.5s", "100ms"), exact in nanoseconds, with Go's error texts.

const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n, us: 1_000n, 'µs': 1_000n, 'μs': 1_000n, ms: 1_000_000n,
  s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};

const INT64_MAX = (1n << 63n) - 1n;

export class DurationError extends Error {}

export function parseDurationNs(text: string): bigint {
  const quoted = JSON.stringify(text);
  const invalid = (): never => { throw new DurationError(`time: invalid duration ${quoted}`); };
  let s = text;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') { negative = s[0] === '-'; s = s.slice(1); }
  if (s === '0') return 0n;
  if (s === '') invalid();
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const whole = m[1] ?? '';
    const frac = m[2];
    if (whole === '' && (frac === undefined || frac === '')) invalid();
    s = s.slice(m[0].length);
    const u = /^[^\d.]*/.exec(s)![0];
    if (u === '') throw new DurationError(`time: missing unit in duration ${quoted}`);
    const unit = UNIT_NS[u];
    if (unit === undefined) throw new DurationError(`time: unknown unit ${JSON.stringify(u)} in duration ${quoted}`);
    s = s.slice(u.length);
    let part = BigInt(whole || '0') * unit;
    if (frac) {
      // Fraction of the unit, truncated toward zero like Go.
      part += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    }
    total += part;
    if (total > INT64_MAX + (negative ? 1n : 0n)) invalid();
  }
  return negative ? -total : total;
}
