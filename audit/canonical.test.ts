import { describe, expect, it } from 'vitest';
import { canonicalJson, CanonicalJsonError } from './canonical.js';

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    // "\u20ac" (€, 0x20AC) sorts after "\r" (0x0D) and before "\ud83d\ude00" (surrogate 0xD83D).
    expect(canonicalJson({ '\ud83d\ude00': 3, '\u20ac': 2, '\r': 1 })).toBe('{"\\r":1,"€":2,"😀":3}');
  });

  it('serialises numbers like ECMAScript (RFC 8785 §3.2.2.3)', () => {
    expect(canonicalJson([1e21, 1e-7, 0.1, -0, 100, 1.5])).toBe('[1e+21,1e-7,0.1,0,100,1.5]');
  });

  it('is independent of key insertion order', () => {
    expect(canonicalJson({ x: 1, y: [true, false] })).toBe(canonicalJson({ y: [true, false], x: 1 }));
  });

  it('rejects values JSON cannot represent, naming where', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow('/a/1');
    expect(() => canonicalJson({ a: 1n })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson([undefined])).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/Date/);
  });

  it('omits undefined members as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });
});
