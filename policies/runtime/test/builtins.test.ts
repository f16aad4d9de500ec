import { describe, expect, it } from 'vitest';
import { loadRuntime, RuntimeAbort } from './harness.js';

const rt = loadRuntime();
const call = rt.call;
const S = (items: unknown[]) => ({ ptr: rt.set(items) });

describe('operators', () => {
  it('compares by Rego order', () => {
    expect(call('b_lt', 1, 2)).toBe(true);
    expect(call('b_lt', 'a', 1)).toBe(false);
    expect(call('b_gte', [1, 2], [1])).toBe(true);
    expect(call('b_lte', null, false)).toBe(true);
    expect(call('b_gt', { a: 1 }, [9])).toBe(true);
    expect(call('b_equal', 1, 1.0)).toBe(true);
    expect(call('b_neq', 'x', 'y')).toBe(true);
  });

  it('does arithmetic and reports errors as undefined', () => {
    expect(call('b_plus', 1, 2.5)).toBe(3.5);
    expect(call('b_minus', 10, 3)).toBe(7);
    expect(call('b_mul', 4, -2)).toBe(-8);
    expect(call('b_div', 7, 2)).toBe(3.5);
    expect(call('b_rem', -7, 3)).toBe(-1);
    expect(call('b_div', 1, 0)).toBeUndefined();
    expect(call('b_rem', 1, 0)).toBeUndefined();
    expect(call('b_rem', 1.5, 1)).toBeUndefined();
    expect(call('b_plus', 'a', 1)).toBeUndefined();
  });

  it('does set difference, intersection and union', () => {
    expect(call('b_minus', S([1, 2, 3]), S([2]))).toEqual([1, 3]);
    expect(call('b_and', S([1, 2, 3]), S([3, 2, 5]))).toEqual([2, 3]);
    expect(call('b_or', S(['b', 1]), S(['a', 1]))).toEqual([1, 'a', 'b']);
    expect(call('b_set_diff', S([1, 2]), S([1]))).toEqual([2]);
    expect(call('b_minus', S([1]), 1)).toBeUndefined();
  });

  it('tests membership', () => {
    expect(call('b_internal_member_2', 2, [1, 2])).toBe(true);
    expect(call('b_internal_member_2', 2, { a: 2 })).toBe(true);
    expect(call('b_internal_member_2', 'a', { a: 2 })).toBe(false);
    expect(call('b_internal_member_2', 3, S([3]))).toBe(true);
    expect(call('b_internal_member_2', 3, 'abc')).toBe(false);
    expect(call('b_internal_member_3', 1, 'y', ['x', 'y'])).toBe(true);
    expect(call('b_internal_member_3', 'k', 'v', { k: 'v' })).toBe(true);
    expect(call('b_internal_member_3', 'k', 'w', { k: 'v' })).toBe(false);
  });
});

describe('aggregates', () => {
  it('counts, sums, multiplies, finds extremes and sorts', () => {
    expect(call('b_count', [1, 2, 3])).toBe(3);
    expect(call('b_count', { a: 1 })).toBe(1);
    expect(call('b_count', 'héllo')).toBe(5);
    expect(call('b_count', S([1, 1, 2]))).toBe(2);
    expect(call('b_count', 5)).toBeUndefined();
    expect(call('b_sum', [1, 2, 3.5])).toBe(6.5);
    expect(call('b_sum', S([]))).toBe(0);
    expect(call('b_product', [2, 3, 4])).toBe(24);
    expect(call('b_sum', [1, 'a'])).toBeUndefined();
    expect(call('b_max', [3, 'a', 1])).toBe('a');
    expect(call('b_min', S([3, 2, 9]))).toBe(2);
    expect(call('b_max', [])).toBeUndefined();
    expect(call('b_sort', [3, 'b', null, 1, 'a', [0]])).toEqual([null, 1, 3, 'a', 'b', [0]]);
    expect(call('b_sort', S([2, 1]))).toEqual([1, 2]);
  });
});

