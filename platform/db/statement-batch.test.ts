import { describe, expect, it } from 'vitest';
import { statementBatch } from './statement-batch.js';

const tick = () => new Promise((r) => setImmediate(r));

/** A statement that answers only when released, recording the batches it was given. */
function heldStatement() {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  const run = (inputs: number[]) => {
    batches.push(inputs);
    return new Promise<string[]>((resolve) => releases.push(() => resolve(inputs.map((i) => `r${i}`))));
  };
  const releaseNext = async () => {
    releases.shift()!();
    await tick();
  };
  return { batches, run, releaseNext };
}

describe('statementBatch', () => {
  it('runs a lone call at once, by itself', async () => {
    const s = heldStatement();
    const call = statementBatch(s.run, { maxInFlight: 1 });
    const answer = call(1);
    await tick();
    expect(s.batches).toEqual([[1]]);
    await s.releaseNext();
    await expect(answer).resolves.toBe('r1');
  });

  it('gathers the calls made while the slots are busy into one statement, each answered with its own output', async () => {
    const s = heldStatement();
    const call = statementBatch(s.run, { maxInFlight: 2, maxBatch: 3 });
    const answers = [1, 2, 3, 4, 5, 6, 7].map((i) => call(i));
    await tick();
    expect(s.batches).toEqual([[1], [2]]);
    await s.releaseNext();
    expect(s.batches).toEqual([[1], [2], [3, 4, 5]]); // at most maxBatch
    await s.releaseNext();
    expect(s.batches.at(-1)).toEqual([6, 7]);
    await s.releaseNext();
    await s.releaseNext();
    await expect(Promise.all(answers)).resolves.toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
  });

  it('fails every caller of a failed statement, and only those', async () => {
    let n = 0;
    const call = statementBatch(async (inputs: number[]) => {
      n++;
      if (n === 2) throw new Error('connection lost');
      return inputs.map((i) => i * 10);
    }, { maxInFlight: 1 });
    const results = await Promise.allSettled([call(1), call(2), call(3), call(4)]);
    // 1 runs alone; 2, 3 and 4 waited and shared the failing statement.
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    await expect(call(5)).resolves.toBe(50);
  });

  it('rejects a batch whose statement answers the wrong number of outputs, and a run that throws at once', async () => {
    const short = statementBatch(async (inputs: number[]) => inputs.slice(1), { maxInFlight: 1 });
    await expect(short(1)).rejects.toThrow(/answered 0 results for 1 inputs/);
    const throwing = statementBatch((): Promise<number[]> => {
      throw new Error('bad statement');
    });
    await expect(throwing(1)).rejects.toThrow('bad statement');
  });
});
