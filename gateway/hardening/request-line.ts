// Paths and query strings a storage layer cannot hold: malformed percent-encoding, NUL and other
// C0 control characters once decoded (Postgres text refuses NUL). Refused at the edge with 400
// rather than failing deep inside a route.
import type { MiddlewareHandler } from 'hono';
import type { GatewayEnv } from '../context.js';
import { jsonError } from '../errors.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Why a raw path or query string is unacceptable, or undefined when it is fine. */
export function requestLineProblem(rawPathAndQuery: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPathAndQuery.replace(/\+/g, ' '));
  } catch {
    return 'the path or query has malformed percent-encoding';
  }
  if (CONTROL.test(decoded)) return 'the path or query contains control characters';
  return undefined;
}

export function requestLineCheck(): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const url = c.req.url;
    const start = url.indexOf('/', url.indexOf('//') + 2);
    const problem = requestLineProblem(start < 0 ? '/' : url.slice(start));
    if (problem) return jsonError(c, 400, 'bad_request', problem);
    await next();
  };
}
