// time.* built-ins (host side), run inside compiled policies. Timestamps that are exact f64
// values are used where the runtime's numbers (f64) would otherwise round the input.
import { describe, expect, it } from 'vitest';
import { callBuiltin, expectBuiltinError } from './test-harness.js';
import { parseDurationNs } from './time/duration.js';
import { formatTime, parseTime } from './time/layout.js';
import { UTC, ZoneResolver } from './time/zones.js';

const T = 1670006453141828608; // 2022-12-02T18:40:53.141828608Z, exactly representable as f64

describe('time.now_ns', () => {
  it('returns the injected clock', async () => {
    expect(await callBuiltin('time.now_ns', [], { now: () => 1700000000000000000n })).toBe(1700000000000000000);
  });

  it('is fixed within one evaluation', () => {
    let ticks = 0n;
    const h = (async () => (await import('./index.js')).hostBuiltins({ now: () => ++ticks }))();
    return h.then((b) => {
      const read = (x: unknown) => new TextDecoder().decode(x as ArrayBuffer);
      expect(read(b['time.now_ns']!())).toBe(read(b['time.now_ns']!()));
      expect(ticks).toBe(1n);
    });
  });
});

describe('time.parse_rfc3339_ns / parse_ns / parse_duration_ns', () => {
  it.each([
    ['2022-12-02T18:40:53Z', 1670006453000000000],
    ['2022-12-03T00:10:53+05:30', 1670006453000000000],
    ['1970-01-01T00:00:00.5Z', 500000000],
    ['1969-12-31T23:59:59Z', -1000000000],
  ])('parse_rfc3339_ns(%j) = %j', async (s, want) => {
    expect(await callBuiltin('time.parse_rfc3339_ns', [s])).toBe(want);
  });

  it('parse_rfc3339_ns is exact to the nanosecond on the host', () => {
    expect(parseTime('2006-01-02T15:04:05Z07:00', '2022-12-02T18:40:53.141828752Z')).toBe(1670006453141828752n);
  });

  it('parse_rfc3339_ns rejects other layouts with Go\'s message', async () => {
    await expectBuiltinError('time.parse_rfc3339_ns', ['2022-12-03'], 
      'eval_builtin_error: time.parse_rfc3339_ns: parsing time "2022-12-03" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"',
    );
    await expectBuiltinError('time.parse_rfc3339_ns', ['2022-02-30T00:00:00Z'], 'day out of range');
  });

  it.each([
    ['2006-01-02', '2022-12-03', 1670025600000000000],
    ['Jan 2, 2006 at 3:04pm (MST)', 'Feb 3, 2013 at 7:54pm (PST)', 1359921240000000000],
    ['02 Jan 06 15:04 -0700', '03 Dec 22 00:10 +0530', 1670006400000000000],
    ['Monday, 02-Jan-06', 'Saturday, 03-Dec-22', 1670025600000000000],
  ])('parse_ns(%j, %j) = %j', async (layout, s, want) => {
    expect(await callBuiltin('time.parse_ns', [layout, s])).toBe(want);
  });

  it.each([
    ['100ms', 100000000], ['1h30m', 5400000000000], ['-1.5s', -1500000000], ['1us', 1000], ['1µs', 1000], ['0', 0],
  ])('parse_duration_ns(%j) = %j', async (s, want) => {
    expect(await callBuiltin('time.parse_duration_ns', [s])).toBe(want);
  });

  it('parse_duration_ns reports Go errors', async () => {
    await expectBuiltinError('time.parse_duration_ns', ['foo'], 'time: invalid duration "foo"');
    await expectBuiltinError('time.parse_duration_ns', ['1'], 'time: missing unit in duration "1"');
    await expectBuiltinError('time.parse_duration_ns', ['1y'], 'time: unknown unit "y" in duration "1y"');
    expect(() => parseDurationNs('9223372036854775808ns')).toThrow('time: invalid duration');
  });
});

