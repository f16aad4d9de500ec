/**
 * Polls `probe` until it gives a truthy value and returns it; throws naming `what` when
 * `timeoutMs` passes first. For waiting on asynchronous effects (a consumer committing, a webhook
 * arriving) in tests; the timeout is a bound on waiting, not a speed assertion.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  timeoutMs = 20_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
