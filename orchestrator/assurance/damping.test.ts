import { describe, expect, it } from 'vitest';
import { DEFAULT_DAMPING, onRaise, reusableAt, settle } from './damping.js';

describe('flap damping', () => {
  it('a single raise is not suppressed; the third quick flap is', () => {
    let s = onRaise(undefined, 0);
    expect(s).toEqual({ penalty: 1000, at: 0, suppressed: false });
    s = onRaise(s, 5_000);
    expect(s.suppressed).toBe(false);
    s = onRaise(s, 10_000);
    expect(s.penalty).toBeGreaterThan(DEFAULT_DAMPING.suppressAbove);
    expect(s.suppressed).toBe(true);
  });

  it('slow flaps decay away and never suppress', () => {
    let s = onRaise(undefined, 0);
    for (let t = 1; t <= 5; t++) s = onRaise(s, t * 600_000);
    expect(s.suppressed).toBe(false);
    expect(s.penalty).toBeLessThan(1001);
  });

  it('suppression lifts once the penalty decays below the reuse threshold, at the computed time', () => {
    let s = onRaise(onRaise(onRaise(undefined, 0), 1_000), 2_000);
    expect(s.suppressed).toBe(true);
    const at = reusableAt(s);
    expect(settle(s, at - 1_000).suppressed).toBe(true);
    s = settle(s, at + 1);
    expect(s.suppressed).toBe(false);
  });
});
