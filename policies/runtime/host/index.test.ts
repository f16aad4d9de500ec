// hostBuiltins(): names, error modes, and the marker protocol rt_host_result understands.
import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../compiler/builtins.js';
import { BUILTIN_ERROR_MARKER, HOST_BUILTIN_NAMES, hostBuiltins } from './index.js';
import { FAMILY_RUNTIME_BUILTINS } from './registry.js';

describe('hostBuiltins', () => {
  it('provides exactly the listed names, all known to the compiler, none also in-module', () => {
    const h = hostBuiltins();
    expect(Object.keys(h).sort()).toEqual([...HOST_BUILTIN_NAMES]);
    for (const name of HOST_BUILTIN_NAMES) expect(BUILTINS.has(name), name).toBe(true);
    for (const name of FAMILY_RUNTIME_BUILTINS) {
      expect(BUILTINS.has(name), name).toBe(true);
      expect(HOST_BUILTIN_NAMES).not.toContain(name);
    }
  });

  it("'throw' mode raises OPA's code and message", () => {
    expect(() => hostBuiltins({ errors: 'throw' })['units.parse']!('')).toThrow('eval_builtin_error: units.parse: no amount provided');
  });

  it("'marker' mode (the default) returns the error for the module to handle", () => {
    const h = hostBuiltins();
    expect(h['units.parse']!('')).toEqual({ [BUILTIN_ERROR_MARKER]: ['eval_builtin_error', 'units.parse', 'no amount provided'] });
    expect(h['glob.match']!(1, [], 'a')).toEqual({ [BUILTIN_ERROR_MARKER]: ['eval_type_error', 'glob.match', 1, 'string', 'number'] });
    expect(h['glob.match']!('*', [1], 'a')).toEqual({
      [BUILTIN_ERROR_MARKER]: ['eval_type_error', 'glob.match', 'operand 2 must be array of strings but got array containing number'],
    });
    expect(h['net.cidr_is_valid']!('10.0.0.0/8')).toBe(true);
  });

  it('lets other exceptions through unchanged', () => {
    const h = hostBuiltins({ now: () => { throw new RangeError('clock broken'); } });
    expect(() => h['time.now_ns']!()).toThrow(RangeError);
  });
});
