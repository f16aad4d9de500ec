import { canonicalJson } from './canonical.js';
import { iterateDecisions, type DecisionFilter } from './query.js';
import type { AuditDb } from './store.js';

/**
 * Replay: re-evaluates recorded inputs against a candidate bundle and reports
 * which decisions would change. The policy engine is injected as `evaluate`
 * (pending integration with policies/runtime); audit/ only selects records
 * and compares results by canonical JSON.
 *
 * Inputs were stored after redaction, so a decision whose input had masked or
 * erased paths is replayed on the redacted input; such changes are flagged.
 */

export type ReplayEvaluator = (bundle: unknown, path: string, input: unknown) => Promise<unknown>;

export interface ReplayRequest {
  filter: DecisionFilter;
  bundle: unknown;
  /** Evaluate this entrypoint instead of each record's own path. */
  path?: string;
  /** Most changed records listed in the report (all are counted). */
  limit: number;
}

export interface ReplayChange {
  seq: number;
  decision_id: string;
  path: string;
  timestamp: string;
  recorded: unknown;
  replayed: unknown;
  redacted: boolean;
}

export interface ReplayReport {
  evaluated: number;
  changed: number;
  unchanged: number;
  errors: number;
  redacted_inputs: number;
  changes: ReplayChange[];
  /** First few evaluation failures. */
  error_samples: { seq: number; decision_id: string; message: string }[];
  truncated: boolean;
}

export async function replayDecisions(db: AuditDb, evaluate: ReplayEvaluator, req: ReplayRequest): Promise<ReplayReport> {
  const report: ReplayReport = { evaluated: 0, changed: 0, unchanged: 0, errors: 0, redacted_inputs: 0, changes: [], error_samples: [], truncated: false };
  for await (const page of iterateDecisions(db, req.filter, { pageSize: 500 })) {
    for (const record of page) {
      report.evaluated++;
      const redacted = record.masked.length > 0 || record.erased.length > 0;
      if (redacted) report.redacted_inputs++;
      let replayed: unknown;
      let same: boolean;
      try {
        replayed = (await evaluate(req.bundle, req.path ?? record.path, record.input)) ?? null;
        same = canonicalJson(replayed) === canonicalJson(record.result);
      } catch (err) {
        report.errors++;
        if (report.error_samples.length < 10) {
          report.error_samples.push({ seq: record.seq, decision_id: record.decision_id, message: err instanceof Error ? err.message : String(err) });
        }
        continue;
      }
      if (same) {
        report.unchanged++;
        continue;
      }
      report.changed++;
      if (report.changes.length < req.limit) {
        report.changes.push({ seq: record.seq, decision_id: record.decision_id, path: record.path, timestamp: record.timestamp, recorded: record.result, replayed, redacted });
      } else report.truncated = true;
    }
  }
  return report;
}
