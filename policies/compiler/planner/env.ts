// The `with` modifiers in effect while planning: function mocks and data paths whose rules are
// replaced by a value. Every rule planned under a non-empty Env is planned again (its own func),
// keyed by Env.key, as OPA's planner does for mocked functions.
import type { Term } from '../ast.js';
import type { RuleNode } from '../compile/index.js';

/** Data path where values of non-constant mocks are stashed so mocked funcs can read them. */
export const MOCK_STASH = '$mock';

/** What `with <function> as <replacement>` substitutes. */
export type Mock =
  | { kind: 'func'; node: RuleNode }
  | { kind: 'builtin'; name: string }
  | { kind: 'const'; term: Term }
  | { kind: 'stash'; name: string };

/** The `with` modifiers in effect: mocked functions and data paths whose rules are replaced. */
export interface Env {
  mocks: ReadonlyMap<string, Mock>;
  overrides: ReadonlyArray<readonly string[]>;
  key: string;
}

export const EMPTY_ENV: Env = { mocks: new Map(), overrides: [], key: '' };

function termKey(t: Term): string {
  return JSON.stringify(t, (k, v) => (k === 'loc' ? undefined : v));
}

export function makeEnv(mocks: Map<string, Mock>, overrides: ReadonlyArray<readonly string[]>): Env {
  const mockKeys = [...mocks.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, m]) => {
    const target = m.kind === 'func' ? `f:${m.node.id}` : m.kind === 'builtin' ? `b:${m.name}` : m.kind === 'const' ? `c:${termKey(m.term)}` : 's';
    return `${n}=${target}`;
  });
  const key = mockKeys.length || overrides.length ? JSON.stringify([mockKeys, overrides.map((o) => o.join('.')).sort()]) : '';
  return { mocks, overrides, key };
}

/** True when a `with` replaced the document at path or at one of its prefixes. */
export function overridden(env: Env, path: readonly string[]): boolean {
  return env.overrides.some((o) => o.length <= path.length && o.every((x, i) => x === path[i]));
}
