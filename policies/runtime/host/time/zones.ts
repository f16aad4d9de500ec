// Time zone offsets from the IANA database bundled with Node (Intl), standing in for Go's
// time.LoadLocation. A zone's offset at an instant is found by asking Intl for the wall clock
// there and subtracting UTC. Formatters are cached per resolver (one per hostBuiltins()).
import { daysFromCivil } from './civil.js';

export interface Zone {
  /** Name as given ("UTC", "Asia/Kolkata"). */
  name: string;
  /** Offset east of UTC in seconds at the given Unix second. */
  offsetAt(unixSeconds: number): number;
  /** Abbreviation for Go's "MST" layout element, e.g. "UTC", "CET", or "" when the zone has none. */
  abbreviationAt(unixSeconds: number): string;
}

export const UTC: Zone = { name: 'UTC', offsetAt: () => 0, abbreviationAt: () => 'UTC' };

/** A zone with a constant offset (what Go builds for a parsed "+05:30"). */
export function fixedZone(name: string, offsetSeconds: number): Zone {
  return { name, offsetAt: () => offsetSeconds, abbreviationAt: () => name };
}

export class ZoneResolver {
  private readonly cache = new Map<string, Zone>();

  /** The zone for a Rego tz operand; undefined when the name is not a known zone. */
  resolve(name: string): Zone | undefined {
    if (name === '' || name === 'UTC') return UTC;
    const key = name === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : name;
    const hit = this.cache.get(key);
    if (hit) return hit;
    let wall: Intl.DateTimeFormat;
    let abbrev: Intl.DateTimeFormat;
    try {
      wall = new Intl.DateTimeFormat('en-US', {
        timeZone: key, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
      });
      abbrev = new Intl.DateTimeFormat('en-US', { timeZone: key, timeZoneName: 'short' });
    } catch {
      return undefined;
    }
    const zone = intlZone(name, wall, abbrev);
    this.cache.set(key, zone);
    return zone;
  }
}

// Intl's Date covers ±8.64e15 ms, wider than int64 nanoseconds, so every instant is reachable.
function intlZone(name: string, wall: Intl.DateTimeFormat, abbrev: Intl.DateTimeFormat): Zone {
  const offsetAt = (unixSeconds: number): number => {
    const parts: Record<string, string> = {};
    for (const p of wall.formatToParts(new Date(unixSeconds * 1000))) parts[p.type] = p.value;
    let year = Number(parts.year);
    if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
    const local = daysFromCivil(year, Number(parts.month), Number(parts.day)) * 86400
      + Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
    return local - unixSeconds;
  };
  return {
    name,
    offsetAt,
    abbreviationAt(unixSeconds: number): string {
      const part = abbrev.formatToParts(new Date(unixSeconds * 1000)).find((p) => p.type === 'timeZoneName');
      const text = part?.value ?? '';
      // Intl writes "GMT+5:30" for zones without an abbreviation; Go writes "+0530" then.
      if (text === 'GMT' || text === 'UTC') return text === 'GMT' && offsetAt(unixSeconds) === 0 ? 'GMT' : text;
      if (text.startsWith('GMT')) return numericAbbrev(offsetAt(unixSeconds));
      return text;
    },
  };
}

function numericAbbrev(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = Math.floor((abs % 3600) / 60);
  return mm === 0 ? `${sign}${hh}` : `${sign}${hh}${String(mm).padStart(2, '0')}`;
}
