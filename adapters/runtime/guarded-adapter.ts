/**
 * The call wrapper every adapter call goes through. It gives each call a deadline and an abort
 * signal, retries transient failures with exponential backoff and full jitter, keeps a circuit
 * breaker per adapter instance, answers replays of an idempotency key from the record, and checks
 * that what a (possibly third-party) adapter returns matches the contract.
 *
 * It never throws for adapter trouble: every outcome is a result the orchestrator can act on.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  adapterResultSchema,
  discoverResultSchema,
  healthReportSchema,
  permanent,
  resourceActionSchema,
  transient,
  verifyResultSchema,
  verifyTargetSchema,
  type AdapterResult,
  type CallContext,
  type Clock,
  type DiscoverResult,
  type HealthReport,
  type PermanentFailure,
  type ResourceActionInput,
  type SouthboundAdapter,
  type TransientFailure,
  type VerifyResult,
  type VerifyTarget,
} from '../contract.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { CircuitBreaker, type BreakerPolicy, type BreakerState } from './circuit-breaker.js';
import { stableJson, type IdempotencyStore } from './idempotency.js';

export interface CallPolicy {
  /** Deadline of a whole call (all attempts) when the caller gives none. */
  timeoutMs: number;
  /** Deadline of one attempt inside the call, so a hung attempt leaves time for a retry. */
  attemptTimeoutMs?: number;
  retry: BackoffPolicy;
  breaker: BreakerPolicy;
}

export const DEFAULT_CALL_POLICY: CallPolicy = {
  timeoutMs: 30_000,
  retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 },
  breaker: { failureThreshold: 5, coolDownMs: 30_000 },
};

export interface CallOptions {
  /** Absolute deadline (epoch ms). Defaults to now + policy.timeoutMs. */
  deadline?: number;
  /** Relative deadline; ignored when `deadline` is given. */
  timeoutMs?: number;
  /** The caller's own cancellation (e.g. shutdown). */
  signal?: AbortSignal;
}
export interface WriteOptions extends CallOptions {
  idempotencyKey: string;
  /**
   * The caller knows the key was never used before (a saga's first run of an order, whose keys
   * derive from the order): no record can exist, so the store is not asked. The result is still
   * recorded for a later replay.
   */
  firstUse?: boolean;
}

export interface GuardedAdapterDeps {
  clock: Clock;
  logger: Logger;
  store: IdempotencyStore;
  /** Source of jitter; injectable for deterministic tests. */
  random?: () => number;
}

type Failure = TransientFailure | PermanentFailure;
type Attempt<T> = (ctx: Omit<CallContext, 'idempotencyKey'>) => Promise<T>;

export class GuardedAdapter {
  readonly breaker: CircuitBreaker;
  private readonly log: Logger;
  private readonly random: () => number;
  /** Calls with the same key running right now share one promise (no double configuration in-process). */
  private readonly inFlight = new Map<string, Promise<AdapterResult>>();

  constructor(
    readonly inner: SouthboundAdapter,
    readonly domains: readonly string[],
    readonly policy: CallPolicy,
    private readonly deps: GuardedAdapterDeps,
  ) {
    this.breaker = new CircuitBreaker(policy.breaker, () => deps.clock.now());
    this.log = deps.logger.child({ adapter: inner.name });
    this.random = deps.random ?? Math.random;
  }

