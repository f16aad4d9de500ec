// net.cidr_* and semver.* (host), run inside compiled policies.
import { describe, expect, it } from 'vitest';
import { callBuiltin, expectBuiltinError } from './test-harness.js';

describe('net.cidr_contains / cidr_intersects / cidr_is_valid', () => {
  it.each([
    ['10.0.0.0/8', '10.1.1.1/32', true],
    ['10.0.0.0/8', '10.1.1.1', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['10.0.0.0/8', '10.0.0.0/7', false],
    ['192.168.1.0/24', '192.168.1.128/25', true],
    ['2001:4860::/96', '2001:4860::/32', false],
    ['2001:4860::/32', '2001:4860:0:1::/64', true],
    ['2001:4860::/32', '2001:4860::1', true],
    ['10.0.0.0/8', '::1', false],
    ['0.0.0.0/0', '255.255.255.255', true],
  ])('cidr_contains(%j, %j) = %j', async (a, b, want) => {
    expect(await callBuiltin('net.cidr_contains', [a, b])).toBe(want);
  });

  it('cidr_contains rejects malformed operands', async () => {
    await expectBuiltinError('net.cidr_contains', ['192.168.1.0/28', 'not-a-cidr'], 
      'eval_builtin_error: net.cidr_contains: not a valid textual representation of an IP address or CIDR: not-a-cidr',
    );
    await expectBuiltinError('net.cidr_contains', ['10.0.0.0', '10.0.0.1'], 'invalid CIDR address: 10.0.0.0');
  });

  it.each([
    ['192.168.0.0/16', '192.168.1.0/24', true],
    ['192.168.1.0/24', '192.168.0.0/16', true],
    ['10.0.0.0/8', '192.168.0.0/16', false],
    ['fd00::/8', 'fd12::/16', true],
  ])('cidr_intersects(%j, %j) = %j', async (a, b, want) => {
    expect(await callBuiltin('net.cidr_intersects', [a, b])).toBe(want);
  });

  it.each([
    ['10.0.0.0/8', true], ['10.0.0.0/33', false], ['10.0.0.0', false], ['010.0.0.0/8', false],
    ['::/0', true], ['2001:db8::/129', false], ['1.2.3.4/32', true], ['x', false], [7, false],
  ])('cidr_is_valid(%j) = %j', async (s, want) => {
    expect(await callBuiltin('net.cidr_is_valid', [s])).toBe(want);
  });
});

describe('net.cidr_expand / net.cidr_merge (set results)', () => {
  it('expands a block into the set of its addresses', async () => {
    expect(await callBuiltin('net.cidr_expand', ['192.168.0.0/30'])).toEqual(['192.168.0.0', '192.168.0.1', '192.168.0.2', '192.168.0.3']);
    expect(await callBuiltin('net.cidr_expand', ['2001:db8::/127'])).toEqual(['2001:db8::', '2001:db8::1']);
  });

  it('returns a real set (membership and count work in the module)', async () => {
    expect(await callBuiltin('net.cidr_expand', ['10.0.0.0/31'], { then: 'type_name' })).toBe('set');
    expect(await callBuiltin('net.cidr_merge', [['10.0.0.0/24']], { then: 'type_name' })).toBe('set');
    expect(await callBuiltin('net.cidr_merge', [['10.0.0.0/24', '10.0.1.0/24', '10.0.0.0/24']])).toEqual(['10.0.0.0/23']);
  });

  it.each([
    [['192.0.128.0/24', '192.0.129.0/24'], ['192.0.128.0/23']],
    [['10.0.0.0/8', '10.1.0.0/16'], ['10.0.0.0/8']],
    [['10.0.0.1/32', '10.0.0.2/32'], ['10.0.0.1/32', '10.0.0.2/32']],
    [['10.0.0.1/32', '10.0.0.2/31', '10.0.0.0/32'], ['10.0.0.0/30']],
    [['2001:db8::/33', '2001:db8:8000::/33'], ['2001:db8::/32']],
    [['192.168.1.7'], ['192.168.1.0/24']],
    [[], []],
  ])('cidr_merge(%j) = %j', async (addrs, want) => {
    expect(((await callBuiltin('net.cidr_merge', [addrs])) as string[]).sort()).toEqual([...want].sort());
  });

  it('rejects bad addresses', async () => {
    await expectBuiltinError('net.cidr_merge', [['2001:db8::1']], 'eval_builtin_error: net.cidr_merge: IPv6 invalid: needs prefix length');
    await expectBuiltinError('net.cidr_expand', ['10.0.0.0/8'], 'eval_builtin_error: net.cidr_expand: 10.0.0.0/8 has 16777216 addresses');
  });
});

describe('semver.compare / semver.is_valid', () => {
  it.each([
    ['1.0.0', '1.0.0', 0], ['1.0.0', '2.0.0', -1], ['1.10.0', '1.9.9', 1], ['1.0.0-alpha', '1.0.0', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1], ['1.0.0-beta.11', '1.0.0-beta.2', 1], ['1.0.0+a', '1.0.0+b', 0],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
  ])('compare(%j, %j) = %j', async (a, b, want) => {
    expect(await callBuiltin('semver.compare', [a, b])).toBe(want);
  });

  it('compare rejects invalid versions', async () => {
    await expectBuiltinError('semver.compare', ['1.2', '1.0.0'], 
      'eval_builtin_error: semver.compare: operand 1: string 1.2 is not a valid SemVer',
    );
  });

  it.each([
    ['1.0.0', true], ['v1.0.0', false], ['1.0', false], ['1.0.0-rc.1+build.5', true], ['1.0.0-', false], [1, false],
  ])('is_valid(%j) = %j', async (v, want) => {
    expect(await callBuiltin('semver.is_valid', [v])).toBe(want);
  });
});
