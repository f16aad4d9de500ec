/**
 * The operator API over dead letters (role `operator`; authz family `dead_letters`):
 *
 *   GET  /operations/v1/dead-letters              list, newest first; filters consumer, subject,
 *                                                 status (pending | retried | discarded); offset/limit
 *   GET  /operations/v1/dead-letters/{id}         one dead letter, with its headers and payload
 *   POST /operations/v1/dead-letters/{id}/retry   republish it to its subject for its consumer
 *   POST /operations/v1/dead-letters/{id}/discard give up on it
 *
 * retry and discard take an optional body `{"note": "..."}`, are idempotent (a repeated call
 * answers 200 with the dead letter as it is) and answer 409 when the dead letter is already in the
 * other final state. Bad input gets a TMF Error naming the field. State and retry semantics:
 * platform/bus/dead-letter-store.ts.
 */
import type { Context, Hono } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Bus } from '../../platform/bus/bus.js';
import {
  deadLetterStatuses,
  discardDeadLetter,
  getDeadLetter,
  listDeadLetters,
  retryDeadLetter,
  type DeadLetterRow,
  type Transition,
} from '../../platform/bus/dead-letter-store.js';
import type { Database } from '../../platform/db/schema.js';
import { requireRoles, type AccessControl } from '../access.js';
import type { GatewayEnv } from '../context.js';
import { tmfError, validationError } from '../tmf/errors.js';
import { listResponse, parsePaging, project } from '../tmf/list.js';

export const DEAD_LETTERS_BASE = '/operations/v1/dead-letters';

export function deadLetterHref(id: string): string {
  return `${DEAD_LETTERS_BASE}/${encodeURIComponent(id)}`;
}

export function deadLetterRepresentation(r: DeadLetterRow) {
  return {
    id: r.id,
    href: deadLetterHref(r.id),
    status: r.status,
    consumer: r.consumer,
    subject: r.subject,
    stream: r.stream,
    streamSequence: Number(r.stream_seq),
    messageId: r.message_id,
    correlationId: r.correlation_id,
    reason: r.reason,
    error: r.error,
    deliveryCount: r.delivery_count,
    deadAt: r.dead_at.toISOString(),
    recordedAt: r.recorded_at.toISOString(),
    headers: r.headers,
    payload: { encoding: r.payload_encoding, data: r.payload },
    retryMessageId: r.retry_message_id,
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    resolvedBy: r.resolved_by,
    note: r.note,
    '@type': 'DeadLetter',
  };
}

/** Postgres text cannot hold NUL: such input is refused as invalid, not failed on in the database. */
const pgText = (max: number) => z.string().max(max).refine((v) => !v.includes('\0'), 'must not contain NUL');

const listQuery = z.object({
  consumer: pgText(500).optional(),
  subject: pgText(500).optional(),
  status: z.enum(deadLetterStatuses).optional(),
});

const actionBody = z.strictObject({ note: pgText(1_000).optional() });

/** The optional action body: none, or `{"note": "..."}`. */
async function readActionBody(c: Context<GatewayEnv>): Promise<{ note?: string } | Response> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return tmfError(c, 400, 'invalidBody', 'the body is not valid JSON');
  }
  const parsed = actionBody.safeParse(raw);
  return parsed.success ? parsed.data : validationError(c, parsed.error);
}

export function deadLetterRoutes(deps: { db: Kysely<Database>; bus: Pick<Bus, 'js'> }) {
  return (app: Hono<GatewayEnv>, access: AccessControl) => {
    const operator = requireRoles(access, 'operator');

    app.get(DEAD_LETTERS_BASE, operator, async (c) => {
      const paging = parsePaging(c);
      if ('error' in paging) return tmfError(c, 400, 'invalidQuery', paging.error);
      const query = listQuery.safeParse({ consumer: c.req.query('consumer'), subject: c.req.query('subject'), status: c.req.query('status') });
      if (!query.success) return validationError(c, query.error);
      const { rows, total } = await listDeadLetters(deps.db, { ...query.data, ...paging });
      return listResponse(c, rows.map((r) => project(deadLetterRepresentation(r), c.req.query('fields'))), total);
    });

    app.get(`${DEAD_LETTERS_BASE}/:id`, operator, async (c) => {
      const row = c.req.param('id').includes('\0') ? undefined : await getDeadLetter(deps.db, c.req.param('id'));
      if (!row) return tmfError(c, 404, 'notFound', `no dead letter ${c.req.param('id')}`);
      return c.json(deadLetterRepresentation(row), 200);
    });

    const answer = (c: Context<GatewayEnv>, t: Transition, action: 'retried' | 'discarded') => {
      const id = c.req.param('id') ?? '';
      if (t.outcome === 'not_found') return tmfError(c, 404, 'notFound', `no dead letter ${id}`);
      if (t.outcome === 'conflict') {
        return tmfError(c, 409, 'invalidState', `dead letter ${id} is ${t.row.status}`, `dead letter ${id} is ${t.row.status}; it cannot be ${action}`);
      }
      if (t.changed) c.get('log').info({ deadLetterId: id, status: t.row.status, consumer: t.row.consumer }, `dead letter ${action}`);
      return c.json(deadLetterRepresentation(t.row), 200);
    };

    app.post(`${DEAD_LETTERS_BASE}/:id/retry`, operator, async (c) => {
      const body = await readActionBody(c);
      if (body instanceof Response) return body;
      const by = c.get('principal')?.name ?? 'unknown';
      let t: Transition;
      try {
        t = await retryDeadLetter(deps.db, deps.bus, c.req.param('id'), by, body.note);
      } catch (err) {
        // The republish failed (NATS down, subject no longer in a stream): nothing changed, it stays pending.
        c.get('log').warn({ err, deadLetterId: c.req.param('id') }, 'dead letter retry failed');
        return tmfError(c, 503, 'retryFailed', 'the message could not be republished; the dead letter stays pending', `retry failed: ${(err as Error).message}`);
      }
      return answer(c, t, 'retried');
    });

    app.post(`${DEAD_LETTERS_BASE}/:id/discard`, operator, async (c) => {
      const body = await readActionBody(c);
      if (body instanceof Response) return body;
      const by = c.get('principal')?.name ?? 'unknown';
      return answer(c, await discardDeadLetter(deps.db, c.req.param('id'), by, body.note), 'discarded');
    });
  };
}