describe('numbers', () => {
  it('rounds like Go (half away from zero)', () => {
    expect(call('b_round', 2.5)).toBe(3);
    expect(call('b_round', -2.5)).toBe(-3);
    expect(call('b_round', 2.4)).toBe(2);
    expect(call('b_ceil', 1.2)).toBe(2);
    expect(call('b_floor', -1.2)).toBe(-2);
    expect(call('b_abs', -4)).toBe(4);
  });

  it('makes ranges', () => {
    expect(call('b_numbers_range', 1, 4)).toEqual([1, 2, 3, 4]);
    expect(call('b_numbers_range', 2, -1)).toEqual([2, 1, 0, -1]);
    expect(call('b_numbers_range', 1.5, 2)).toBeUndefined();
    expect(call('b_numbers_range_step', 0, 10, 4)).toEqual([0, 4, 8]);
    expect(call('b_numbers_range_step', 0, 10, 0)).toBeUndefined();
  });

  it('converts to numbers and formats integers', () => {
    expect(call('b_to_number', '12.5')).toBe(12.5);
    expect(call('b_to_number', '-3')).toBe(-3);
    expect(call('b_to_number', true)).toBe(1);
    expect(call('b_to_number', null)).toBe(0);
    expect(call('b_to_number', 'abc')).toBeUndefined();
    expect(call('b_to_number', [1])).toBeUndefined();
    expect(call('b_format_int', 255, 16)).toBe('ff');
    expect(call('b_format_int', -5.9, 2)).toBe('-101');
    expect(call('b_format_int', 10, 10)).toBe('10');
    expect(call('b_format_int', 10, 3)).toBeUndefined();
  });

  it('does bit arithmetic', () => {
    expect(call('b_bits_and', 12, 10)).toBe(8);
    expect(call('b_bits_or', 12, 10)).toBe(14);
    expect(call('b_bits_xor', 12, 10)).toBe(6);
    expect(call('b_bits_negate', 5)).toBe(-6);
    expect(call('b_bits_lsh', 1, 10)).toBe(1024);
    expect(call('b_bits_rsh', 1024, 3)).toBe(128);
    expect(call('b_bits_and', 1.5, 1)).toBeUndefined();
  });
});

describe('types', () => {
  it('names types', () => {
    const cases: Array<[unknown, string]> = [[null, 'null'], [true, 'boolean'], [1, 'number'], ['s', 'string'], [[], 'array'], [{}, 'object']];
    for (const [v, name] of cases) {
      expect(call('b_type_name', v)).toBe(name);
      expect(call(`b_is_${name}`, v)).toBe(true);
      expect(call(`b_is_${name === 'null' ? 'number' : 'null'}`, v)).toBe(false);
    }
    expect(call('b_type_name', S([]))).toBe('set');
    expect(call('b_is_set', S([]))).toBe(true);
  });
});

