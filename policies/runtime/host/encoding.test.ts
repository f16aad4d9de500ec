// Encoding built-ins: base64*, hex*, json.marshal/unmarshal (in-module), urlquery.* and
// json.filter/remove (host), run inside compiled policies.
import { describe, expect, it } from 'vitest';
import { callBuiltin, expectBuiltinError } from './test-harness.js';

describe('base64 / base64url / hex (in-module)', () => {
  it.each([
    ['base64.encode', 'hello', 'aGVsbG8='],
    ['base64.encode', 'hi?', 'aGk/'],
    ['base64.encode', '', ''],
    ['base64.encode', 'åä', 'w6XDpA=='],
    ['base64.decode', 'aGVsbG8=', 'hello'],
    ['base64.decode', 'w6XDpA==', 'åä'],
    ['base64.decode', 'aGk/', 'hi?'],
    ['base64url.encode', 'hello', 'aGVsbG8='],
    ['base64url.encode', 'hi?', 'aGk_'],
    ['base64url.encode_no_pad', 'hello', 'aGVsbG8'],
    ['base64url.encode_no_pad', 'there', 'dGhlcmU'],
    ['base64url.decode', 'aGVsbG8=', 'hello'],
    ['base64url.decode', 'aGVsbG8', 'hello'],
    ['base64url.decode', 'aGk_', 'hi?'],
    ['hex.encode', 'hi!', '686921'],
    ['hex.decode', '686921', 'hi!'],
    ['hex.decode', '4A4b', 'JK'],
  ])('%s(%j) = %j', async (name, arg, want) => {
    expect(await callBuiltin(name, [arg])).toBe(want);
  });

  it.each([
    ['aGVsbG8=', true], ["{'not':'base64'}", false], ['aGVsbG8', false], ['', true], ['aGk/', true], ['a===', false],
  ])('base64.is_valid(%j) = %j', async (arg, want) => {
    expect(await callBuiltin('base64.is_valid', [arg])).toBe(want);
  });

  it.each([
    ['base64.decode', 'aGVsbG8', 'eval_builtin_error: base64.decode: illegal base64 data at input byte 4'],
    ['base64.decode', 'aG!s', 'eval_builtin_error: base64.decode: illegal base64 data at input byte 2'],
    ['base64url.decode', 'aGVsb', 'eval_builtin_error: base64url.decode: illegal base64url string: aGVsb'],
    ['hex.decode', '6g', "eval_builtin_error: hex.decode: encoding/hex: invalid byte: U+0067 'g'"],
    ['hex.decode', 'abc', 'eval_builtin_error: hex.decode: encoding/hex: odd length hex string'],
  ])('%s(%j) fails with OPA text in strict mode', async (name, arg, message) => {
    expect(await callBuiltin(name, [arg])).toBeUndefined();
    await expectBuiltinError(name, [arg], message);
  });

  it('rejects non-strings', async () => {
    await expectBuiltinError('base64.encode', [1], 
      'eval_type_error: base64.encode: operand 1 must be string but got number',
    );
  });
});

describe('json.marshal / json.unmarshal (in-module)', () => {
  it.each([
    [{ b: 1, a: [true, null, 'x'] }, '{"a":[true,null,"x"],"b":1}'],
    ['<a & b>', '"\\u003ca \\u0026 b\\u003e"'],
    [1000000000, '1000000000'],
    [1.5, '1.5'],
  ])('marshal(%j) = %j', async (v, want) => {
    expect(await callBuiltin('json.marshal', [v])).toBe(want);
  });

  it('marshals a set as a sorted array', async () => {
    expect(await callBuiltin('json.marshal', [{ set: ['b', 'a', 1] }])).toBe('[1,"a","b"]');
  });

  it('unmarshals JSON text and fails on garbage', async () => {
    expect(await callBuiltin('json.unmarshal', ['{"a": [1, "x", {"b": null}]}'])).toEqual({ a: [1, 'x', { b: null }] });
    expect(await callBuiltin('json.unmarshal', ['{'])).toBeUndefined();
    await expectBuiltinError('json.unmarshal', ['{'], 'eval_builtin_error: json.unmarshal');
  });
});

describe('urlquery.* (host)', () => {
  it.each([
    ['urlquery.encode', 'a b&c=d/é', 'a+b%26c%3Dd%2F%C3%A9'],
    ['urlquery.encode', 'safe-_.~', 'safe-_.~'],
    ['urlquery.decode', 'a+b%26c%3Dd%2F%C3%A9', 'a b&c=d/é'],
  ])('%s(%j) = %j', async (name, arg, want) => {
    expect(await callBuiltin(name, [arg])).toBe(want);
  });

  it('encodes and decodes objects', async () => {
    expect(await callBuiltin('urlquery.encode_object', [{ b: ['1', '2'], a: 'x y' }])).toBe('a=x+y&b=1&b=2');
    expect(await callBuiltin('urlquery.decode_object', ['a=1&a=2&b=x+y'])).toEqual({ a: ['1', '2'], b: ['x y'] });
  });

  it('reports bad escapes', async () => {
    await expectBuiltinError('urlquery.decode', ['%zz'], 'eval_builtin_error: urlquery.decode: invalid URL escape "%zz"');
  });
});

describe('json.filter / json.remove (host)', () => {
  it.each([
    [{ a: { b: { c: 7, d: 8 } }, e: 9 }, ['a/b/c'], { a: { b: { c: 7 } } }],
    [{ a: { b: { c: 7, d: 8 }, e: 9 } }, ['a/b/c', 'a/e'], { a: { b: { c: 7 }, e: 9 } }],
    [{}, ['a/b'], {}],
    [{ a: [{ x: 1, y: 2 }, { x: 3 }] }, ['a/1/x'], { a: [{ x: 3 }] }],
    [{ a: 1, b: 2 }, [['b']], { b: 2 }],
    [{ a: { b: 1, c: 2 } }, ['a', 'a/b'], { a: { b: 1, c: 2 } }],
  ])('filter(%j, %j) = %j', async (obj, paths, want) => {
    expect(await callBuiltin('json.filter', [obj, paths])).toEqual(want);
  });

  it('filter accepts a set of paths', async () => {
    expect(await callBuiltin('json.filter', [{ a: 1, b: 2, c: 3 }, { set: ['a', 'c'] }])).toEqual({ a: 1, c: 3 });
  });

  it.each([
    [{ a: { b: { c: 7, d: 8 } }, e: 9 }, ['a/b/c', 'e'], { a: { b: { d: 8 } } }],
    [{ a: [1, 2, 3] }, ['a/0'], { a: [2, 3] }],
    [{ a: 1 }, ['x/y'], { a: 1 }],
  ])('remove(%j, %j) = %j', async (obj, paths, want) => {
    expect(await callBuiltin('json.remove', [obj, paths])).toEqual(want);
  });
});
