/** The JSON error body every gateway error uses: { error, message, requestId }. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface ErrorBody {
  /** Stable machine-readable code, e.g. `unauthorized`, `forbidden`, `not_found`. */
  error: string;
  /** Human-readable explanation. */
  message: string;
  requestId: string | undefined;
}

export function jsonError(c: Context, status: ContentfulStatusCode, error: string, message: string) {
  const body: ErrorBody = { error, message, requestId: c.get('requestId') };
  return c.json(body, status);
}