describe('arrays, objects, sets', () => {
  it('concatenates, slices and reverses arrays', () => {
    expect(call('b_array_concat', [1], [2, 3])).toEqual([1, 2, 3]);
    expect(call('b_array_slice', [1, 2, 3, 4], 1, 3)).toEqual([2, 3]);
    expect(call('b_array_slice', [1, 2, 3], -5, 10)).toEqual([1, 2, 3]);
    expect(call('b_array_slice', [1, 2, 3], 2, 1)).toEqual([]);
    expect(call('b_array_reverse', [1, 2, 3])).toEqual([3, 2, 1]);
  });

  it('reads and reshapes objects', () => {
    expect(call('b_object_get', { a: 1 }, 'a', 0)).toBe(1);
    expect(call('b_object_get', { a: 1 }, 'b', 'dflt')).toBe('dflt');
    expect(call('b_object_get', { a: { b: [5, 6] } }, ['a', 'b', 1], 0)).toBe(6);
    expect(call('b_object_get', { a: {} }, ['a', 'x'], 'none')).toBe('none');
    expect(call('b_object_keys', { b: 1, a: 2 })).toEqual(['a', 'b']);
    expect(call('b_object_remove', { a: 1, b: 2, c: 3 }, ['a', 'c'])).toEqual({ b: 2 });
    expect(call('b_object_remove', { a: 1, b: 2 }, { b: 0 })).toEqual({ a: 1 });
    expect(call('b_object_filter', { a: 1, b: 2, c: 3 }, S(['a', 'c']))).toEqual({ a: 1, c: 3 });
    expect(call('b_object_union', { a: { x: 1, y: 1 }, b: 1 }, { a: { y: 2 }, c: 3 })).toEqual({ a: { x: 1, y: 2 }, b: 1, c: 3 });
    expect(call('b_object_union_n', [{ a: 1 }, { b: 2 }, { a: 3 }])).toEqual({ a: 3, b: 2 });
  });

  it('unions and intersects sets of sets', () => {
    const sets = rt.exports.rt_set_from_array!(rt.parse('[]'));
    for (const s of [[1, 2], [2, 3]]) rt.exports.rt_set_add!(sets, rt.set(s));
    expect(call('b_union', { ptr: sets })).toEqual([1, 2, 3]);
    expect(call('b_intersection', { ptr: sets })).toEqual([2]);
    expect(call('b_intersection', S([]))).toEqual([]);
  });

  it('computes subsets like OPA', () => {
    expect(call('b_object_subset', { a: 1, b: { c: [1, 2, 3], d: 'x' } }, { b: { c: [2, 3] } })).toBe(true);
    expect(call('b_object_subset', { a: 1 }, { a: 2 })).toBe(false);
    expect(call('b_object_subset', { a: 1 }, { b: 1 })).toBe(false);
    expect(call('b_object_subset', S([1, 2, 3]), S([3, 1]))).toBe(true);
    expect(call('b_object_subset', [1, 2, 3, 4], [2, 4])).toBe(false); // must be contiguous
    expect(call('b_object_subset', [1, 2, 3, 4], [2, 3])).toBe(true);
    expect(call('b_object_subset', [3, 1, 2], S([1, 3]))).toBe(true);
    expect(call('b_object_subset', 'a', 'a')).toBeUndefined();
  });

  it('finds reachable vertices', () => {
    const g = { a: ['b'], b: S(['c']), c: [], d: ['a'] };
    const graph = rt.parse('{}');
    for (const [k, v] of Object.entries(g)) {
      rt.exports.rt_object_insert!(graph, rt.parse(JSON.stringify(k)), 'ptr' in (v as object) ? (v as { ptr: number }).ptr : rt.parse(JSON.stringify(v)));
    }
    expect(call('b_graph_reachable', { ptr: graph }, ['a'])).toEqual(['a', 'b', 'c']);
    expect(call('b_graph_reachable', { ptr: graph }, S(['d', 'zz']))).toEqual(['a', 'b', 'c', 'd']);
    expect(call('b_graph_reachable', { ptr: graph }, [])).toEqual([]);
    // paths end at vertices without edges, before unknown vertices, and where a cycle closes
    expect(call('b_graph_reachable_paths', { ptr: graph }, ['d'])).toEqual([['d', 'a', 'b', 'c']]);
    const cyclic = rt.parse('{"x":["y","q"],"y":["x"]}');
    expect(call('b_graph_reachable_paths', { ptr: cyclic }, ['x'])).toEqual([['x'], ['x', 'y']]);
  });

  it('walks documents parents-first', () => {
    expect(call('b_walk', { a: [1] })).toEqual([
      [[], { a: [1] }],
      [['a'], [1]],
      [['a', 0], 1],
    ]);
  });
});

