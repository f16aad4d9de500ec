import { sha256 } from './record.js';

/**
 * Merkle tree over the log, as defined by RFC 9162 §2.1 (Certificate
 * Transparency v2, same tree as RFC 6962):
 *   MTH({})      = SHA-256()                       (empty string)
 *   MTH({d0})    = SHA-256(0x00 || d0)             (leaf hash, see record.ts)
 *   MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
 *                  with k the largest power of two smaller than n.
 * Leaf i (0-based) is the record with seq i+1; the tree of size n covers
 * seq 1..n. Proof generation and verification implement RFC 9162 §2.1.3
 * (inclusion) and §2.1.4 (consistency).
 *
 * Sizes can exceed 2^31, so arithmetic uses division instead of bit shifts.
 */

export const EMPTY_ROOT = sha256(Buffer.alloc(0));
const NODE_PREFIX = Buffer.from([0x01]);

export function hashChildren(left: Buffer, right: Buffer): Buffer {
  return sha256(NODE_PREFIX, left, right);
}

export interface CompletedNode {
  level: number; // subtree height; level 0 = leaf
  index: number; // position among subtrees of this level
  hash: Buffer;
}

/**
 * The right edge of an append-only tree: the perfect subtrees of the binary
 * decomposition of `size`, largest first. Appending is amortised O(1) and
 * reports every perfect subtree that becomes complete.
 */
export class Frontier {
  private constructor(
    private _size: number,
    private readonly stack: { level: number; hash: Buffer }[],
  ) {}

  static empty(): Frontier {
    return new Frontier(0, []);
  }

  /** `hashes` are the perfect subtrees of size's decomposition, largest first. */
  static fromSubtrees(size: number, hashes: Buffer[]): Frontier {
    const levels = decompositionLevels(size);
    if (levels.length !== hashes.length) throw new Error(`frontier for size ${size} needs ${levels.length} subtrees, got ${hashes.length}`);
    return new Frontier(size, levels.map((level, i) => ({ level, hash: hashes[i]! })));
  }

  get size(): number {
    return this._size;
  }

  clone(): Frontier {
    return new Frontier(this._size, this.stack.slice());
  }

  append(leafHash: Buffer, onComplete?: (node: CompletedNode) => void): void {
    let level = 0;
    let hash = leafHash;
    let index = this._size;
    onComplete?.({ level, index, hash });
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.level === level) {
      const left = this.stack.pop()!;
      hash = hashChildren(left.hash, hash);
      level++;
      index = Math.floor(index / 2);
      onComplete?.({ level, index, hash });
    }
    this.stack.push({ level, hash });
    this._size++;
  }

  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let root = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) root = hashChildren(this.stack[i]!.hash, root);
    return root;
  }
}

/** Levels of the perfect subtrees that make up a tree of `size` leaves, largest first. */
export function decompositionLevels(size: number): number[] {
  const levels: number[] = [];
  let remaining = size;
  let level = 0;
  while (2 ** (level + 1) <= remaining) level++;
  for (; level >= 0; level--) {
    const span = 2 ** level;
    if (remaining >= span) {
      levels.push(level);
      remaining -= span;
    }
  }
  return levels;
}

/** Source of perfect-subtree hashes: leaves [index·2^level, (index+1)·2^level). */
export interface SubtreeSource {
  perfect(level: number, index: number): Promise<Buffer>;
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[start:end]); start is always aligned to the subtree boundaries RFC 9162 recursion produces. */
export async function rangeHash(source: SubtreeSource, start: number, end: number): Promise<Buffer> {
  if (end <= start) return EMPTY_ROOT;
  const parts: Buffer[] = [];
  let cursor = start;
  while (cursor < end) {
    let level = 0;
    while (2 ** (level + 1) <= end - cursor && cursor % 2 ** (level + 1) === 0) level++;
    parts.push(await source.perfect(level, cursor / 2 ** level));
    cursor += 2 ** level;
  }
  let hash = parts[parts.length - 1]!;
  for (let i = parts.length - 2; i >= 0; i--) hash = hashChildren(parts[i]!, hash);
  return hash;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]) for leaf index m in a tree of size n. */
export async function inclusionProof(source: SubtreeSource, leafIndex: number, treeSize: number): Promise<Buffer[]> {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) throw new RangeError(`leaf ${leafIndex} is not in a tree of size ${treeSize}`);
  const path: Buffer[] = [];
  const walk = async (m: number, start: number, end: number): Promise<void> => {
    const n = end - start;
    if (n <= 1) return;
    const k = largestPowerOfTwoBelow(n);
    if (m < k) {
      await walk(m, start, start + k);
      path.push(await rangeHash(source, start + k, end));
    } else {
      await walk(m - k, start + k, end);
      path.push(await rangeHash(source, start, start + k));
    }
  };
  await walk(leafIndex, 0, treeSize);
  return path;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) between tree sizes m ≤ n. */
export async function consistencyProof(source: SubtreeSource, first: number, second: number): Promise<Buffer[]> {
  if (!(first >= 1 && first <= second)) throw new RangeError(`no consistency proof from size ${first} to ${second}`);
  const proof: Buffer[] = [];
  const sub = async (m: number, start: number, end: number, complete: boolean): Promise<void> => {
    const n = end - start;
    if (m === n) {
      if (!complete) proof.push(await rangeHash(source, start, end));
      return;
    }
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      await sub(m, start, start + k, complete);
      proof.push(await rangeHash(source, start + k, end));
    } else {
      await sub(m - k, start + k, end, false);
      proof.push(await rangeHash(source, start, start + k));
    }
  };
  await sub(first, 0, second, true);
  return proof;
}

const isOdd = (x: number) => x % 2 === 1;
function isPowerOfTwo(x: number): boolean {
  let p = 1;
  while (p < x) p *= 2;
  return p === x;
}
const half = (x: number) => Math.floor(x / 2);

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(leafHash: Buffer, leafIndex: number, treeSize: number, proof: readonly Buffer[], root: Buffer): boolean {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2. */
export function verifyConsistency(first: number, second: number, firstRoot: Buffer, secondRoot: Buffer, proof: readonly Buffer[]): boolean {
  if (first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (proof.length === 0) return false;
  const path = [...proof];
  if (isPowerOfTwo(first)) path.unshift(firstRoot);
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}

/** In-memory source over a list of leaf hashes (offline verification, tests). */
export function memorySubtreeSource(leaves: readonly Buffer[]): SubtreeSource {
  const cache = new Map<string, Buffer>();
  const perfect = (level: number, index: number): Buffer => {
    if (level === 0) {
      const leaf = leaves[index];
      if (!leaf) throw new RangeError(`no leaf ${index}`);
      return leaf;
    }
    const key = `${level}:${index}`;
    let hash = cache.get(key);
    if (!hash) {
      hash = hashChildren(perfect(level - 1, index * 2), perfect(level - 1, index * 2 + 1));
      cache.set(key, hash);
    }
    return hash;
  };
  return { perfect: async (level, index) => perfect(level, index) };
}
