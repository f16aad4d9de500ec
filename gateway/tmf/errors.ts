/** TMF's `Error` body (code, reason, message, status, @type), used by every TMF API route. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

export interface TmfError {
  code: string;
  reason: string;
  message: string;
  status: string;
  '@type': 'Error';
}

export function tmfError(c: Context, status: ContentfulStatusCode, code: string, reason: string, message: string = reason) {
  const body: TmfError = { code, reason, message, status: String(status), '@type': 'Error' };
  return c.json(body, status);
}

/** `serviceOrderItem[0].service.serviceSpecification.id` from a zod issue path. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(body)';
}

/** 400 naming the first offending field. */
export function validationError(c: Context, error: ZodError) {
  const issue = error.issues[0]!;
  const field = fieldPath(issue.path);
  return tmfError(c, 400, 'invalidField', `invalid field ${field}`, `${field}: ${issue.message}`);
}

/** The request body parsed with a schema, or the TMF 400 that answers it (bad JSON, invalid field). */
export async function parseTmfBody<T>(
  c: Context,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
): Promise<{ ok: true; data: T } | { ok: false; response: Response }> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return { ok: false, response: tmfError(c, 400, 'invalidBody', 'the body is not valid JSON') };
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, response: validationError(c, parsed.error) };
}