  get name(): string {
    return this.inner.name;
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  apply(action: ResourceActionInput, options: WriteOptions): Promise<AdapterResult> {
    return this.write('apply', action, options);
  }

  rollback(action: ResourceActionInput, options: WriteOptions): Promise<AdapterResult> {
    return this.write('rollback', action, options);
  }

  async verify(target: VerifyTarget, options: CallOptions = {}): Promise<VerifyResult> {
    const parsed = verifyTargetSchema.safeParse(target);
    if (!parsed.success) return permanent(`invalid verify target: ${issues(parsed.error)}`, 'invalid-action');
    return this.call('verify', verifyResultSchema, options, (ctx) => this.inner.verify(parsed.data, ctx));
  }

  discover(options: CallOptions = {}): Promise<DiscoverResult> {
    return this.call('discover', discoverResultSchema, options, (ctx) => this.inner.discover(ctx));
  }

  /** Health bypasses the breaker (it must report even when the circuit is open) and is not retried. */
  async health(options: CallOptions = {}): Promise<HealthReport & { breaker: BreakerState }> {
    const breaker = this.breaker.state;
    const outcome = await this.attempt('health', options, this.deadlineOf(options), (ctx) => this.inner.health(ctx));
    if ('failure' in outcome) return { status: 'down', detail: outcome.failure.reason, breaker };
    const parsed = healthReportSchema.safeParse(outcome.value);
    if (!parsed.success) return { status: 'down', detail: `invalid health report: ${issues(parsed.error)}`, breaker };
    const report = parsed.data;
    if (breaker !== 'closed' && report.status === 'up') {
      return { status: 'degraded', detail: `circuit ${breaker} after ${this.breaker.failures} consecutive failures`, breaker };
    }
    return { ...report, breaker };
  }

  private async write(kind: 'apply' | 'rollback', input: ResourceActionInput, options: WriteOptions): Promise<AdapterResult> {
    if (!options.idempotencyKey) return permanent(`${kind} needs an idempotency key`, 'invalid-action');
    const parsed = resourceActionSchema.safeParse(input);
    if (!parsed.success) return permanent(`invalid resource action: ${issues(parsed.error)}`, 'invalid-action');
    const action = parsed.data;
    const key = `${kind}:${options.idempotencyKey}`;
    const fingerprint = stableJson(action);

    const running = this.inFlight.get(key);
    if (running) return running;
    const call = (async (): Promise<AdapterResult> => {
      let recorded;
      try {
        recorded = options.firstUse ? undefined : await this.deps.store.get(key);
      } catch (error) {
        // Without the record we cannot know whether this key already configured the network.
        return transient(`idempotency record unavailable for ${kind} on adapter ${this.name}: ${(error as Error).message}`, 'internal');
      }
      if (recorded) {
        if (recorded.fingerprint !== fingerprint) {
          return permanent(
            `idempotency key ${JSON.stringify(options.idempotencyKey)} was already used for a different ${kind} action`,
            'conflict',
          );
        }
        this.log.info({ idempotencyKey: options.idempotencyKey, op: kind }, 'replayed recorded result');
        return recorded.result;
      }
      const result = await this.call(kind, adapterResultSchema, options, (ctx) =>
        this.inner[kind](action, { ...ctx, idempotencyKey: options.idempotencyKey }),
      );
      if (result.status !== 'transient') {
        try {
          await this.deps.store.put(key, { fingerprint, result, recordedAt: new Date(this.deps.clock.now()).toISOString() });
        } catch (error) {
          // The network already changed: report what happened. A replay will reach the adapter,
          // which finds its earlier work (adapters are idempotent on the network side).
          this.log.error({ err: error, idempotencyKey: options.idempotencyKey, op: kind }, 'could not record the result');
        }
      }
      return result;
    })();
    this.inFlight.set(key, call);
    try {
      return await call;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Deadline, breaker and retries around one operation whose results carry a `status`. */
  private async call<T extends { status: string }>(
    op: string,
    schema: z.ZodType<T>,
    options: CallOptions,
    run: Attempt<T>,
  ): Promise<T | Failure> {
    const deadline = this.deadlineOf(options);
    let last: T | Failure | undefined;
    for (let attemptNo = 1; ; attemptNo++) {
      const admission = this.breaker.admit();
      if (!admission.admitted) {
        return transient(
          `adapter ${this.name} unavailable: circuit open after ${this.breaker.failures} consecutive failures` +
            (last && last.status === 'transient' ? ` (last: ${(last as Failure).reason})` : '') +
            `; retry in ${Math.ceil(admission.retryAfterMs / 1000)} s`,
          'adapter-unavailable',
          admission.retryAfterMs,
        );
      }
      const outcome = await this.attempt(op, options, deadline, run);
      let result: T | Failure;
      if ('failure' in outcome) {
        result = outcome.failure;
      } else {
        const checked = schema.safeParse(outcome.value);
        result = checked.success
          ? checked.data
          : permanent(`adapter ${this.name} returned an invalid ${op} result: ${issues(checked.error)}`, 'internal');
      }
      const cancelled = 'failure' in outcome && outcome.cancelled === true;
      // A caller's cancellation says nothing about the adapter's health.
      if (cancelled) {
        if (admission.probe) this.breaker.released();
      } else if (result.status === 'transient') this.breaker.failed();
      else this.breaker.succeeded();
      last = result;

      if (result.status !== 'transient' || cancelled) return result;
      if (attemptNo >= this.policy.retry.maxAttempts) return result;
      const hinted = 'retryAfterMs' in result && typeof result.retryAfterMs === 'number' ? result.retryAfterMs : 0;
      const delay = Math.max(hinted, backoffDelay(this.policy.retry, attemptNo, this.random));
      const remaining = deadline - this.deps.clock.now();
      if (delay >= remaining) return result;
      this.log.warn({ op, attempt: attemptNo, delayMs: delay, reason: (result as Failure).reason }, 'transient failure; retrying');
      try {
        await this.deps.clock.sleep(delay, options.signal);
      } catch {
        return result;
      }
    }
  }

  /** One attempt under a deadline; the adapter's promise is raced so a hung adapter cannot hold the caller. */
  private async attempt<T>(
    op: string,
    options: CallOptions,
    callDeadline: number,
    run: Attempt<T>,
  ): Promise<{ value: T } | { failure: Failure; cancelled?: boolean }> {
    const now = this.deps.clock.now();
    const deadline = this.policy.attemptTimeoutMs ? Math.min(callDeadline, now + this.policy.attemptTimeoutMs) : callDeadline;
    if (options.signal?.aborted) return { failure: transient(`${op} on adapter ${this.name} cancelled by the caller`, 'cancelled'), cancelled: true };
    if (deadline <= now) return { failure: transient(`adapter ${this.name} had no time left for ${op} (deadline passed)`, 'timeout') };

    const controller = new AbortController();
    const timedOut = new Error(`adapter ${this.name} did not answer ${op} within ${deadline - now} ms`);
    const cancelTimer = this.deps.clock.schedule(() => controller.abort(timedOut), deadline - now);
    const onCallerAbort = () => controller.abort(new Error('cancelled by the caller'));
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    try {
      const value = await Promise.race([run({ deadline, signal: controller.signal }), aborted]);
      return { value };
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason === timedOut) {
        return { failure: transient(timedOut.message, 'timeout') };
      }
      if (options.signal?.aborted) {
        return { failure: transient(`${op} on adapter ${this.name} cancelled by the caller`, 'cancelled'), cancelled: true };
      }
      // An adapter should return failures, not throw; a throw is treated as transient and logged loudly.
      const message = error instanceof Error ? error.message : String(error);
      this.log.error({ op, err: error }, 'adapter threw instead of returning a result');
      return { failure: transient(`adapter ${this.name} failed during ${op}: ${message}`, 'internal') };
    } finally {
      cancelTimer();
      options.signal?.removeEventListener('abort', onCallerAbort);
      aborted.catch(() => undefined);
    }
  }

  private deadlineOf(options: CallOptions): number {
    if (options.deadline !== undefined) return options.deadline;
    return this.deps.clock.now() + (options.timeoutMs ?? this.policy.timeoutMs);
  }
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}
