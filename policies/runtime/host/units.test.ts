// units.parse / units.parse_bytes (host), run inside compiled policies.
import { describe, expect, it } from 'vitest';
import { callBuiltin, expectBuiltinError } from './test-harness.js';
import { unitsParse } from './units.js';

const text = (b: ArrayBuffer) => new TextDecoder().decode(b);

describe('units.parse', () => {
  it.each([
    ['0', 0], ['.0', 0], ['12345', 12345], ['10K', 10000], ['10k', 10000], ['10KI', 10240], ['10Ki', 10240],
    ['200M', 200000000], ['100mi', 104857600], ['300Gi', 322122547200], ['1.1K', 1100], ['1.1Ki', 1126.4],
    ['.5K', 500], ['500m', 0.5], ['0.0005K', 0.5], ['0.0000005M', 0.5], ['"100TI"', 109951162777600],
    ['100P', 100000000000000000], ['1e3', 1000], ['1G', 1000000000],
  ])('units.parse(%j) = %j', async (s, want) => {
    expect(await callBuiltin('units.parse', [s])).toBe(want);
  });

  it('keeps integers beyond 2^53 exact in its JSON result', () => {
    expect(text(unitsParse('10Ei'))).toBe('11529215046068469760');
    expect(text(unitsParse('10e'))).toBe('10000000000000000000');
    expect(text(unitsParse('1.1Ki'))).toBe('1126.4000000000');
  });

  it.each([
    ['', 'units.parse: no amount provided'],
    ['G', 'units.parse: no amount provided'],
    ['foo', 'units.parse: no amount provided'],
    ['0.0.0', 'units.parse: could not parse amount to a number'],
    ['.5.2', 'units.parse: could not parse amount to a number'],
    ['100 k', 'units.parse: spaces not allowed in resource strings'],
    [' 327Mi ', 'units.parse: spaces not allowed in resource strings'],
    ['5Q', 'units.parse: unit Q not recognized'],
  ])('units.parse(%j) fails: %s', async (s, message) => {
    await expectBuiltinError('units.parse', [s], `eval_builtin_error: ${message}`);
  });
});

describe('units.parse_bytes', () => {
  it.each([
    ['0', 0], ['12345', 12345], ['10KB', 10000], ['10KIB', 10240], ['10Kib', 10240], ['1.1KB', 1100],
    ['1.1KiB', 1126], ['100gib', 107374182400], ['100t', 100000000000000], ['"100TIB"', 109951162777600],
  ])('units.parse_bytes(%j) = %j', async (s, want) => {
    expect(await callBuiltin('units.parse_bytes', [s])).toBe(want);
  });

  it.each([
    ['', 'units.parse_bytes: no byte amount provided'],
    ['1 kb', 'units.parse_bytes: spaces not allowed in resource strings'],
    ['1.2.3kb', 'units.parse_bytes: could not parse byte amount to a number'],
    ['5zb', 'units.parse_bytes: byte unit zb not recognized'],
  ])('units.parse_bytes(%j) fails: %s', async (s, message) => {
    await expectBuiltinError('units.parse_bytes', [s], message);
  });

  it('rejects non-string operands', async () => {
    await expectBuiltinError('units.parse_bytes', [5], 
      'eval_type_error: units.parse_bytes: operand 1 must be string but got number',
    );
  });
});
