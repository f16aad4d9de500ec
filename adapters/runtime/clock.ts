/** The real clock, and a sleep that honours an abort signal. */
import type { Clock } from '../contract.js';

export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
  schedule(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms));
    // Scheduled simulation work must never keep the process alive on its own.
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};
