/**
 * TMF list conventions: `offset`/`limit` paging with X-Total-Count and X-Result-Count, `fields`
 * projection (id, href and @type always kept), attribute filters as plain query parameters.
 */
import type { Context } from 'hono';

export const MAX_LIMIT = 1000;
const ALWAYS = ['id', 'href', '@type'];

export interface Paging {
  offset: number;
  limit: number;
}

export function parsePaging(c: Context): Paging | { error: string } {
  const parse = (name: string, fallback: number) => {
    const raw = c.req.query(name);
    if (raw === undefined || raw === '') return fallback;
    return /^\d+$/.test(raw) ? Number(raw) : NaN;
  };
  const offset = parse('offset', 0);
  const limit = parse('limit', 100);
  if (!Number.isSafeInteger(offset)) return { error: 'offset: expected a non-negative integer' };
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) return { error: `limit: expected an integer 1-${MAX_LIMIT}` };
  return { offset, limit };
}

export function project<T extends Record<string, unknown>>(entity: T, fields: string | undefined): Partial<T> {
  if (!fields) return entity;
  const keep = new Set([...ALWAYS, ...fields.split(',').map((f) => f.trim()).filter(Boolean)]);
  return Object.fromEntries(Object.entries(entity).filter(([k]) => keep.has(k))) as Partial<T>;
}

export function listResponse(c: Context, items: unknown[], total: number) {
  c.header('X-Total-Count', String(total));
  c.header('X-Result-Count', String(items.length));
  return c.json(items, 200);
}
