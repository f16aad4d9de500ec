// regex.* and glob.* (host; RE2 and gobwas/glob semantics over JS RegExp), in compiled policies.
import { describe, expect, it } from 'vitest';
import { callBuiltin, expectBuiltinError } from './test-harness.js';
import { translateRe2 } from './regex.js';

describe('regex.match / re_match / regex.is_valid', () => {
  it.each([
    ['^[a-z]+\\[[0-9]+\\]$', 'foo[1]', true],
    ['^[a-z]+$', 'Foo', false],
    ['(?i)^abc$', 'ABC', true],
    ['\\Afoo\\z', 'foo', true],
    ['\\Afoo\\z', 'foo\n', false],
    ['^[[:alpha:]]+$', 'abc', true],
    ['^[[:digit:]]+$', 'abc', false],
    ['^\\pL+$', 'åäö', true],
    ['^.$', '😀', true],
    ['^(?P<year>\\d{4})-\\d\\d$', '2024-01', true],
    ['\\Qa.b\\E', 'axb', false],
    ['\\Qa.b\\E', 'a.b', true],
    ['^\\-\\#$', '-#', true],
    ['^[\\w.-]+@[\\w-]+$', 'a.b-c@d-e', true],
    ['^a{,3}$', 'a{,3}', true],
    ['^x{2}$', 'xx', true],
  ])('regex.match(%j, %j) = %j', async (p, s, want) => {
    expect(await callBuiltin('regex.match', [p, s])).toBe(want);
    expect(await callBuiltin('re_match', [p, s])).toBe(want);
  });

  it.each([
    ['^a+$', true], ['(abc', false], ['a)', false], ['[a-', false], ['(?=x)', false], ['(a)\\1', false], ['x{2,3}', true],
  ])('regex.is_valid(%j) = %j', async (p, want) => {
    expect(await callBuiltin('regex.is_valid', [p])).toBe(want);
  });

  it('regex.is_valid of a non-string is false', async () => {
    expect(await callBuiltin('regex.is_valid', [5])).toBe(false);
  });

  it('an invalid pattern is an error naming the problem', async () => {
    await expectBuiltinError('regex.match', ['(', 'a'], 'eval_builtin_error: regex.match: error parsing regexp: missing closing )');
  });

  it('translates RE2-only syntax', () => {
    expect(translateRe2('(?P<n>a)\\z')).toEqual({ source: '(?<n>a)$', flags: 'u' });
    expect(translateRe2('(?is)x')).toEqual({ source: 'x', flags: 'uis' });
  });
});

describe('regex.find_n / find_all_string_submatch_n / replace', () => {
  it.each([
    ['a.', 'abacad', -1, ['ab', 'ac', 'ad']],
    ['a.', 'abacad', 2, ['ab', 'ac']],
    ['x*', 'axxb', -1, ['', 'xx', '']],
    ['z', 'abc', -1, []],
  ])('find_n(%j, %j, %j) = %j', async (p, s, n, want) => {
    expect(await callBuiltin('regex.find_n', [p, s, n])).toEqual(want);
  });

  it('find_all_string_submatch_n reports groups, "" for unmatched ones', async () => {
    expect(await callBuiltin('regex.find_all_string_submatch_n', ['(a)(b)?', 'aab', -1])).toEqual([['a', 'a', ''], ['ab', 'a', 'b']]);
  });

  it.each([
    ['foo bar', '(o+)', '[$1]', 'f[oo] bar'],
    ['2024-01', '(?P<y>\\d+)-(?P<m>\\d+)', '${m}/${y}', '01/2024'],
    ['abc', 'b', '$$', 'a$c'],
    ['aaa', 'a', 'b', 'bbb'],
  ])('replace(%j, %j, %j) = %j', async (s, p, r, want) => {
    expect(await callBuiltin('regex.replace', [s, p, r])).toBe(want);
  });
});

describe('regex.template_match', () => {
  it.each([
    ['urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}', true],
    ['urn:foo:{.*}', 'urn:bar:x', '{', '}', false],
    ['urn:foo.bar.com:{.*}', 'urn:foo.bar.com:bar:baz', '{', '}', true],
    ['urn:foo.bar.com:{.*}', 'urn:fooXbar.com:bar', '{', '}', false],
    ['id-<[0-9]{3}>', 'id-123', '<', '>', true],
    ['id-<[0-9]{3}>', 'id-1234', '<', '>', false],
  ])('template_match(%j, %j, %j, %j) = %j', async (t, v, a, b, want) => {
    expect(await callBuiltin('regex.template_match', [t, v, a, b])).toBe(want);
  });

  it('rejects unbalanced delimiters', async () => {
    await expectBuiltinError('regex.template_match', ['urn:{.*', 'urn:x', '{', '}'], 'eval_builtin_error: regex.template_match: unbalanced braces');
  });
});

describe('glob.match / glob.quote_meta', () => {
  it.each([
    ['[abc]at', [], 'cat', true],
    ['[a-c]at', [], 'fat', false],
    ['[!a-c]at', [], 'fat', true],
    ['?at', ['f'], 'bat', true],
    ['{cat,bat,[fr]at}', [], 'rat', true],
    ['{cat,bat,[fr]at}', [], 'mat', false],
    ['*', [], 'foo.bar', false],
    ['*', null, 'foo.bar', true],
    ['**', [], 'foo.bar', true],
    ['*.github.com', ['.'], 'api.github.com', true],
    ['*.github.com', ['.'], 'api.example.com', false],
    ['*.github.com', ['.'], 'a.b.github.com', false],
    ['**.github.com', ['.'], 'a.b.github.com', true],
    ['*:*', [':'], 'a:b', true],
    ['\\*x', [], '*x', true],
    ['\\*x', [], 'ax', false],
  ])('glob.match(%j, %j, %j) = %j', async (p, d, s, want) => {
    expect(await callBuiltin('glob.match', [p, d, s])).toBe(want);
  });

  it('rejects malformed patterns and operands', async () => {
    await expectBuiltinError('glob.match', ['[abc', [], 'a'], 'eval_builtin_error: glob.match');
    await expectBuiltinError('glob.match', ['*', 'x', 'a'], 
      'eval_type_error: glob.match: operand 2 must be one of {array, null} but got string',
    );
  });

  it.each([['*.github.com', '\\*.github.com'], ['[a]{b}?', '\\[a\\]\\{b\\}\\?'], ['plain', 'plain']])(
    'glob.quote_meta(%j) = %j',
    async (s, want) => {
      expect(await callBuiltin('glob.quote_meta', [s])).toBe(want);
    },
  );
});
