// OPA's time.* built-ins, host side: Wasm has no clock and no time zone database, and Go's
// layout language is far easier to get right in TypeScript. Timestamps are int64 Unix
// nanoseconds; results go back as exact JSON integers (see ../values.ts).
import { builtinError, operandTypeError } from '../errors.js';
import { exactInt, exactNumberArg, exactValue } from '../values.js';
import { daysFromCivil, daysIn, WEEKDAY_NAMES } from './civil.js';
import { DurationError, parseDurationNs } from './duration.js';
import { formatTime, NAMED_LAYOUTS, parseTime, TimeParseError, wallClock } from './layout.js';
import { UTC, type Zone, type ZoneResolver } from './zones.js';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const TZ_EXPECTED = 'either number (ns) or [number (ns), string (tz)]';

export interface TimeDeps {
  /** Current time in Unix nanoseconds (host clock, or a fixed value in tests). */
  now: () => bigint;
  zones: ZoneResolver;
}

/** An instant with the zone it is viewed in, and an optional layout (time.format). */
interface ZonedTime {
  ns: bigint;
  zone: Zone;
  layout?: string;
}

function toNanos(name: string, v: unknown, pos: number): bigint {
  const exact = typeof v === 'bigint' ? v : exactNumberArg(v);
  if (exact !== undefined) {
    if (exact < INT64_MIN || exact > INT64_MAX) throw builtinError(name, 'timestamp too big');
    return exact;
  }
  if (typeof v !== 'number') throw operandTypeError(name, pos, v, 'number');
  // OPA converts through big.Float and demands an exact int64.
  if (!Number.isInteger(v)) throw builtinError(name, 'timestamp too big');
  const n = BigInt(v);
  if (n < INT64_MIN || n > INT64_MAX) throw builtinError(name, 'timestamp too big');
  return n;
}

function zonedTime(name: string, deps: TimeDeps, v: unknown, pos: number): ZonedTime {
  if (typeof v === 'number' || typeof v === 'bigint' || exactNumberArg(v) !== undefined) {
    return { ns: toNanos(name, v, pos), zone: UTC };
  }
  if (!Array.isArray(v) || v.length === 0) throw operandTypeError(name, pos, v, TZ_EXPECTED);
  const ns = toNanos(name, v[0], pos);
  let zone = UTC;
  if (v.length > 1) {
    const tz = v[1];
    if (typeof tz !== 'string') throw operandTypeError(name, pos, tz, 'string');
    const z = deps.zones.resolve(tz);
    if (!z) throw builtinError(name, `unknown time zone ${tz}`);
    zone = z;
  }
  let layout: string | undefined;
  if (v.length > 2) {
    const l = v[2];
    if (typeof l !== 'string') throw operandTypeError(name, pos, l, 'string');
    layout = NAMED_LAYOUTS[l] ?? l;
  }
  return { ns, zone, ...(layout !== undefined ? { layout } : {}) };
}

function stringArg(name: string, v: unknown, pos: number): string {
  if (typeof v !== 'string') throw operandTypeError(name, pos, v, 'string');
  return v;
}

function intArg(name: string, v: unknown, pos: number): number {
  if (typeof v !== 'number') throw operandTypeError(name, pos, v, 'number');
  if (!Number.isInteger(v)) throw operandTypeError(name, pos, v, 'integer');
  return v;
}

function checkRange(name: string, ns: bigint): bigint {
  if (ns < INT64_MIN || ns > INT64_MAX) throw builtinError(name, 'time outside of valid range');
  return ns;
}

function parsed<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TimeParseError || e instanceof DurationError) throw builtinError(name, e.message);
    throw e;
  }
}

