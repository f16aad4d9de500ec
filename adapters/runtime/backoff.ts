/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * the delay before retry n (1-based) is uniform in [0, min(maxDelay, base · 2^(n-1))]. Full jitter
 * spreads retries of many callers hit by the same outage instead of having them retry in lockstep.
 */
export interface BackoffPolicy {
  /** Total attempts including the first (1 = no retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export function backoffDelay(policy: BackoffPolicy, retryNumber: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(random() * ceiling);
}
