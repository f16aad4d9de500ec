/**
 * SLA windows over event time. Samples are kept with their event time, so a late sample lands
 * where it belongs: evaluation always re-reads the window ordered by event time, and a late
 * "good" sample inside a bad stretch splits it instead of being counted at arrival. Pure functions.
 */
export interface Sample {
  /** Event time, epoch ms. */
  at: number;
  value: number;
}

export interface SlaRule {
  metric: string;
  target: number;
  /** Latency is bad above its target, availability below. */
  worseWhen: 'above' | 'below';
}

export interface WindowPolicy {
  /** A bad stretch this long is a threatened breach (remediation may act ahead of time). */
  threatenAfterMs: number;
  /** A bad stretch this long is a breach. */
  breachAfterMs: number;
  /** How far back a window looks from the newest sample. */
  lookbackMs: number;
}

export const DEFAULT_WINDOW: WindowPolicy = { threatenAfterMs: 5 * 60_000, breachAfterMs: 10 * 60_000, lookbackMs: 2 * 60 * 60_000 };

export interface BadRun {
  /** Event time of the first bad sample. */
  start: number;
  /** The first good sample after the run, or the last bad sample while it is ongoing. */
  end: number;
  ongoing: boolean;
  durationMs: number;
  /** The worst value seen in the run. */
  worst: number;
}

export const isBad = (rule: SlaRule, value: number) => (rule.worseWhen === 'above' ? value > rule.target : value < rule.target);

/** The latest stretch of consecutive bad samples (by event time), if any. */
export function latestBadRun(samples: readonly Sample[], rule: SlaRule): BadRun | undefined {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  let run: BadRun | undefined;
  let current: BadRun | undefined;
  for (const s of sorted) {
    if (isBad(rule, s.value)) {
      if (!current) current = { start: s.at, end: s.at, ongoing: true, durationMs: 0, worst: s.value };
      current.end = s.at;
      current.durationMs = s.at - current.start;
      current.worst = rule.worseWhen === 'above' ? Math.max(current.worst, s.value) : Math.min(current.worst, s.value);
      run = current;
    } else if (current) {
      current.end = s.at;
      current.durationMs = s.at - current.start;
      current.ongoing = false;
      current = undefined;
    }
  }
  return run;
}

export type WindowStatus = 'ok' | 'threatened' | 'breached';

export function statusOf(run: BadRun | undefined, policy: WindowPolicy = DEFAULT_WINDOW): WindowStatus {
  if (!run) return 'ok';
  if (run.durationMs >= policy.breachAfterMs) return 'breached';
  if (run.durationMs >= policy.threatenAfterMs) return 'threatened';
  return 'ok';
}

/** The SLA rules a service's characteristics define (`maxLatencyMs`; `availability` in percent). */
export function rulesOf(characteristics: Record<string, unknown>): SlaRule[] {
  const rules: SlaRule[] = [];
  const latency = Number(characteristics.maxLatencyMs);
  if (Number.isFinite(latency) && latency > 0) rules.push({ metric: 'latency', target: latency, worseWhen: 'above' });
  const availability = Number(characteristics.availability);
  // Sampled availability is a ratio (1 up, 0 down); the SLA says e.g. 99.99 (%). Any sample below it is a bad one.
  if (Number.isFinite(availability) && availability > 0) rules.push({ metric: 'availability', target: availability > 1 ? Number((availability / 100).toFixed(10)) : availability, worseWhen: 'below' });
  return rules;
}
