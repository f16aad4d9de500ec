import { randomBytes } from 'node:crypto';

/** Short random suffix for per-test names (databases, namespaces). */
export function randomSuffix(): string {
  return randomBytes(5).toString('hex');
}
