import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCases } from './cases.js';
import { CORPUS_DIR, readRatchet } from './ratchet.js';
import { runCase } from './run.js';

// Every case on the committed list must keep passing through the compiler and the opa-wasm SDK.
describe('Rego conformance ratchet', () => {
  it('finds the conformance corpus beside the repository', () => {
    expect(existsSync(CORPUS_DIR), `${CORPUS_DIR} is missing`).toBe(true);
  });

  const listed = readRatchet();
  const cases = existsSync(CORPUS_DIR) ? new Map(loadCases(CORPUS_DIR).map((c) => [c.id, c])) : new Map();

  it('lists only cases that exist in the corpus', () => {
    const stale = listed.filter((id) => !cases.has(id));
    expect(stale).toEqual([]);
  });

  for (const id of listed) {
    const c = cases.get(id);
    if (!c) continue;
    it(id, async () => {
      const outcome = await runCase(c, { optimize: false });
      expect(outcome.reason ?? '').toBe('');
      expect(outcome.status).toBe('passed');
    });
  }
});
