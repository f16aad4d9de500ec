import { Hono, type Context } from 'hono';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { requireRoles, type AccessControl } from '../gateway/access.js';
import type { GatewayEnv } from '../gateway/context.js';
import { jsonError } from '../gateway/errors.js';
import { keyIdOf, publicKeyPem } from './checkpoint.js';
import { csvHeader, csvRows, ndjsonLines } from './export.js';
import { consistencyProof, inclusionProof } from './merkle.js';
import { decisionFilterSchema, decodeCursor, encodeCursor, iterateDecisions, pageOfDecisions } from './query.js';
import { replayDecisions, type ReplayEvaluator } from './replay.js';
import { checkpointCovering, dbSubtreeSource, getCheckpoint, getRecordById, headSeq, listCheckpoints, type AuditDb } from './store.js';
import { isUuid } from './uuidv7.js';
import { verifyStoredLog } from './verify-db.js';

/**
 * The auditor's HTTP interface, mounted by the gateway under /audit/v1.
 * Everything is read-only; the role `auditor` reads, `compliance` (and
 * `auditor`) may run replays, which evaluate but write nothing.
 */

export interface AuditRoutesDeps {
  db: AuditDb;
  access: AccessControl;
  /** Public half of the checkpoint signing key. */
  publicKey: KeyObject;
  /** Policy evaluation for replay; absent until the policy engine is wired (replay answers 501). */
  evaluate?: ReplayEvaluator;
}

const MAX_PAGE = 1_000;

const listQuery = decisionFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
  cursor: z.string().optional(),
});

const verifyBody = z
  .object({ from: z.number().int().min(1).optional(), to: z.number().int().min(1).optional() })
  .refine((b) => b.from === undefined || b.to === undefined || b.from <= b.to, 'from must not exceed to');

const replayBody = z.object({
  from: z.string(),
  to: z.string(),
  bundle: z.unknown().refine((b) => b !== undefined, 'bundle is required'),
  path: z.string().min(1).optional(),
  limit: z.number().int().min(0).max(10_000).default(100),
});

function issueText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

/** A pull-driven body: the next chunk is produced only when the client has taken the last. */
function streamingResponse(contentType: string, chunks: AsyncGenerator<string>, filename?: string): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
    // Produce nothing ahead of the reader: with the one page fetched ahead in iterateDecisions, at most two pages are in memory.
  }, { highWaterMark: 0 });
  const headers: Record<string, string> = { 'Content-Type': contentType, 'Cache-Control': 'no-store' };
  if (filename) headers['Content-Disposition'] = `attachment; filename="${filename}"`;
  return new Response(body, { status: 200, headers });
}

