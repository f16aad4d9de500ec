// In-module string built-ins (assembly/builtins/strings_ext.ts), run inside compiled policies.
import { describe, expect, it } from 'vitest';
import { callBuiltin, expectBuiltinError } from './test-harness.js';

describe('strings.any_prefix_match / any_suffix_match', () => {
  it.each([
    [['a/b/c', 'a/b/d', 'e/f/g'], ['a/', 'd/'], true],
    [['a/b/c', 'a/b/d', 'e/f/g'], ['f/', 'd/'], false],
    [['aa/bb/cc'], ['a/b'], false],
    ['a/b/c', ['g/', 'a/'], true],
    [['a/b/c'], 'd/', false],
    [[], ['a/'], false],
  ])('any_prefix_match(%j, %j) = %j', async (search, base, want) => {
    expect(await callBuiltin('strings.any_prefix_match', [search, base])).toBe(want);
  });

  it('accepts sets on both sides', async () => {
    expect(await callBuiltin('strings.any_prefix_match', [{ set: ['a/b/c', 'e/f'] }, { set: ['x/', 'e/'] }])).toBe(true);
    expect(await callBuiltin('strings.any_suffix_match', [{ set: ['a/b/c'] }, { set: ['/c'] }])).toBe(true);
  });

  it.each([
    [['x.example.com', 'y'], ['.com'], true],
    ['x.example.org', ['.com', '.net'], false],
  ])('any_suffix_match(%j, %j) = %j', async (search, base, want) => {
    expect(await callBuiltin('strings.any_suffix_match', [search, base])).toBe(want);
  });

  it('is undefined on wrong operand types by default', async () => {
    expect(await callBuiltin('strings.any_prefix_match', [1, ['a']])).toBeUndefined();
    expect(await callBuiltin('strings.any_prefix_match', [['a'], [1]])).toBeUndefined();
  });

  it('raises OPA type errors in strict mode', async () => {
    await expectBuiltinError('strings.any_prefix_match', [1, ['f/']], 
      'eval_type_error: strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number',
    );
    await expectBuiltinError('strings.any_prefix_match', [['a'], [1, 2]], 
      'eval_type_error: strings.any_prefix_match: operand 2 must be array of strings but got array containing number',
    );
  });
});

describe('strings.reverse / strings.count / indexof_n / strings.replace_n', () => {
  it.each([['abc', 'cba'], ['åäö!', '!öäå'], ['', ''], ['a😀b', 'b😀a']])('reverse(%j) = %j', async (s, want) => {
    expect(await callBuiltin('strings.reverse', [s])).toBe(want);
  });

  it.each([
    ['cheese', 'e', 3], ['aaaa', 'aa', 2], ['five', '', 5], ['åäö', '', 4], ['abc', 'x', 0],
  ])('count(%j, %j) = %j', async (s, sub, want) => {
    expect(await callBuiltin('strings.count', [s, sub])).toBe(want);
  });

  it.each([
    ['sssss', 'ss', [0, 1, 2, 3]], ['åäöå', 'å', [0, 3]], ['abc', 'x', []], ['dogs and cats', 's', [3, 12]],
  ])('indexof_n(%j, %j) = %j', async (s, sub, want) => {
    expect(await callBuiltin('indexof_n', [s, sub])).toEqual(want);
  });

  it('indexof_n with an empty needle is an error', async () => {
    expect(await callBuiltin('indexof_n', ['abc', ''])).toBeUndefined();
    await expectBuiltinError('indexof_n', ['abc', ''], 
      'eval_builtin_error: indexof_n: empty search character',
    );
  });

  it.each([
    [{ a: 'b', b: 'c' }, 'aabb', 'bbcc'],
    [{ '<': '&lt;', '>': '&gt;' }, '<p>', '&lt;p&gt;'],
    [{ ab: 'X', a: 'Y' }, 'aab', 'YYb'], // same position: first key in Rego order ("a" < "ab") wins
    [{}, 'same', 'same'],
  ])('replace_n(%j, %j) = %j', async (patterns, s, want) => {
    expect(await callBuiltin('strings.replace_n', [patterns, s])).toBe(want);
  });

  it('replace_n rejects non-string replacements in strict mode', async () => {
    await expectBuiltinError('strings.replace_n', [{ a: 1 }, 'a'], 'eval_type_error');
  });
});
