// Go's reference-time layouts ("2006-01-02T15:04:05Z07:00"): splitting a layout into literal
// text and elements, formatting an instant with it, and parsing text with it — the semantics
// OPA inherits for time.format and time.parse_ns. Written from Go's documented layout rules.
import {
  civilFromDays, daysFromCivil, daysIn, MONTH_NAMES, weekdayOfDays, WEEKDAY_NAMES, yearDay,
} from './civil.js';
import { fixedZone, UTC, type Zone } from './zones.js';

/** Named layouts OPA accepts in place of a layout string (Go's time package constants). */
export const NAMED_LAYOUTS: Readonly<Record<string, string>> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};

export type Elem =
  | 'January' | 'Jan' | '1' | '01' | 'Monday' | 'Mon' | '2' | '_2' | '02' | '__2' | '002'
  | '15' | '3' | '03' | '4' | '04' | '5' | '05' | '2006' | '06' | 'PM' | 'pm' | 'MST'
  | 'Z070000' | 'Z07:00:00' | 'Z0700' | 'Z07:00' | 'Z07'
  | '-070000' | '-07:00:00' | '-0700' | '-07:00' | '-07';

export type Chunk =
  | { kind: 'literal'; text: string }
  | { kind: 'elem'; elem: Elem; text: string }
  /** Fractional seconds: ".000" (fixed width) or ".999" (trailing zeros trimmed). */
  | { kind: 'frac'; digits: number; trim: boolean; sep: string; text: string };

