import { describe, expect, it } from 'vitest';
import {
  consistencyProof,
  EMPTY_ROOT,
  Frontier,
  hashChildren,
  inclusionProof,
  memorySubtreeSource,
  rangeHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';
import { leafHashOf, sha256 } from './record.js';

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHashOf(`leaf-${i}`));

/** RFC 9162 MTH written as the definition, independent of the implementation under test. */
function referenceRoot(hashes: Buffer[]): Buffer {
  if (hashes.length === 0) return sha256(Buffer.alloc(0));
  if (hashes.length === 1) return hashes[0]!;
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return hashChildren(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}

describe('Merkle tree (RFC 9162)', () => {
  it('frontier root equals the recursive definition for every size up to 70', async () => {
    const all = leaves(70);
    const f = Frontier.empty();
    expect(f.root().equals(EMPTY_ROOT)).toBe(true);
    for (let n = 1; n <= 70; n++) {
      f.append(all[n - 1]!);
      expect(f.root().toString('hex')).toBe(referenceRoot(all.slice(0, n)).toString('hex'));
      expect((await rangeHash(memorySubtreeSource(all), 0, n)).equals(f.root())).toBe(true);
    }
  });

  it('reports every completed perfect subtree with its level and index', () => {
    const all = leaves(8);
    const done: string[] = [];
    const f = Frontier.empty();
    for (const l of all) f.append(l, (node) => node.level > 0 && done.push(`${node.level}:${node.index}`));
    expect(done).toEqual(['1:0', '1:1', '2:0', '1:2', '1:3', '2:1', '3:0']);
  });

  it('inclusion proofs verify for every leaf of every size up to 33, and fail when anything changes', async () => {
    const all = leaves(33);
    const source = memorySubtreeSource(all);
    for (let n = 1; n <= 33; n++) {
      const root = referenceRoot(all.slice(0, n));
      for (let m = 0; m < n; m++) {
        const proof = await inclusionProof(source, m, n);
        expect(verifyInclusion(all[m]!, m, n, proof, root)).toBe(true);
        expect(verifyInclusion(leafHashOf('other'), m, n, proof, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(all[m]!, (m + 1) % n, n, proof, root)).toBe(false);
      }
    }
  });

  it('consistency proofs verify for every pair of sizes up to 33, and fail for a rewritten history', async () => {
    const all = leaves(33);
    const source = memorySubtreeSource(all);
    const forged = all.slice();
    forged[2] = leafHashOf('forged');
    for (let n = 1; n <= 33; n++) {
      const rootN = referenceRoot(all.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const rootM = referenceRoot(all.slice(0, m));
        const proof = await consistencyProof(source, m, n);
        expect(verifyConsistency(m, n, rootM, rootN, proof)).toBe(true);
        if (m > 2 && m < n) {
          expect(verifyConsistency(m, n, referenceRoot(forged.slice(0, m)), rootN, proof)).toBe(false);
        }
      }
    }
  });

  it('rejects impossible parameters instead of throwing', () => {
    expect(verifyInclusion(leafHashOf('x'), 5, 5, [], EMPTY_ROOT)).toBe(false);
    expect(verifyConsistency(5, 4, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(false);
    expect(verifyConsistency(3, 4, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(false);
  });
});