describe('time.format / date / clock / weekday', () => {
  it.each([
    [T, '2022-12-02T18:40:53.141828608Z'],
    [[T, 'Asia/Kolkata'], '2022-12-03T00:10:53.141828608+05:30'],
    [[T, 'Asia/Kolkata', 'Mon Jan 02 15:04:05 -0700 2006'], 'Sat Dec 03 00:10:53 +0530 2022'],
    [[T, 'Asia/Kolkata', 'RFC1123Z'], 'Sat, 03 Dec 2022 00:10:53 +0530'],
    [[T, 'America/New_York', 'RFC1123'], 'Fri, 02 Dec 2022 13:40:53 EST'],
    [[T, 'UTC', 'Kitchen'], '6:40PM'],
    [[T, '', '2006-01-02 __2 002 .000 pm'], '2022-12-02 336 336 .141 pm'],
  ])('format(%j) = %j', async (x, want) => {
    expect(await callBuiltin('time.format', [x])).toBe(want);
  });

  it('format rejects timestamps beyond int64 nanoseconds', async () => {
    await expectBuiltinError('time.format', [1582977600 * 10e12], 'eval_builtin_error: time.format: timestamp too big');
  });

  it('takes exact nanoseconds as {"__junction_number__": digits} (for modules that keep big integers)', async () => {
    const { hostBuiltins } = await import('./index.js');
    const h = hostBuiltins();
    const ns = { __junction_number__: '1670006453141828752' };
    expect(h['time.format']!(ns)).toBe('2022-12-02T18:40:53.141828752Z');
    expect(h['time.format']!([ns, 'Asia/Kolkata'])).toBe('2022-12-03T00:10:53.141828752+05:30');
    expect(new TextDecoder().decode(h['time.add_date']!(ns, 0, 0, 1) as ArrayBuffer)).toBe('1670092853141828752');
    expect(h['time.clock']!({ __junction_number__: '99999999999999999999' })).toEqual({
      __junction_builtin_error__: ['eval_builtin_error', 'time.clock', 'timestamp too big'],
    });
  });

  it('formats exactly on the host', () => {
    expect(formatTime(1670006453141828752n, UTC, '2006-01-02T15:04:05.999999999Z07:00')).toBe('2022-12-02T18:40:53.141828752Z');
    const kolkata = new ZoneResolver().resolve('Asia/Kolkata')!;
    expect(formatTime(1670006453141828752n, kolkata, '2006-01-02T15:04:05.999999999Z07:00')).toBe('2022-12-03T00:10:53.141828752+05:30');
  });

  it.each([
    ['time.date', 1517832000 * 1e9, [2018, 2, 5]],
    ['time.date', [T, 'Asia/Kolkata'], [2022, 12, 3]],
    ['time.date', -1, [1969, 12, 31]],
    ['time.clock', 1517832000 * 1e9, [12, 0, 0]],
    ['time.clock', [T, 'America/New_York'], [13, 40, 53]],
    ['time.weekday', 1518264000000000000, 'Saturday'],
    ['time.weekday', [T, 'Asia/Kolkata'], 'Saturday'],
  ])('%s(%j) = %j', async (name, x, want) => {
    expect(await callBuiltin(name, [x])).toEqual(want);
  });

  it('rejects unknown zones and bad operands', async () => {
    await expectBuiltinError('time.date', [[0, 'Nope/Zone']], 'unknown time zone Nope/Zone');
    await expectBuiltinError('time.clock', ['x'], 
      'eval_type_error: time.clock: operand 1 must be either number (ns) or [number (ns), string (tz)] but got string',
    );
    await expectBuiltinError('time.clock', [1582977600 * 1e12], 'timestamp too big');
  });
});

describe('time.add_date / time.diff', () => {
  it.each([
    [0, 1, 0, 0, 31536000000000000],
    [1609459200000000000, 0, 1, 30, 1614729600000000000], // 2021-01-01 + 1 month + 30 days = 2021-03-03
    [1604102400000000000, 0, 1, 0, 1606780800000000000], // 2020-10-31 + 1 month = 2020-12-01 (Go normalisation)
    [1585852421593912064, 3, 9, 12, 1705257221593912064],
  ])('add_date(%j, %j, %j, %j) = %j', async (ns, y, m, d, want) => {
    expect(await callBuiltin('time.add_date', [ns, y, m, d])).toBe(want);
  });

  it('add_date outside int64 nanoseconds is an error', async () => {
    await expectBuiltinError('time.add_date', [0, 2262, 1, 1], 'eval_builtin_error: time.add_date: time outside of valid range');
  });

  it.each([
    [0, 86400e9 * 366 + 3661e9, [1, 0, 1, 1, 1, 1]],
    [86400e9 * 366 + 3661e9, 0, [1, 0, 1, 1, 1, 1]],
    [1517832000e9, 1518264000e9, [0, 0, 5, 0, 0, 0]],
    [1580515200e9, 1583020800e9, [0, 1, 0, 0, 0, 0]], // 2020-02-01 → 2020-03-01
    [1580428800e9, 1583020800e9, [0, 1, 1, 0, 0, 0]], // 2020-01-31 → 2020-03-01: day borrow uses January's 31 days
  ])('diff(%j, %j) = %j', async (a, b, want) => {
    expect(await callBuiltin('time.diff', [a, b])).toEqual(want);
  });
});
