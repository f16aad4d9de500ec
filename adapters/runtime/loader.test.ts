import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinAdapters } from '../builtins.js';
import { collectEvents, silentLogger } from '../testing.js';
import { AdapterLoadError, loadAdapters, readAdaptersFile } from './index.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const deps = () => ({ logger: silentLogger(), events: collectEvents().publish, baseDir: fixtures, builtins: builtinAdapters });

async function loadError(entries: unknown): Promise<AdapterLoadError> {
  try {
    const registry = await loadAdapters(entries, deps());
    await registry.close();
  } catch (error) {
    expect(error).toBeInstanceOf(AdapterLoadError);
    return error as AdapterLoadError;
  }
  throw new Error('expected the load to fail');
}

describe('adapter loader', () => {
  it('loads the shipped demo configuration', async () => {
    const { entries, baseDir } = await readAdaptersFile(fileURLToPath(new URL('../adapters.demo.yaml', import.meta.url)));
    const registry = await loadAdapters(entries, { ...deps(), baseDir });
    try {
      expect(registry.list().map((a) => a.name)).toEqual(['sim']);
      expect(await registry.discoverAll()).toEqual({ sim: { status: 'success', resources: [] } });
    } finally {
      await registry.close();
    }
  });

  it('names the adapter and the settings field when settings are invalid', async () => {
    const error = await loadError([{ name: 'sim', builtin: 'simulator', settings: { faults: { apply: { rate: 2, kind: 'transient' } } } }]);
    expect(error.adapter).toBe('sim');
    expect(error.field).toBe('settings.faults.apply.rate');
    expect(error.message).toMatch(/^adapter "sim" field settings\.faults\.apply\.rate: invalid settings for built-in "simulator": settings\.faults\.apply\.rate: /);
  });

  it('rejects an unknown built-in, listing the known ones', async () => {
    const error = await loadError([{ name: 'x', builtin: 'netconf' }]);
    expect(error.message).toBe('adapter "x" field builtin: unknown built-in adapter "netconf" (built-ins: simulator, ovsdb, restconf, sol005)');
  });

  it('rejects an entry with both or neither of builtin and module', async () => {
    expect((await loadError([{ name: 'x' }])).message).toContain('give exactly one of "builtin"');
    expect((await loadError([{ name: 'x', builtin: 'simulator', module: './a.js' }])).field).toBe('builtin');
  });

  it('rejects a module without an adapter factory export, naming its exports', async () => {
    const error = await loadError([{ name: 'broken', module: './no-factory.ts', domains: ['lab'] }]);
    expect(error.field).toBe('module');
    expect(error.message).toContain('"./no-factory.ts" does not export an adapter factory (no default or adapterFactory export)');
    expect(error.message).toContain('it exports: helper');
  });

  it('rejects a module that cannot be imported', async () => {
    const error = await loadError([{ name: 'gone', module: './does-not-exist.js' }]);
    expect(error.message).toMatch(/^adapter "gone" field module: cannot import "\.\/does-not-exist\.js": /);
  });

  it('rejects an instance missing a contract method', async () => {
    const error = await loadError([{ name: 'half', module: './bad-instance.ts' }]);
    expect(error.message).toBe('adapter "half": module "./bad-instance.ts" created an instance without a verify() method');
  });

  it('rejects two adapters serving one domain and suggests narrowing', async () => {
    const error = await loadError([
      { name: 'sim-a', builtin: 'simulator' },
      { name: 'sim-b', builtin: 'simulator', domains: ['transport'] },
    ]);
    expect(error.message).toContain('adapters "sim-a" and "sim-b" both serve domain "transport"; narrow one of them with "domains"');
  });

  it('rejects narrowing to a domain the factory does not serve', async () => {
    const error = await loadError([{ name: 'sim', builtin: 'simulator', domains: ['ipam'] }]);
    expect(error.field).toBe('domains');
    expect(error.message).toContain('does not serve ipam');
  });

  it('routes by domain or pinned adapter, and refuses unknown ones permanently', async () => {
    const registry = await loadAdapters(
      [
        { name: 'sim-ran', builtin: 'simulator', domains: ['ran'] },
        { name: 'sim-rest', builtin: 'simulator', domains: ['transport', 'core', 'access'] },
      ],
      deps(),
    );
    try {
      const action = { domain: 'ran', operation: 'create' as const, target: { id: 's', type: 'ran-slice' }, parameters: { gnbIds: ['gnb-north-1'], prbs: 10 } };
      expect((registry.route(action) as { name: string }).name).toBe('sim-ran');
      expect((registry.route({ ...action, adapter: 'sim-rest' }) as { name: string }).name).toBe('sim-rest');
      expect(await registry.apply({ ...action, domain: 'nfv' }, { idempotencyKey: 'k' })).toEqual({
        status: 'permanent',
        code: 'unsupported',
        reason: 'no adapter serves domain "nfv" (configured: ran→sim-ran, transport→sim-rest, core→sim-rest, access→sim-rest)',
      });
      expect(await registry.apply({ ...action, adapter: 'nope' }, { idempotencyKey: 'k' })).toMatchObject({ status: 'permanent', reason: 'no adapter named "nope" is configured' });
      expect(await registry.apply({ ...action, operation: 'explode' } as never, { idempotencyKey: 'k' })).toMatchObject({ status: 'permanent', code: 'invalid-action' });
    } finally {
      await registry.close();
    }
  });

  it('turns a result that breaks the contract into a permanent failure naming the adapter', async () => {
    const registry = await loadAdapters([{ name: 'odd', module: './wrong-result.ts' }], deps());
    const result = await registry.apply({ domain: 'lab', operation: 'create', target: { id: 'a', type: 'b' } }, { idempotencyKey: 'k' });
    expect(result).toMatchObject({ status: 'permanent', code: 'internal' });
    expect(result.reason).toMatch(/^adapter odd returned an invalid apply result: /);
  });

  it('explains an unreadable or malformed adapters file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'junction-adapters-'));
    try {
      await expect(readAdaptersFile(join(dir, 'missing.yaml'))).rejects.toThrow(/^cannot read adapters configuration .*missing\.yaml: ENOENT/);
      await writeFile(join(dir, 'bad.json'), '{ "adapters": [ }');
      await expect(readAdaptersFile(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json is not valid JSON/);
      await writeFile(join(dir, 'empty.yaml'), 'adapter:\n  - name: sim\n');
      await expect(readAdaptersFile(join(dir, 'empty.yaml'))).rejects.toThrow(/must have a top-level "adapters" list$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
