/**
 * Turns RESTCONF responses into adapter results: status codes and RFC 8040 §7.1 error bodies
 * (`ietf-restconf:errors`) into transient/permanent failures with a readable reason.
 */
import { permanent, transient, type AdapterFailure } from '../contract.js';

export interface RestconfError {
  'error-type'?: string;
  'error-tag'?: string;
  'error-app-tag'?: string;
  'error-path'?: string;
  'error-message'?: string;
}

/** Error tags meaning "try again later" (RFC 8040 §7 maps them to 409/503). */
const RETRYABLE_TAGS = new Set(['in-use', 'lock-denied', 'resource-denied']);
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

export function parseErrors(body: unknown): RestconfError[] {
  const container = body && typeof body === 'object' ? (body as Record<string, unknown>)['ietf-restconf:errors'] ?? (body as Record<string, unknown>).errors : undefined;
  const list = container && typeof container === 'object' ? (container as { error?: unknown }).error : undefined;
  return Array.isArray(list) ? (list as RestconfError[]) : [];
}

export function describeErrors(errors: RestconfError[]): string {
  return errors
    .map((e) => [e['error-tag'] ?? 'error', e['error-path'] ? `at ${e['error-path']}` : '', e['error-message'] ? `: ${e['error-message']}` : ''].filter(Boolean).join(' ').replace(' :', ':'))
    .join('; ');
}

/** Retry-After is seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function failureFor(method: string, url: string, status: number, statusText: string, body: unknown, retryAfter: number | undefined): AdapterFailure {
  const errors = parseErrors(body);
  const detail = errors.length ? describeErrors(errors) : typeof body === 'string' && body ? body.slice(0, 300) : '';
  const reason = `RESTCONF ${status} ${statusText} on ${method} ${new URL(url).pathname}${detail ? `: ${detail}` : ''}`;
  const retryable = RETRYABLE_STATUS.has(status) || errors.some((e) => RETRYABLE_TAGS.has(e['error-tag'] ?? ''));
  if (retryable) return transient(reason, status >= 500 ? 'unreachable' : 'conflict', retryAfter);
  if (status === 412) return transient(`${reason} (changed concurrently; re-read and retry)`, 'conflict');
  const code = status === 404 ? 'not-found' : status === 409 ? 'conflict' : status === 400 ? 'invalid-action' : 'rejected';
  return permanent(reason, code);
}
