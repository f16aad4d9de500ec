import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/index.js';
import { catalogReader, readCatalogDir, storeCatalog } from './store.js';

describe('catalogReader', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await storeCatalog(t.db, readCatalogDir());
  }, 60_000);
  afterAll(async () => {
    await t?.drop();
  });

  it('answers the latest version from its cache for latestTtlMs, a pinned version at once', async () => {
    let clock = 0;
    const reader = catalogReader(t.db, { latestTtlMs: 1_000, now: () => clock });
    const v2 = await reader.get('broadband');
    expect(v2?.version).toBe(2);
    await storeCatalog(t.db, [{ ...v2!, version: 3 }]);
    expect((await reader.get('broadband'))?.version).toBe(2); // still within the cache time
    expect((await reader.get('broadband', 3))?.version).toBe(3); // named: read at once
    clock = 1_000;
    expect((await reader.get('broadband'))?.version).toBe(3);
    expect(await reader.get('no-such-spec')).toBeUndefined();
  });
});
