import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { describe, expect, it } from 'vitest';
import { buildBundle, readBundle, BundleError } from './bundle.js';
import { hostBuiltins } from './runtime/host/index.js';

const sources = [
  { file: 'tiers.rego', source: 'package tiers\n\nimport rego.v1\n\ngold if input.spend >= data.thresholds.gold\n' },
];
const data = { thresholds: { gold: 1000 } };

describe('policy bundles', () => {
  it('are reproducible: same sources and data give the same bytes', async () => {
    const a = await buildBundle({ sources, data, entrypoints: ['tiers/gold'] });
    const b = await buildBundle({ sources: [...sources], data: structuredClone(data), entrypoints: ['tiers/gold'] });
    expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
    const c = await buildBundle({ sources, data: { thresholds: { gold: 999 } }, entrypoints: ['tiers/gold'] });
    expect(c.bundle.manifest.revision).not.toBe(a.bundle.manifest.revision);
  });

  it('carry manifest, data, wasm and source digests, and load with the unmodified SDK', async () => {
    const { bytes } = await buildBundle({ sources, data, entrypoints: ['tiers/gold'], revision: 'r1' });
    const bundle = await readBundle(bytes);
    expect(bundle.manifest.revision).toBe('r1');
    expect(bundle.manifest.wasm).toEqual([{ entrypoint: 'tiers/gold', module: '/policy.wasm' }]);
    expect(bundle.manifest.metadata.sources['tiers.rego']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(bundle.data).toEqual(data);
    expect(bundle.wasmDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const policy = await loadPolicy(bundle.wasm, undefined, hostBuiltins());
    policy.setData(bundle.data as object);
    expect(policy.evaluate({ spend: 1500 }, 'tiers/gold')).toEqual([{ result: true }]);
    expect(policy.evaluate({ spend: 10 }, 'tiers/gold')).toEqual([]);
  });

  it('reject archives that are not bundles with a clear error', async () => {
    await expect(readBundle(new Uint8Array([1, 2, 3]))).rejects.toThrow(BundleError);
    await expect(readBundle(new Uint8Array([1, 2, 3]))).rejects.toThrow(/gzip/);
  });
});
