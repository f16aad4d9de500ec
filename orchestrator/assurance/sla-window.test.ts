import { describe, expect, it } from 'vitest';
import { latestBadRun, rulesOf, statusOf, type Sample } from './sla-window.js';

const latency = { metric: 'latency', target: 20, worseWhen: 'above' as const };
const min = 60_000;
const every = (fromMin: number, toMin: number, value: number): Sample[] =>
  Array.from({ length: toMin - fromMin + 1 }, (_, i) => ({ at: (fromMin + i) * min, value }));

describe('SLA windows on event time', () => {
  it('latency above target for ten minutes is a breach; five minutes is a threat', () => {
    expect(statusOf(latestBadRun([...every(0, 4, 10), ...every(5, 10, 30)], latency))).toBe('threatened');
    expect(statusOf(latestBadRun([...every(0, 4, 10), ...every(5, 15, 30)], latency))).toBe('breached');
  });

  it('a late good sample lands at its event time and splits the bad stretch', () => {
    const arrived = [...every(0, 12, 30)];
    expect(statusOf(latestBadRun(arrived, latency))).toBe('breached');
    // The sample for minute 6 arrives last, and it was fine: two 6-minute stretches, no breach.
    const late = [...arrived.filter((s) => s.at !== 6 * min), { at: 6 * min, value: 12 }];
    const run = latestBadRun(late, latency)!;
    expect(run.start).toBe(7 * min);
    expect(statusOf(run)).toBe('threatened');
  });

  it('a run that ended reports its end at the first good sample and its worst value', () => {
    const run = latestBadRun([...every(0, 3, 25), { at: 4 * min, value: 40 }, { at: 5 * min, value: 5 }], latency)!;
    expect(run).toEqual({ start: 0, end: 5 * min, ongoing: false, durationMs: 5 * min, worst: 40 });
  });

  it('derives rules from service characteristics', () => {
    expect(rulesOf({ maxLatencyMs: 20, availability: 99.99, bandwidthMbps: 100 })).toEqual([
      { metric: 'latency', target: 20, worseWhen: 'above' },
      { metric: 'availability', target: 0.9999, worseWhen: 'below' },
    ]);
    expect(rulesOf({})).toEqual([]);
  });
});
