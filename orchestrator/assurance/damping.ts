/**
 * Flap damping, after BGP route-flap damping (RFC 2439): every raise of an alarm adds a penalty
 * that decays exponentially with a half-life (in event time). Above `suppressAbove` the alarm is
 * flapping: a clear no longer resolves its problem (which would only reopen seconds later), the
 * problem waits in `pending` until the penalty decays below `reuseBelow`. Pure functions.
 */
export interface DampingConfig {
  penaltyPerFlap: number;
  suppressAbove: number;
  reuseBelow: number;
  halfLifeMs: number;
}

export const DEFAULT_DAMPING: DampingConfig = { penaltyPerFlap: 1000, suppressAbove: 2500, reuseBelow: 750, halfLifeMs: 60_000 };

export interface DampingState {
  penalty: number;
  /** Event time (epoch ms) the penalty refers to. */
  at: number;
  suppressed: boolean;
}

export function decayed(state: DampingState, at: number, config: DampingConfig): number {
  const elapsed = Math.max(0, at - state.at);
  return state.penalty * Math.pow(0.5, elapsed / config.halfLifeMs);
}

/** The state after a raise at `at`. */
export function onRaise(state: DampingState | undefined, at: number, config: DampingConfig = DEFAULT_DAMPING): DampingState {
  const base = state ? decayed(state, at, config) : 0;
  const penalty = base + config.penaltyPerFlap;
  const suppressed = state?.suppressed ? penalty >= config.reuseBelow : penalty > config.suppressAbove;
  return { penalty, at: Math.max(at, state?.at ?? at), suppressed };
}

/** The state seen at `at` without a new flap (the penalty decays; suppression may lift). */
export function settle(state: DampingState, at: number, config: DampingConfig = DEFAULT_DAMPING): DampingState {
  const penalty = decayed(state, at, config);
  return { penalty, at: Math.max(at, state.at), suppressed: state.suppressed && penalty >= config.reuseBelow };
}

/** When (epoch ms) a suppressed state's penalty reaches `reuseBelow`. */
export function reusableAt(state: DampingState, config: DampingConfig = DEFAULT_DAMPING): number {
  if (!state.suppressed || state.penalty < config.reuseBelow) return state.at;
  return state.at + Math.ceil(config.halfLifeMs * Math.log2(state.penalty / config.reuseBelow));
}