export function timeBuiltins(deps: TimeDeps): Record<string, (...args: unknown[]) => unknown> {
  // time.now_ns is fixed for one evaluation in OPA; the engine creates the host built-ins per
  // evaluation (or passes a `now` that returns the evaluation's start time).
  return {
    'time.now_ns': () => exactInt(deps.now()),

    'time.parse_rfc3339_ns': (value) => {
      const name = 'time.parse_rfc3339_ns';
      const s = stringArg(name, value, 1);
      return exactInt(checkRange(name, parsed(name, () => parseTime(NAMED_LAYOUTS.RFC3339!, s))));
    },

    'time.parse_ns': (layout, value) => {
      const name = 'time.parse_ns';
      const l = stringArg(name, layout, 1);
      const s = stringArg(name, value, 2);
      return exactInt(checkRange(name, parsed(name, () => parseTime(l, s))));
    },

    'time.parse_duration_ns': (value) => {
      const name = 'time.parse_duration_ns';
      const s = stringArg(name, value, 1);
      return exactInt(parsed(name, () => parseDurationNs(s)));
    },

    'time.format': (x) => {
      const t = zonedTime('time.format', deps, x, 1);
      return formatTime(t.ns, t.zone, t.layout ?? NAMED_LAYOUTS.RFC3339Nano!);
    },

    'time.date': (x) => {
      const w = zonedWall('time.date', deps, x);
      return [w.year, w.month, w.day];
    },

    'time.clock': (x) => {
      const w = zonedWall('time.clock', deps, x);
      return [w.hour, w.minute, w.second];
    },

    'time.weekday': (x) => WEEKDAY_NAMES[zonedWall('time.weekday', deps, x).weekday],

    'time.add_date': (x, years, months, days) => {
      const name = 'time.add_date';
      const t = zonedTime(name, deps, x, 1);
      const y = intArg(name, years, 2);
      const mo = intArg(name, months, 3);
      const d = intArg(name, days, 4);
      const w = wallClock(t.ns, t.zone);
      // Go's AddDate normalises the overflowing month and day (Oct 31 + 1 month = Dec 1).
      const totalMonths = w.year * 12 + (w.month - 1) + y * 12 + mo;
      const year = Math.floor(totalMonths / 12);
      const month = totalMonths - year * 12 + 1;
      const dayNumber = daysFromCivil(year, month, 1) + (w.day - 1) + d;
      const localSeconds = BigInt(dayNumber) * 86400n + BigInt(w.hour * 3600 + w.minute * 60 + w.second);
      // Re-resolve the offset at the new wall time (DST), as Go's Date does.
      const guess = Number(localSeconds) - w.offset;
      const offset = t.zone.offsetAt(guess);
      const ns = (localSeconds - BigInt(offset)) * 1_000_000_000n + BigInt(w.nanos);
      return exactInt(checkRange(name, ns));
    },

    'time.diff': (a, b) => {
      const name = 'time.diff';
      const t1 = zonedTime(name, deps, a, 1);
      const t2 = zonedTime(name, deps, b, 2);
      // Both are viewed in the first operand's zone; the earlier one first.
      const [lo, hi] = t1.ns <= t2.ns ? [t1.ns, t2.ns] : [t2.ns, t1.ns];
      const w1 = wallClock(lo, t1.zone);
      const w2 = wallClock(hi, t1.zone);
      let year = w2.year - w1.year;
      let month = w2.month - w1.month;
      let day = w2.day - w1.day;
      let hour = w2.hour - w1.hour;
      let min = w2.minute - w1.minute;
      let sec = w2.second - w1.second;
      if (sec < 0) { sec += 60; min--; }
      if (min < 0) { min += 60; hour--; }
      if (hour < 0) { hour += 24; day--; }
      if (day < 0) { day += daysIn(w1.month, w1.year); month--; }
      if (month < 0) { month += 12; year--; }
      return exactValue([year, month, day, hour, min, sec]);
    },
  };
}

function zonedWall(name: string, deps: TimeDeps, x: unknown): ReturnType<typeof wallClock> {
  const t = zonedTime(name, deps, x, 1);
  return wallClock(t.ns, t.zone);
}
