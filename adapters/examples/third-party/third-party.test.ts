import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinAdapters } from '../../builtins.js';
import { loadAdapters, readAdaptersFile } from '../../runtime/index.js';
import { collectEvents, silentLogger } from '../../testing.js';

describe('third-party adapter loaded by configuration', () => {
  it('loads from a module path in a YAML file and serves its domain through the registry', async () => {
    const { entries, baseDir } = await readAdaptersFile(fileURLToPath(new URL('./adapters.yaml', import.meta.url)));
    const registry = await loadAdapters(entries, { logger: silentLogger(), events: collectEvents().publish, baseDir, builtins: builtinAdapters });
    try {
      expect(registry.list().map((a) => [a.name, [...a.domains]])).toEqual([
        ['sim', ['ran', 'transport', 'core', 'access']],
        ['lab-ipam', ['ipam']],
      ]);
      const action = { domain: 'ipam', operation: 'create' as const, target: { id: 'vpn-7', type: 'subnet' } };
      const first = await registry.apply(action, { idempotencyKey: 'o1/i1' });
      expect(first).toMatchObject({ status: 'success', resource: { externalIds: { subnet: '10.20.0.0/24' } } });
      const second = await registry.apply({ ...action, target: { id: 'vpn-8', type: 'subnet' } }, { idempotencyKey: 'o1/i2' });
      expect(second).toMatchObject({ status: 'success', resource: { externalIds: { subnet: '10.20.1.0/24' } } });
      expect(await registry.verify({ domain: 'ipam', target: action.target })).toMatchObject({ status: 'in-sync' });
      expect(await registry.rollback(action, { idempotencyKey: 'o1/i1' })).toMatchObject({ status: 'success' });
      expect(await registry.verify({ domain: 'ipam', target: action.target })).toMatchObject({ status: 'absent' });
      expect(await registry.health()).toMatchObject({ 'lab-ipam': { status: 'up', breaker: 'closed' }, sim: { status: 'up' } });
    } finally {
      await registry.close();
    }
  });
});
