import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/index.js';
import { buildBundle, sha256 } from '../bundle.js';
import { storedBundleEvaluator } from './replay.js';
import { bundleStore } from './store.js';

// Replay re-evaluates recorded inputs against an uploaded, not yet active, bundle.
describe('replay against a stored bundle', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    const source = 'package junction.entitlement\n\nimport rego.v1\n\ndecision := {"allow": input.customer.status == "active"}\n';
    const { bytes } = await buildBundle({ sources: [{ file: 'e.rego', source }], entrypoints: ['junction/entitlement/decision'], revision: 'candidate-1' });
    const base = { sourceDigest: 'sha256:x', signature: 'sig', signerKeyId: 'k', source: Buffer.from(source), tests: [], problems: [], uploadedBy: 'compliance' };
    const store = bundleStore(t.db);
    await store.insert({ ...base, revision: 'candidate-1', compiled: bytes, compiledDigest: `sha256:${sha256(bytes)}`, status: 'ready' });
    await store.insert({ ...base, revision: 'broken-1', compiled: null, compiledDigest: null, status: 'rejected' });
  });
  afterAll(async () => t?.drop());

  it('evaluates a recorded input on the candidate revision', async () => {
    const evaluate = storedBundleEvaluator(t.db);
    expect(await evaluate('candidate-1', 'junction/entitlement/decision', { customer: { status: 'active' } })).toEqual({ allow: true });
    expect(await evaluate('candidate-1', 'data.junction.entitlement.decision', { customer: { status: 'suspended' } })).toEqual({ allow: false });
    // A path the candidate does not answer replays as undefined (a changed decision), not an error.
    expect(await evaluate('candidate-1', 'junction/provisioning/decision', {})).toBeUndefined();
  });

  it('names a missing or uncompiled revision', async () => {
    const evaluate = storedBundleEvaluator(t.db);
    await expect(evaluate('nope', 'junction/entitlement/decision', {})).rejects.toThrow(/no uploaded bundle has revision nope/);
    await expect(evaluate('broken-1', 'junction/entitlement/decision', {})).rejects.toThrow(/did not compile/);
    await expect(evaluate(42, 'junction/entitlement/decision', {})).rejects.toThrow(/revision of an uploaded bundle/);
  });
});
