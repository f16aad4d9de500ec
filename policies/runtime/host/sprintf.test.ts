// sprintf in the module (assembly/builtins/sprintf.ts): Go fmt semantics over OPA's argument
// conversion (integral numbers → int, others → float64, non-strings → Rego text).
import { describe, expect, it } from 'vitest';
import { callBuiltin, expectBuiltinError } from './test-harness.js';

describe('sprintf', () => {
  it.each([
    ['hello %s', ['world'], 'hello world'],
    ['%v and %v', [1, 'x'], '1 and x'],
    ['%d items', [42], '42 items'],
    ['%v', [[1, 'a', null]], '[1, "a", null]'],
    ['%v', [{ b: [true], a: 1 }], '{"a": 1, "b": [true]}'],
    ['%v', [null], 'null'],
    ['%v', [true], 'true'],
    ['%s', [{ k: 'v' }], '{"k": "v"}'],
    ['%s', [1], '%!s(int=1)'],
    ['%d', ['x'], '%!d(string=x)'],
    ['%d', [1.5], '%!d(float64=1.5)'],
    ['%v', [1.5], '1.5'],
    ['%v', [1234567.5], '1.2345675e+06'],
    ['%v', [0.00001234], '1.234e-05'],
    ['%.2f', [3.14159], '3.14'],
    ['%f', [2.5], '2.500000'],
    ['%.0f', [2.5], '3'],
    ['%e', [1234.5678], '1.234568e+03'],
    ['%.3g', [1234.5678], '1.23e+03'],
    ['%g', [0.5], '0.5'],
    ['%x', [255], 'ff'],
    ['%X', [255], 'FF'],
    ['%#x', [255], '0xff'],
    ['%o', [8], '10'],
    ['%b', [5], '101'],
    ['%x', ['hi'], '6869'],
    ['%q', ['a"b'], '"a\\"b"'],
    ['%5d|', [42], '   42|'],
    ['%-5d|', [42], '42   |'],
    ['%05d', [-42], '-0042'],
    ['%+d', [5], '+5'],
    ['%6.2f|', [3.14159], '  3.14|'],
    ['%.3s', ['abcdef'], 'abc'],
    ['%10s|', ['åäö'], '       åäö|'],
    ['%T %T %T %T', [1, 1.5, 'a', [1]], 'int float64 string string'],
    ['100%%', [], '100%'],
    ['%d %d', [1], '1 %!d(MISSING)'],
    ['%d', [1, 'x'], '1%!(EXTRA string=x)'],
    ['%t', [true], '%!t(string=true)'],
    ['%v', [-0.5], '-0.5'],
    ['%d', [-9007199254740991], '-9007199254740991'],
    ['trailing %', [], 'trailing %!(NOVERB)'],
    ['%v', [1e21], '1000000000000000000000'],
    ['%d', [123456789123456789123], '123456789123456800000'], // f64 runtime: shortest round-trip digits, not OPA's exact 123456789123456789123
    ['%v', [[1e21]], '[1000000000000000000000]'],
  ])('sprintf(%j, %j) = %j', async (format, values, want) => {
    expect(await callBuiltin('sprintf', [format, values])).toBe(want);
  });

  it('prints sets in Rego syntax', async () => {
    expect(await callBuiltin('sprintf', ['%v|%v|%s', { array: [{ set: [] }, { set: ['b', 'a', 1] }, { array: [{ set: [true] }] }] }]))
      .toBe('set()|{1, "a", "b"}|[{true}]');
  });

  it('takes operand 2 as an array only (a set is a type error, as in OPA)', async () => {
    await expectBuiltinError('sprintf', ['%v', { set: ['b', 'a'] }], 'eval_type_error: sprintf: operand 2 must be array but got set');
  });

  it('rejects a non-array operand 2 with OPA\'s type error', async () => {
    await expectBuiltinError('sprintf', ['%v', 'x'], 'eval_type_error: sprintf: operand 2 must be array but got string');
  });
});