const ZONE_ELEMS: Elem[] = [
  'Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07', '-070000', '-07:00:00', '-0700', '-07:00', '-07',
];

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** The element starting at i, if any (Go's nextStdChunk, one position at a time). */
function elemAt(layout: string, i: number): Chunk | undefined {
  const rest = layout.slice(i);
  const elem = (e: Elem): Chunk => ({ kind: 'elem', elem: e, text: e });
  switch (layout[i]) {
    case 'J':
      if (rest.startsWith('January')) return elem('January');
      if (rest.startsWith('Jan')) return elem('Jan');
      return undefined;
    case 'M':
      if (rest.startsWith('Monday')) return elem('Monday');
      if (rest.startsWith('Mon')) return elem('Mon');
      if (rest.startsWith('MST')) return elem('MST');
      return undefined;
    case '0':
      if (rest.startsWith('002')) return elem('002');
      if (/^0[1-6]/.test(rest)) return elem(rest.slice(0, 2) as Elem);
      return undefined;
    case '1':
      return rest.startsWith('15') ? elem('15') : elem('1');
    case '2':
      return rest.startsWith('2006') ? elem('2006') : elem('2');
    case '_':
      if (rest.startsWith('_2')) {
        // "_2006" is a literal underscore followed by the year.
        if (rest.startsWith('_2006')) return { kind: 'literal', text: '_' };
        return elem('_2');
      }
      if (rest.startsWith('__2')) return elem('__2');
      return undefined;
    case '3': case '4': case '5':
      return elem(layout[i] as Elem);
    case 'P':
      return rest.startsWith('PM') ? elem('PM') : undefined;
    case 'p':
      return rest.startsWith('pm') ? elem('pm') : undefined;
    case '-': case 'Z':
      return ZONE_ELEMS.filter((e) => e[0] === layout[i]).map((e) => (rest.startsWith(e) ? elem(e) : undefined)).find(Boolean);
    case '.': case ',': {
      const digit = layout[i + 1];
      if (digit !== '0' && digit !== '9') return undefined;
      let j = i + 1;
      while (layout[j] === digit) j++;
      if (isDigit(layout, j)) return undefined;
      return { kind: 'frac', digits: j - i - 1, trim: digit === '9', sep: layout[i]!, text: layout.slice(i, j) };
    }
    default:
      return undefined;
  }
}

export function splitLayout(layout: string): Chunk[] {
  const chunks: Chunk[] = [];
  let lit = '';
  for (let i = 0; i < layout.length;) {
    const c = elemAt(layout, i);
    if (c && c.kind !== 'literal') {
      if (lit) chunks.push({ kind: 'literal', text: lit });
      lit = '';
      chunks.push(c);
      i += c.text.length;
    } else {
      lit += layout[i];
      i += 1;
    }
  }
  if (lit) chunks.push({ kind: 'literal', text: lit });
  return chunks;
}

const NS_PER_S = 1_000_000_000n;

/** Broken-down wall clock of an instant in a zone. */
export interface WallClock {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  nanos: number; weekday: number; offset: number; zone: Zone; unixSeconds: number;
}

export function wallClock(ns: bigint, zone: Zone): WallClock {
  let secs = ns / NS_PER_S;
  let nanos = ns - secs * NS_PER_S;
  if (nanos < 0n) { nanos += NS_PER_S; secs -= 1n; }
  const unixSeconds = Number(secs);
  const offset = zone.offsetAt(unixSeconds);
  const local = unixSeconds + offset;
  const days = Math.floor(local / 86400);
  const sod = local - days * 86400;
  const d = civilFromDays(days);
  return {
    ...d, hour: Math.floor(sod / 3600), minute: Math.floor((sod % 3600) / 60), second: sod % 60,
    nanos: Number(nanos), weekday: weekdayOfDays(days), offset, zone, unixSeconds,
  };
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

function formatZone(elem: Elem, offset: number): string {
  if (elem[0] === 'Z' && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = pad(Math.floor(abs / 3600), 2);
  const mm = pad(Math.floor((abs % 3600) / 60), 2);
  const ss = pad(abs % 60, 2);
  const body = elem.slice(1);
  switch (body) {
    case '070000': return `${sign}${hh}${mm}${ss}`;
    case '07:00:00': return `${sign}${hh}:${mm}:${ss}`;
    case '0700': return `${sign}${hh}${mm}`;
    case '07:00': return `${sign}${hh}:${mm}`;
    default: return `${sign}${hh}`;
  }
}

export function formatTime(ns: bigint, zone: Zone, layout: string): string {
  const t = wallClock(ns, zone);
  let out = '';
  for (const c of splitLayout(layout)) {
    if (c.kind === 'literal') { out += c.text; continue; }
    if (c.kind === 'frac') {
      const digits = pad(t.nanos, 9).slice(0, c.digits);
      if (!c.trim) out += c.sep + digits;
      else {
        const trimmed = digits.replace(/0+$/, '');
        if (trimmed) out += c.sep + trimmed;
      }
      continue;
    }
    const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
    switch (c.elem) {
      case 'January': out += MONTH_NAMES[t.month - 1]; break;
      case 'Jan': out += MONTH_NAMES[t.month - 1]!.slice(0, 3); break;
      case '1': out += t.month; break;
      case '01': out += pad(t.month, 2); break;
      case 'Monday': out += WEEKDAY_NAMES[t.weekday]; break;
      case 'Mon': out += WEEKDAY_NAMES[t.weekday]!.slice(0, 3); break;
      case '2': out += t.day; break;
      case '_2': out += String(t.day).padStart(2, ' '); break;
      case '02': out += pad(t.day, 2); break;
      case '__2': out += String(yearDay(t)).padStart(3, ' '); break;
      case '002': out += pad(yearDay(t), 3); break;
      case '15': out += pad(t.hour, 2); break;
      case '3': out += h12; break;
      case '03': out += pad(h12, 2); break;
      case '4': out += t.minute; break;
      case '04': out += pad(t.minute, 2); break;
      case '5': out += t.second; break;
      case '05': out += pad(t.second, 2); break;
      case '2006': out += pad(t.year, 4); break;
      case '06': out += pad(((t.year % 100) + 100) % 100, 2); break;
      case 'PM': out += t.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += t.hour >= 12 ? 'pm' : 'am'; break;
      case 'MST': {
        const name = zone.abbreviationAt(t.unixSeconds);
        out += name !== '' ? name : formatZone('-0700', t.offset);
        break;
      }
      default: out += formatZone(c.elem, t.offset);
    }
  }
  return out;
}

/** Go's time.Parse error text. */
export class TimeParseError extends Error {}

function quote(s: string): string {
  return JSON.stringify(s);
}

/**
 * Parse value with a Go layout; the result is Unix nanoseconds. Without a zone in the layout
 * the time is UTC, as in Go's time.Parse.
 */
export function parseTime(layout: string, value: string): bigint {
  const original = value;
  const fail = (valueElem: string, layoutElem: string, extra = ''): never => {
    throw new TimeParseError(
      `parsing time ${quote(original)} as ${quote(layout)}: cannot parse ${quote(valueElem)} as ${quote(layoutElem)}${extra}`,
    );
  };
  const rangeErr = (what: string): never => {
    throw new TimeParseError(`parsing time ${quote(original)}: ${what} out of range`);
  };
  let year = 1, month = -1, day = -1, yday = -1, hour = 0, minute = 0, second = 0, nanos = 0;
  let pmSet = false, amSet = false;
  let offset: number | undefined;
  let zoneName: string | undefined;

  const chunks = splitLayout(layout);
  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci]!;
    if (c.kind === 'literal') {
      if (!value.startsWith(c.text)) fail(value, c.text);
      value = value.slice(c.text.length);
      continue;
    }
    const before = value;
    const num = (fixed: boolean, width = 2): number => {
      const m = fixed ? new RegExp(`^\\d{${width}}`).exec(value) : new RegExp(`^\\d{1,${width}}`).exec(value);
      if (!m) fail(before, c.text);
      value = value.slice(m![0].length);
      return Number(m![0]);
    };
    if (c.kind === 'frac') {
      if (c.trim) {
        // ".999": optional; any number of digits (beyond nine are ignored).
        const m = /^[.,]\d+/.exec(value);
        if (m) { nanos = Number(m[0].slice(1, 10).padEnd(9, '0')); value = value.slice(m[0].length); }
      } else {
        const m = new RegExp(`^[.,]\\d{${c.digits}}`).exec(value);
        if (!m) fail(before, c.text);
        nanos = Number(m![0].slice(1, 10).padEnd(9, '0'));
        value = value.slice(m![0].length);
      }
      continue;
    }
    switch (c.elem) {
      case '2006': {
        if (!/^\d{4}/.test(value)) fail(before, c.text);
        year = Number(value.slice(0, 4)); value = value.slice(4);
        break;
      }
      case '06': { const y = num(true); year = y >= 69 ? 1900 + y : 2000 + y; break; }
      case 'January': case 'Jan': {
        const names = MONTH_NAMES.map((n) => (c.elem === 'Jan' ? n.slice(0, 3) : n));
        const i = names.findIndex((n) => value.toLowerCase().startsWith(n.toLowerCase()));
        if (i < 0) fail(before, c.text);
        month = i + 1; value = value.slice(names[i]!.length);
        break;
      }
      case 'Monday': case 'Mon': {
        const names = WEEKDAY_NAMES.map((n) => (c.elem === 'Mon' ? n.slice(0, 3) : n));
        const i = names.findIndex((n) => value.toLowerCase().startsWith(n.toLowerCase()));
        if (i < 0) fail(before, c.text);
        value = value.slice(names[i]!.length);
        break;
      }
      case '1': case '01': month = num(c.elem === '01'); if (month < 1 || month > 12) rangeErr('month'); break;
      case '2': case '_2': case '02':
        if (c.elem === '_2' && value[0] === ' ') value = value.slice(1);
        day = num(c.elem === '02');
        break;
      case '__2': case '002':
        if (c.elem === '__2') value = value.replace(/^ {1,2}/, '');
        yday = num(c.elem === '002', 3);
        if (yday < 1 || yday > 366) rangeErr('day-of-year');
        break;
      case '15': hour = num(false); if (hour > 23) rangeErr('hour'); break;
      case '3': case '03': hour = num(c.elem === '03'); if (hour > 12) rangeErr('hour'); break;
      case '4': case '04': minute = num(c.elem === '04'); if (minute > 59) rangeErr('minute'); break;
      case '5': case '05': {
        second = num(c.elem === '05');
        if (second > 59) rangeErr('second');
        // Go accepts fractional seconds after a seconds element the layout does not mention.
        const next = chunks[ci + 1];
        const m = /^[.,]\d+/.exec(value);
        if (m && next?.kind !== 'frac') {
          nanos = Number(m[0].slice(1, 10).padEnd(9, '0'));
          value = value.slice(m[0].length);
        }
        break;
      }
      case 'PM': case 'pm': {
        const p = value.slice(0, 2);
        if (p.toUpperCase() === 'PM') pmSet = true;
        else if (p.toUpperCase() === 'AM') amSet = true;
        else fail(before, c.text);
        value = value.slice(2);
        break;
      }
      case 'MST': {
        const m = /^[A-Z]{3,5}|^[+-]\d{2,4}/.exec(value);
        if (!m) fail(before, c.text);
        zoneName = m![0];
        value = value.slice(zoneName.length);
        if (zoneName === 'UTC' || zoneName === 'GMT') offset ??= 0;
        break;
      }
      default: {
        if (c.elem[0] === 'Z' && value[0] === 'Z') { value = value.slice(1); offset = 0; zoneName = 'UTC'; break; }
        const body = c.elem.slice(1);
        const pattern: Record<string, RegExp> = {
          '070000': /^([+-])(\d{2})(\d{2})(\d{2})/, '07:00:00': /^([+-])(\d{2}):(\d{2}):(\d{2})/,
          '0700': /^([+-])(\d{2})(\d{2})/, '07:00': /^([+-])(\d{2}):(\d{2})/, '07': /^([+-])(\d{2})/,
        };
        const m = pattern[body]!.exec(value);
        if (!m) fail(before, c.text);
        const secs = Number(m![2]) * 3600 + Number(m![3] ?? 0) * 60 + Number(m![4] ?? 0);
        offset = m![1] === '-' ? -secs : secs;
        value = value.slice(m![0].length);
      }
    }
  }
  if (value.length > 0) throw new TimeParseError(`parsing time ${quote(original)}: extra text: ${quote(value)}`);
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    const start = daysFromCivil(year, 1, 1);
    const d = civilFromDays(start + yday - 1);
    if (d.year !== year) rangeErr('day-of-year');
    if (month >= 0 && month !== d.month) rangeErr('day-of-year');
    if (day >= 0 && day !== d.day) rangeErr('day-of-year');
    month = d.month; day = d.day;
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > daysIn(month, year)) rangeErr('day');
  const localSeconds = BigInt(daysFromCivil(year, month, day)) * 86400n + BigInt(hour * 3600 + minute * 60 + second);
  const zone = offset !== undefined ? fixedZone(zoneName ?? '', offset) : UTC;
  return (localSeconds - BigInt(zone.offsetAt(0))) * NS_PER_S + BigInt(nanos);
}
