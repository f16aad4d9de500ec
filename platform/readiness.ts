/** Readiness: every dependency must answer. Checks run in parallel so /ready answers within one timeout. */

export interface Dependency {
  /** Named in the /ready body, e.g. `postgres`, `jetstream`. */
  name: string;
  /** Resolves when the dependency answers; rejects with the reason otherwise. */
  check(): Promise<void>;
}

export type CheckResult = { status: 'ok' } | { status: 'failed'; error: string };

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

export async function checkReadiness(dependencies: Dependency[]): Promise<Readiness> {
  const results = await Promise.all(
    dependencies.map(async (d): Promise<[string, CheckResult]> => {
      try {
        await d.check();
        return [d.name, { status: 'ok' }];
      } catch (err) {
        return [d.name, { status: 'failed', error: err instanceof Error ? err.message : String(err) }];
      }
    }),
  );
  return { ready: results.every(([, r]) => r.status === 'ok'), checks: Object.fromEntries(results) };
}
