import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { normaliseTimestamp } from './record.js';
import { headSeq, RECORD_COLUMNS, rowToRecord, type AuditDb, type RecordRow } from './store.js';
import type { AuditRecord } from './record.js';

/** Filters for listing and exporting decisions, and keyset iteration over them. */

const timestamp = z.string().transform((v, ctx) => {
  try {
    return normaliseTimestamp(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected an RFC 3339 timestamp, e.g. 2026-01-31T00:00:00Z' });
    return z.NEVER;
  }
});

export const decisionFilterSchema = z.object({
  /** Inclusive lower / exclusive upper bound on the decision timestamp. */
  from: timestamp.optional(),
  to: timestamp.optional(),
  path: z.string().min(1).optional(),
  /** `allowed`: result is true or has allow = true; `denied`: result is false or has allow = false. */
  result: z.enum(['allowed', 'denied']).optional(),
  order_id: z.string().min(1).optional(),
  customer_id: z.string().min(1).optional(),
  principal: z.string().min(1).optional(),
  bundle_revision: z.string().min(1).optional(),
});

export type DecisionFilter = z.infer<typeof decisionFilterSchema>;

export function filterConditions(f: DecisionFilter): RawBuilder<unknown>[] {
  const c: RawBuilder<unknown>[] = [];
  if (f.from) c.push(sql`"timestamp" >= ${f.from}::timestamptz`);
  if (f.to) c.push(sql`"timestamp" < ${f.to}::timestamptz`);
  if (f.path) c.push(sql`path = ${f.path}`);
  if (f.result === 'allowed') c.push(sql`(result = 'true'::jsonb OR result -> 'allow' = 'true'::jsonb)`);
  if (f.result === 'denied') c.push(sql`(result = 'false'::jsonb OR result -> 'allow' = 'false'::jsonb)`);
  if (f.order_id) c.push(sql`order_id = ${f.order_id}`);
  if (f.customer_id) c.push(sql`customer_id = ${f.customer_id}`);
  if (f.principal) c.push(sql`principal = ${f.principal}`);
  if (f.bundle_revision) c.push(sql`jsonb_path_exists(bundles::jsonb, '$.*.revision ? (@ == $r)', jsonb_build_object('r', ${f.bundle_revision}::text))`);
  return c;
}

/** One page of matching records with seq in (afterSeq, upToSeq], ascending. */
export async function pageOfDecisions(db: AuditDb, filter: DecisionFilter, afterSeq: number, upToSeq: number, limit: number): Promise<AuditRecord[]> {
  const conditions = [sql`seq > ${afterSeq}`, sql`seq <= ${upToSeq}`, ...filterConditions(filter)];
  const r = await sql<RecordRow>`SELECT ${RECORD_COLUMNS} FROM audit_decisions WHERE ${sql.join(conditions, sql` AND `)} ORDER BY seq LIMIT ${limit}`.execute(db);
  return r.rows.map(rowToRecord);
}

/**
 * All matching records after `afterSeq`, page by page. The upper bound is
 * fixed at the head when iteration starts: rows are never changed, so this is
 * a consistent snapshot without holding a transaction (or a connection) open
 * for the length of an export.
 */
export async function* iterateDecisions(
  db: AuditDb,
  filter: DecisionFilter,
  opts: { afterSeq?: number; upToSeq?: number; pageSize?: number } = {},
): AsyncGenerator<AuditRecord[]> {
  const upTo = opts.upToSeq ?? (await headSeq(db));
  const pageSize = opts.pageSize ?? 2_000;
  // One page is fetched ahead while the consumer handles the current one; memory holds two pages at most.
  const fetch = (after: number) => (after < upTo ? pageOfDecisions(db, filter, after, upTo, pageSize) : Promise.resolve([]));
  let next = fetch(opts.afterSeq ?? 0);
  try {
    for (;;) {
      const page = await next;
      if (page.length === 0) return;
      next = page.length < pageSize ? Promise.resolve([]) : fetch(page[page.length - 1]!.seq);
      yield page;
    }
  } finally {
    await next.catch(() => undefined);
  }
}

export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string): number | null {
  const m = /^seq:(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? Number(m[1]) : null;
}
