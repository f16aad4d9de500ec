// JSON from strangers: bounded nesting, and no keys that could reach an object's prototype when
// some later code copies the value with Object.assign or a deep merge.
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export class UnsafeJsonError extends Error {}

/** Parses `text`; throws UnsafeJsonError naming the problem (syntax, depth, forbidden key). */
export function parseSafeJson(text: string, maxDepth: number): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UnsafeJsonError(`the body is not valid JSON: ${(err as Error).message}`);
  }
  checkJsonValue(value, maxDepth);
  return value;
}

/** Walks iteratively (a hostile body must not overflow the stack) checking depth and keys. */
export function checkJsonValue(value: unknown, maxDepth: number): void {
  const stack: Array<[unknown, number, string]> = [[value, 1, '$']];
  while (stack.length > 0) {
    const [v, depth, at] = stack.pop()!;
    if (typeof v === 'string') {
      // Postgres text and jsonb cannot hold NUL: refuse it here with a reason, not later with a 500.
      if (v.includes('\u0000')) throw new UnsafeJsonError(`the body has a string with a NUL character (at ${at})`);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth > maxDepth) throw new UnsafeJsonError(`the body nests deeper than ${maxDepth} levels (at ${at})`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], depth + 1, `${at}[${i}]`]);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) throw new UnsafeJsonError(`the body has a forbidden key "${key}" (at ${at})`);
      if (key.includes('\u0000')) throw new UnsafeJsonError(`the body has a key with a NUL character (at ${at})`);
      stack.push([(v as Record<string, unknown>)[key], depth + 1, `${at}.${key}`]);
    }
  }
}
