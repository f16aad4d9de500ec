/**
 * A circuit breaker per adapter instance. Closed: calls pass, consecutive failures are counted.
 * After `failureThreshold` consecutive failures it opens: calls are refused at once for
 * `coolDownMs`, so callers get "adapter unavailable" instead of piling onto a sick controller.
 * After the cool-down one probe call is let through (half-open); its success closes the circuit,
 * its failure opens it for another cool-down. Other calls are refused while the probe runs.
 */
export interface BreakerPolicy {
  failureThreshold: number;
  coolDownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export type Admission = { admitted: true; probe: boolean } | { admitted: false; retryAfterMs: number };

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private probeInFlight = false;

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly now: () => number,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.policy.coolDownMs ? 'half-open' : 'open';
  }

  get failures(): number {
    return this.consecutiveFailures;
  }

  /** Asks to make a call. A granted probe must be followed by `succeeded()` or `failed()`. */
  admit(): Admission {
    const state = this.state;
    if (state === 'closed') return { admitted: true, probe: false };
    if (state === 'half-open' && !this.probeInFlight) {
      this.probeInFlight = true;
      return { admitted: true, probe: true };
    }
    const elapsed = this.now() - (this.openedAt ?? this.now());
    return { admitted: false, retryAfterMs: Math.max(0, this.policy.coolDownMs - elapsed) };
  }

  /** The adapter answered (success or a permanent, business-level refusal): it is healthy. */
  succeeded(): void {
    this.consecutiveFailures = 0;
    this.openedAt = undefined;
    this.probeInFlight = false;
  }

  /** The adapter failed transiently or timed out. */
  failed(): void {
    this.consecutiveFailures += 1;
    if (this.probeInFlight || this.consecutiveFailures >= this.policy.failureThreshold) {
      this.openedAt = this.now();
    }
    this.probeInFlight = false;
  }

  /** A granted probe ended without a verdict (e.g. the caller aborted): let another probe in. */
  released(): void {
    this.probeInFlight = false;
  }
}
