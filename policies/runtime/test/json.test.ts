import { describe, expect, it } from 'vitest';
import { loadRuntime } from './harness.js';

const rt = loadRuntime();
const roundTrip = (text: string) => rt.dumpText(rt.parse(text));

describe('opa_json_parse / opa_json_dump', () => {
  it('round-trips scalars', () => {
    expect(roundTrip('null')).toBe('null');
    expect(roundTrip('true')).toBe('true');
    expect(roundTrip('false')).toBe('false');
    expect(roundTrip('"abc"')).toBe('"abc"');
    expect(roundTrip('  42  ')).toBe('42');
  });

  it('prints integers without a fraction and other numbers shortest round-trip', () => {
    expect(roundTrip('1.0')).toBe('1');
    expect(roundTrip('-0.5')).toBe('-0.5');
    expect(roundTrip('1e3')).toBe('1000');
    expect(roundTrip('0.1')).toBe('0.1');
    expect(roundTrip('123456789012345')).toBe('123456789012345');
    expect(roundTrip('9007199254740991')).toBe('9007199254740991');
    expect(Number(roundTrip('3.141592653589793'))).toBe(3.141592653589793);
    expect(Number(roundTrip('1.5e-7'))).toBe(1.5e-7);
    expect(Number(roundTrip('-2.5E+30'))).toBe(-2.5e30);
  });

  it('passes literals f64 cannot hold through unchanged', () => {
    expect(roundTrip('1670006453141828752')).toBe('1670006453141828752');
    expect(roundTrip('[123456789123456789123,-98765432109876543210]')).toBe('[123456789123456789123,-98765432109876543210]');
    expect(roundTrip('2e308')).toBe('2e308');
    expect(roundTrip('{"n":1.000000000000000000001}')).toBe('{"n":1.000000000000000000001}');
  });

  it('decodes escapes and surrogate pairs and re-escapes what JSON requires', () => {
    const v = rt.parse('"a\\"b\\\\c\\/d\\n\\t\\r\\b\\f\\u00e9\\u20ac\\ud83d\\ude00"');
    expect(rt.dump(v)).toBe('a"b\\c/d\n\t\r\b\f\u00e9\u20ac\ud83d\ude00');
    expect(rt.call('b_count', { ptr: v })).toBe(15); // code points, not bytes
    expect(roundTrip('"\\u0001"')).toBe('"\\u0001"');
    // lone surrogates become U+FFFD
    expect(rt.dump(rt.parse('"\\ud800x"'))).toBe('\ufffdx');
  });

  it('keeps raw UTF-8 intact', () => {
    const s = 'grüße ☎ 📞 日本';
    expect(rt.dump(rt.parse(JSON.stringify(s)))).toBe(s);
  });

  it('sorts object keys and keeps the last duplicate', () => {
    expect(roundTrip('{"b":1,"a":2,"c":{"z":1,"y":2}}')).toBe('{"a":2,"b":1,"c":{"y":2,"z":1}}');
    expect(roundTrip('{"a":1,"a":2}')).toBe('{"a":2}');
  });

  it('round-trips nested documents and large documents', () => {
    const doc = {
      orders: Array.from({ length: 2000 }, (_, i) => ({
        id: `o-${i}`, qty: i, price: i / 4, tags: ['x', `t${i % 7}`], ok: i % 2 === 0, note: null,
      })),
      meta: { empty: {}, list: [], nested: [[[]], [{}]] },
    };
    const text = JSON.stringify(doc);
    expect(rt.dump(rt.parse(text))).toEqual(doc);
  });

  it('rejects malformed JSON with 0', () => {
    for (const bad of ['', '{', '[1,]', '{"a":1,}', '01', '1.', '.5', '+1', 'tru', '"abc', '"\\x"', '"a\nb"',
      '{a:1}', '[1 2]', '1 2', 'nul', '"\\u12"', '-', '1e', '{"a"}']) {
      expect(rt.parse(bad), bad).toBe(0);
    }
  });

  it('dumps sets as sorted arrays', () => {
    expect(rt.dump(rt.set([3, 'a', 1, null, [1], { k: 1 }, true, 1]))).toEqual([null, true, 1, 3, 'a', [1], { k: 1 }]);
  });
});

describe('ordering (rt_compare) and equality (rt_equal)', () => {
  const cmp = (a: unknown, b: unknown) => Math.sign(rt.exports.rt_compare!(rt.parse(JSON.stringify(a)), rt.parse(JSON.stringify(b))));

  it('orders types null < boolean < number < string < array < object < set', () => {
    const ordered = [null, false, true, -1, 0, 2.5, 10, '', 'A', 'a', 'ab', 'é', [], [1], [1, 2], [2], {}, { a: 1 }, { a: 2 }, { b: 0 }];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(cmp(ordered[i], ordered[j]), `${JSON.stringify(ordered[i])} vs ${JSON.stringify(ordered[j])}`).toBe(Math.sign(i - j));
      }
    }
    const s = rt.set([1]);
    expect(rt.exports.rt_compare!(rt.parse('{"z":1}'), s)).toBeLessThan(0);
    expect(rt.exports.rt_compare!(rt.set([1, 2]), rt.set([1, 3]))).toBeLessThan(0);
    expect(rt.exports.rt_compare!(rt.set([1]), rt.set([1, 0]))).toBeGreaterThan(0); // {0,1} sorts before {1}
  });

  it('orders big integers exactly', () => {
    expect(cmp(1670006453141828752, 1670006453141828752)).toBe(0);
    const a = rt.parse('1670006453141828752');
    const b = rt.parse('1670006453141828753');
    expect(rt.exports.rt_compare!(a, b)).toBeLessThan(0);
    expect(rt.exports.rt_equal!(a, b)).toBe(0);
    expect(rt.exports.rt_compare!(rt.parse('-1670006453141828753'), rt.parse('-1670006453141828752'))).toBeLessThan(0);
  });

  it('treats 1 and 1.0 as equal', () => {
    expect(rt.exports.rt_equal!(rt.parse('1'), rt.parse('1.0'))).toBe(1);
    expect(rt.exports.rt_equal!(rt.parse('[1,{"a":2}]'), rt.parse('[1.0,{"a":2.0}]'))).toBe(1);
    expect(rt.exports.rt_equal!(rt.parse('"1"'), rt.parse('1'))).toBe(0);
  });
});
