// Result-set comparison as OPA's conformance runner does it: numbers by value (1 == 1.0), sets
// in Rego order, rows compared as a multiset (evaluation order is not part of the contract), and
// with sort_bindings each array-valued binding sorted first (OPA sorts them as JSON, where a set
// has become an array).
import { fromJson, toJson, type Json } from '../compiler/ir-eval/index.js';

export interface ComparableCase {
  want_result?: Array<Record<string, unknown>> | null;
  sort_bindings?: boolean;
}

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

function jsonRank(j: Json): number {
  if (j === null) return 0;
  if (typeof j === 'boolean') return 1;
  if (typeof j === 'number') return 2;
  if (typeof j === 'string') return 3;
  return Array.isArray(j) ? 4 : 5;
}

function jsonCompare(a: Json, b: Json): number {
  const d = jsonRank(a) - jsonRank(b);
  if (d) return d;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const ca = canonicalJson(a);
  const cb = canonicalJson(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

function sortBindingArrays(row: Json): Json {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return row;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(row)) out[k] = Array.isArray(v) ? v.slice().sort(jsonCompare) : v;
  return out;
}

/** null when the rows match the case's want_result, else a description of the difference. */
export function compareResults(c: ComparableCase, rows: unknown[]): string | null {
  const prepare = (rs: Json[]) => rs.map((r) => canonicalJson(c.sort_bindings ? sortBindingArrays(r) : r)).sort();
  const want = prepare((c.want_result ?? []).map((r) => toJson(fromJson(r as Json))));
  const got = prepare(rows as Json[]);
  const same = want.length === got.length && want.every((w, i) => w === got[i]);
  return same ? null : `want ${want.join(' ')} got ${got.join(' ')}`;
}

/** The message part of a wanted error: OPA's may carry "file:row: code: " the Wasm runtime cannot know. */
export function wantedErrorText(wantError: string): string {
  return wantError.replace(/^(?:[^\s:]+:\d+: )?(?:[a-z_]+_error: )?/, '');
}