export function auditRoutes(deps: AuditRoutesDeps): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  const auditor = requireRoles(deps.access, 'auditor');
  const replayer = requireRoles(deps.access, 'compliance', 'auditor');
  const keyId = keyIdOf(deps.publicKey);

  /** List (JSON, cursor-paginated) or export (NDJSON / CSV, streamed) decisions. */
  app.get('/decisions', auditor, async (c) => {
    const parsed = listQuery.safeParse(c.req.query());
    if (!parsed.success) return jsonError(c, 400, 'invalid_query', issueText(parsed.error));
    const { limit, cursor, ...filter } = parsed.data;
    const after = cursor === undefined ? 0 : decodeCursor(cursor);
    if (after === null) return jsonError(c, 400, 'invalid_query', 'cursor: not a cursor returned by this API');

    const accept = c.req.header('accept') ?? '';
    if (accept.includes('application/x-ndjson') || accept.includes('text/csv')) {
      const csv = !accept.includes('application/x-ndjson');
      const upTo = await headSeq(deps.db);
      async function* chunks(): AsyncGenerator<string> {
        if (csv) yield csvHeader();
        for await (const page of iterateDecisions(deps.db, filter, { afterSeq: after!, upToSeq: upTo })) {
          yield csv ? csvRows(page) : ndjsonLines(page);
        }
      }
      c.get('log').info({ filter, format: csv ? 'csv' : 'ndjson', upTo }, 'audit export');
      return streamingResponse(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson', chunks(), csv ? 'decisions.csv' : 'decisions.ndjson');
    }

    const items = await pageOfDecisions(deps.db, filter, after, Number.MAX_SAFE_INTEGER, limit);
    const next = items.length === limit ? encodeCursor(items[items.length - 1]!.seq) : null;
    return c.json({ items, next_cursor: next });
  });

  /** One decision with its inclusion proof against the first checkpoint that covers it. */
  app.get('/decisions/:id', auditor, async (c) => {
    const id = c.req.param('id').toLowerCase();
    if (!isUuid(id)) return jsonError(c, 400, 'invalid_id', 'decision id must be a UUID');
    const record = await getRecordById(deps.db, id);
    if (!record) return jsonError(c, 404, 'not_found', `no decision ${id}`);
    const checkpoint = await checkpointCovering(deps.db, record.seq);
    if (!checkpoint) return c.json({ record, checkpoint: null, inclusion_proof: null, note: 'not yet covered by a signed checkpoint; retry shortly' });
    const proof = await inclusionProof(dbSubtreeSource(deps.db), record.seq - 1, checkpoint.tree_size);
    return c.json({
      record,
      checkpoint,
      inclusion_proof: { leaf_index: record.seq - 1, tree_size: checkpoint.tree_size, hashes: proof.map((h) => h.toString('hex')) },
    });
  });

  app.get('/checkpoints', auditor, async (c) => {
    const q = z
      .object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100) })
      .safeParse(c.req.query());
    if (!q.success) return jsonError(c, 400, 'invalid_query', issueText(q.error));
    const items = await listCheckpoints(deps.db, { after: q.data.after, limit: q.data.limit });
    return c.json({ items, next_after: items.length === q.data.limit ? items[items.length - 1]!.tree_size : null });
  });

  /** Proof that the tree at checkpoint `to` extends the tree at checkpoint `from`. */
  app.get('/checkpoints/consistency', auditor, async (c) => {
    const q = z
      .object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) })
      .refine((v) => v.from <= v.to, 'from must not exceed to')
      .safeParse(c.req.query());
    if (!q.success) return jsonError(c, 400, 'invalid_query', issueText(q.error));
    const [first, second] = await Promise.all([getCheckpoint(deps.db, q.data.from), getCheckpoint(deps.db, q.data.to)]);
    if (!first || !second) return jsonError(c, 404, 'not_found', `no checkpoint at tree size ${!first ? q.data.from : q.data.to}`);
    const proof = await consistencyProof(dbSubtreeSource(deps.db), first.tree_size, second.tree_size);
    return c.json({ from: first, to: second, proof: proof.map((h) => h.toString('hex')) });
  });

  app.get('/public-key', auditor, (c) => {
    const pem = publicKeyPem(deps.publicKey);
    if ((c.req.header('accept') ?? '').includes('application/x-pem-file')) return c.body(pem, 200, { 'Content-Type': 'application/x-pem-file' });
    return c.json({ algorithm: 'Ed25519', key_id: keyId, public_key_pem: pem });
  });

  /** Verifies chain and tree over a seq range; streams progress lines, then the result line. */
  app.post('/verify', auditor, async (c) => {
    const raw = (await jsonBody(c)) ?? {};
    const parsed = verifyBody.safeParse(raw);
    if (!parsed.success) return jsonError(c, 400, 'invalid_body', issueText(parsed.error));
    const log = c.get('log');
    async function* lines(): AsyncGenerator<string> {
      const progress: string[] = [];
      let wake: (() => void) | null = null;
      let finished = false;
      const run = verifyStoredLog(deps.db, {
        ...parsed.data,
        publicKey: deps.publicKey,
        onProgress: (p) => {
          progress.push(`${JSON.stringify({ type: 'progress', ...p })}\n`);
          wake?.();
        },
      }).finally(() => {
        finished = true;
        wake?.();
      });
      run.catch(() => undefined); // surfaced below
      while (!finished || progress.length > 0) {
        if (progress.length > 0) yield progress.splice(0).join('');
        else await new Promise<void>((r) => (wake = r));
        wake = null;
      }
      try {
        const report = await run;
        log.info({ ok: report.ok, verified: report.verified, first_broken_seq: report.first_broken_seq }, 'audit verify');
        yield `${JSON.stringify({ type: 'result', ...report })}\n`;
      } catch (err) {
        // The 200 and progress lines are already sent: end with an error line, not a silent cut.
        log.error({ err }, 'audit verify failed');
        yield `${JSON.stringify({ type: 'error', message: 'verification could not complete (database error); retry' })}\n`;
      }
    }
    return streamingResponse('application/x-ndjson', lines());
  });

  /** Re-evaluates recorded inputs in a time range with a candidate bundle. */
  app.post('/replay', replayer, async (c) => {
    if (!deps.evaluate) return jsonError(c, 501, 'not_configured', 'replay needs the policy engine, which is not configured');
    const parsed = replayBody.safeParse(await jsonBody(c));
    if (!parsed.success) return jsonError(c, 400, 'invalid_body', issueText(parsed.error));
    const filter = decisionFilterSchema.safeParse({ from: parsed.data.from, to: parsed.data.to });
    if (!filter.success) return jsonError(c, 400, 'invalid_body', issueText(filter.error));
    const report = await replayDecisions(deps.db, deps.evaluate, { filter: filter.data, bundle: parsed.data.bundle, path: parsed.data.path, limit: parsed.data.limit });
    c.get('log').info({ evaluated: report.evaluated, changed: report.changed, errors: report.errors }, 'audit replay');
    return c.json(report);
  });

  return app;
}
