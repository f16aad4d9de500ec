import type { AuditRecord } from './record.js';

/** Export formats: NDJSON (one stored record per line, the offline verifier's input) and CSV. */

export function ndjsonLines(records: readonly AuditRecord[]): string {
  let out = '';
  for (const r of records) out += `${JSON.stringify(r)}\n`;
  return out;
}

export const CSV_COLUMNS = [
  'seq', 'decision_id', 'timestamp', 'path', 'result', 'input', 'bundles', 'metrics', 'wasm_digest', 'request_id', 'order_id',
  'customer_id', 'network_event_id', 'principal', 'component', 'masked', 'erased', 'prev_hash', 'hash', 'leaf_hash',
] as const satisfies readonly (keyof AuditRecord)[];

/** RFC 4180 field: quoted when it holds a comma, quote or line break; quotes doubled. */
function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** JSON-valued columns (input, result, bundles, metrics, masked, erased) hold JSON text. */
export function csvRows(records: readonly AuditRecord[]): string {
  let out = '';
  for (const r of records) out += `${CSV_COLUMNS.map((c) => csvField(r[c])).join(',')}\r\n`;
  return out;
}
