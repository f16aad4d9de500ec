import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { readBundle } from './bundle.js';
import { policyCommand } from './cli.js';
import { hostBuiltins } from './runtime/host/index.js';

const SHIPPED = resolve(import.meta.dirname, 'rego');
const work = mkdtempSync(join(tmpdir(), 'junction-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await policyCommand(argv, { log: (s) => lines.push(s), error: (s) => errors.push(s) });
  return { code, out: lines.join('\n'), err: errors.join('\n') };
}

function policyDir(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const [f, src] of Object.entries(files)) writeFileSync(join(dir, f), src);
  return dir;
}

describe('junction policy check', () => {
  it('accepts the shipped policies', async () => {
    const r = await run('check', SHIPPED);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('reports a syntax error with file:row:col, the OPA code and a caret', async () => {
    const dir = policyDir('syntax', { 'bad.rego': 'package bad\n\nallow if {\n\tinput.x ==\n}\n' });
    const r = await run('check', dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.rego:\d+:\d+: rego_parse_error: /);
    expect(r.err).toContain('^');
  });

  it('reports an unsafe variable at its location with rego_unsafe_var_error', async () => {
    const dir = policyDir('unsafe', { 'unsafe.rego': 'package unsafe\n\nimport rego.v1\n\nallow if {\n\tx > 1\n}\n' });
    const r = await run('check', dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unsafe\.rego:6:2: rego_unsafe_var_error: var x is unsafe/);
  });

  it('reports several errors at once, across files', async () => {
    const parse = policyDir('several-parse', {
      'a.rego': 'package a\n\nimport rego.v1\n\np if { 1 + }\n',
      'b.rego': 'package b\n\nq if {\n',
    });
    const p = await run('check', parse);
    expect(p.code).toBe(1);
    expect(p.err).toMatch(/^2 errors occurred:/);
    expect(p.err).toMatch(/a\.rego:5:\d+: rego_parse_error/);
    expect(p.err).toMatch(/b\.rego:\d+:\d+: rego_parse_error/);

    const compile = policyDir('several-compile', {
      'a.rego': 'package a\n\nimport rego.v1\n\np if { y > 1 }\n',
      'b.rego': 'package b\n\nimport rego.v1\n\nq if { z == 1 }\n',
    });
    const c = await run('check', compile);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/a\.rego:5:8: rego_unsafe_var_error: var y is unsafe/);
    expect(c.err).toMatch(/b\.rego:5:8: rego_unsafe_var_error: var z is unsafe/);
  });
});

describe('junction policy test', () => {
  it('passes the shipped suite', async () => {
    const r = await run('test', SHIPPED, '-v');
    expect(r.out).not.toMatch(/^(FAIL|ERROR)/m);
    expect(r.out).toMatch(/^PASS: (\d+)\/\1$/m);
    expect(r.code).toBe(0);
  });

  const suite = {
    'tariff.rego': 'package tariff\n\nimport rego.v1\n\ndefault discount := 0\n\ndiscount := data.rates[input.segment] if input.months >= 12\n',
    'data.json': JSON.stringify({ rates: { enterprise: 15, consumer: 5 } }),
    'tariff_test.rego': [
      'package tariff_test',
      'import rego.v1',
      'import data.tariff',
      'test_enterprise_after_a_year if tariff.discount == 15 with input as {"segment": "enterprise", "months": 12}',
      'test_new_customer_gets_none if tariff.discount == 0 with input as {"segment": "consumer", "months": 1}',
      'test_rate_from_mocked_data if tariff.discount == 9 with input as {"segment": "consumer", "months": 24} with data.rates.consumer as 9',
      '',
    ].join('\n'),
  };

  it('runs test_* rules with `with` mocking of input and data, reporting each', async () => {
    const r = await run('test', policyDir('suite-ok', suite), '-v');
    expect(r.out).toMatch(/PASS\s+tariff_test\/test_rate_from_mocked_data \(\d+\.\d+ ms\)/);
    expect(r.out).toMatch(/^PASS: 3\/3$/m);
    expect(r.code).toBe(0);
  });

  it('fails with a non-zero exit when a test is broken on purpose', async () => {
    const broken = { ...suite, 'tariff_test.rego': suite['tariff_test.rego'].replace('== 15', '== 16') };
    const r = await run('test', policyDir('suite-broken', broken));
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/FAIL\s+tariff_test\/test_enterprise_after_a_year/);
    expect(r.out).toMatch(/^FAIL: 1\/3$/m);
  });
});

describe('junction policy build and eval', () => {
  it('builds a bundle the unmodified SDK loads, giving the answers `policy eval` gives', async () => {
    const dir = policyDir('eligibility', {
      'eligibility.rego': [
        'package eligibility',
        'import rego.v1',
        'default allow := false',
        'allow if count(reasons) == 0',
        'reasons contains sprintf("%s is not active", [input.customer]) if input.status != "active"',
        'reasons contains "no coverage" if not input.site in data.covered_sites',
        '',
      ].join('\n'),
      'data.json': JSON.stringify({ covered_sites: ['SITE-A', 'SITE-B'] }),
    });
    const out = join(work, 'bundle.tar.gz');
    const b = await run('build', dir, '-e', 'eligibility/allow', '-e', 'eligibility/reasons', '-o', out);
    expect(b.code).toBe(0);
    const input = { customer: 'CUST-3001', status: 'suspended', site: 'SITE-C' };
    const inputFile = join(work, 'input.json');
    writeFileSync(inputFile, JSON.stringify(input));
    const fromDir = await run('eval', '-d', dir, '-i', inputFile, 'x := data.eligibility.reasons');
    const fromBundle = await run('eval', '-d', out, '-i', inputFile, 'data.eligibility.reasons');
    expect(fromDir.code).toBe(0);
    expect(fromBundle.code).toBe(0);
    const dirResult = JSON.parse(fromDir.out) as Array<{ x: unknown }>;
    const bundleResult = JSON.parse(fromBundle.out) as Array<{ result: unknown }>;
    expect(bundleResult[0]!.result).toEqual(dirResult[0]!.x);
    expect(bundleResult[0]!.result).toEqual(['CUST-3001 is not active', 'no coverage'].sort());

    const bundle = await readBundle(readFileSync(out));
    const policy = await loadPolicy(bundle.wasm, undefined, hostBuiltins());
    policy.setData(bundle.data as object);
    expect(policy.evaluate(input, 'eligibility/allow')).toEqual([{ result: false }]);
    expect(policy.evaluate({ ...input, status: 'active', site: 'SITE-A' }, 'eligibility/allow')).toEqual([{ result: true }]);
    expect(policy.evaluate(input, 'eligibility/reasons')).toEqual(bundleResult);
  });
});