describe('strings', () => {
  it('searches', () => {
    expect(call('b_contains', 'telecom', 'eco')).toBe(true);
    expect(call('b_contains', 'telecom', 'x')).toBe(false);
    expect(call('b_startswith', 'telecom', 'tele')).toBe(true);
    expect(call('b_endswith', 'telecom', 'com')).toBe(true);
    expect(call('b_endswith', 'om', 'com')).toBe(false);
    expect(call('b_indexof', 'héllo', 'l')).toBe(2);
    expect(call('b_indexof', 'abc', 'z')).toBe(-1);
  });

  it('builds and splits', () => {
    expect(call('b_concat', ', ', ['a', 'b', 'c'])).toBe('a, b, c');
    expect(call('b_concat', '-', S(['b', 'a']))).toBe('a-b');
    expect(call('b_concat', '-', [1])).toBeUndefined();
    expect(call('b_split', 'a,b,,c', ',')).toEqual(['a', 'b', '', 'c']);
    expect(call('b_split', 'hé', '')).toEqual(['h', 'é']);
    expect(call('b_replace', 'a-b-c', '-', '+')).toBe('a+b+c');
    expect(call('b_replace', 'ab', '', '.')).toBe('.a.b.');
    expect(call('b_substring', 'héllo world', 1, 4)).toBe('éllo');
    expect(call('b_substring', 'hello', 2, -1)).toBe('llo');
    expect(call('b_substring', 'hello', 9, 2)).toBe('');
    expect(call('b_substring', 'hello', -1, 2)).toBeUndefined();
  });

  it('changes case and trims', () => {
    expect(call('b_lower', 'ÀBC')).toBe('àbc');
    expect(call('b_upper', 'straße')).toBe('STRASSE');
    expect(call('b_trim', 'xxhixx', 'x')).toBe('hi');
    expect(call('b_trim_left', '¡¡hi!!', '¡')).toBe('hi!!');
    expect(call('b_trim_right', 'hi!!', '!')).toBe('hi');
    expect(call('b_trim_prefix', 'prefix-x', 'prefix-')).toBe('x');
    expect(call('b_trim_prefix', 'x', 'prefix-')).toBe('x');
    expect(call('b_trim_suffix', 'x.rego', '.rego')).toBe('x');
    expect(call('b_trim_space', ' \t hi \n')).toBe('hi');
  });
});

describe('UTF-8 with invalid bytes (Go rules: each invalid byte is one code point)', () => {
  const raw = (bytes: number[]) => {
    const v = rt.exports.rt_alloc_string!(bytes.length);
    new Uint8Array(rt.memory.buffer).set(bytes, v + 8);
    return { ptr: v };
  };
  it('counts, splits and slices', () => {
    // "a", invalid 0xff, "é", truncated 3-byte sequence (0xe2 0x82), "b"
    const s = raw([0x61, 0xff, 0xc3, 0xa9, 0xe2, 0x82, 0x62]);
    expect(call('b_count', s)).toBe(6);
    expect((call('b_split', s, '') as string[]).length).toBe(6);
    expect(call('b_substring', s, 2, 1)).toBe('é');
    expect(call('b_count', raw([0xed, 0xa0, 0x80]))).toBe(3); // encoded surrogate: invalid
    expect(call('b_count', raw([0xf0, 0x9f, 0x93, 0x9e]))).toBe(1);
  });
});

describe('print', () => {
  it('writes through opa_println', () => {
    expect(call('b_print', ['a', 1, { k: true }])).toBe(true);
    expect(rt.printed.at(-1)).toBe('a 1 {"k":true}');
  });
});

describe('strict built-in errors', () => {
  it('abort with eval_builtin_error and eval_type_error when enabled', () => {
    rt.exports.rt_set_strict_builtin_errors!(1);
    try {
      expect(() => call('b_div', 1, 0)).toThrow(new RuntimeAbort('eval_builtin_error: div: divide by zero'));
      expect(() => call('b_count', 1)).toThrow(/^eval_type_error: count: operand 1 must be one of \{array, object, set, string\} but got number$/);
      expect(() => call('b_bits_and', 1.5, 1)).toThrow('eval_type_error: bits.and: operand 1 must be integer number but got floating-point number');
      expect(() => call('b_numbers_range', 1, 2.5)).toThrow('eval_type_error: numbers.range: operand 2 must be integer number but got floating-point number');
      expect(() => call('b_format_int', 1, 7)).toThrow('eval_type_error: format_int: operand 2 must be one of {2, 8, 10, 16}');
    } finally {
      rt.exports.rt_set_strict_builtin_errors!(0);
    }
    expect(call('b_div', 1, 0)).toBeUndefined();
  });
});
