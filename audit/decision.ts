import { canonicalJson, CanonicalJsonError } from './canonical.js';
import { decisionEventSchema, InvalidTimestampError, normaliseTimestamp, type DecisionEvent } from './record.js';
import { parseRedactionRules, redact, RedactionRuleError, type RedactionRule } from './redaction.js';
import type { PendingDecision } from './store.js';
import { createUuidV7Generator } from './uuidv7.js';

/** Turns a decision event from the stream into the record body that will be stored. */

export class InvalidDecisionError extends Error {
  constructor(message: string, readonly decisionId: string | undefined) {
    super(message);
    this.name = 'InvalidDecisionError';
  }
}

// Postgres text and jsonb cannot hold U+0000; such a record could never be stored.
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/;

export type CompiledRedaction = ReturnType<typeof parseRedactionRules>;

export function compileRedaction(rules: readonly (RedactionRule | string)[]): CompiledRedaction {
  return parseRedactionRules(rules);
}

export interface DecodeOptions {
  /** The caller owns `raw` (e.g. fresh from JSON.parse): redact in place instead of copying. */
  owned?: boolean;
  /** The caller already checked the raw text for U+0000. */
  nulChecked?: boolean;
}

/** Decodes one decision event: rejects U+0000 on the raw text (cheaper than after parsing), parses, validates, redacts. */
export function decodeDecisionMessage(text: string, configured: CompiledRedaction): PendingDecision {
  const { decisions, invalid } = decodeDecisionMessages(text, configured);
  if (invalid[0]) throw invalid[0];
  if (decisions.length !== 1) throw new InvalidDecisionError(`expected one decision event, found ${decisions.length}`, undefined);
  return decisions[0]!;
}

/**
 * Decodes a message of the decisions stream: one decision event, or a group publisher's
 * `{ batch: [event, ...] }` (platform/bus/group-publish.ts). Invalid events come back beside the
 * valid ones (one bad event does not sink its group).
 */
export function decodeDecisionMessages(text: string, configured: CompiledRedaction): { decisions: PendingDecision[]; invalid: InvalidDecisionError[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { decisions: [], invalid: [new InvalidDecisionError(`decision event is not JSON: ${(err as Error).message}`, undefined)] };
  }
  // No escaped NUL anywhere in the text: no event needs the per-event check.
  const hasNul = ESCAPED_NUL.test(text);
  const batch = typeof raw === 'object' && raw !== null && Array.isArray((raw as { batch?: unknown }).batch) ? (raw as { batch: unknown[] }).batch : undefined;
  const decisions: PendingDecision[] = [];
  const invalid: InvalidDecisionError[] = [];
  for (const event of batch ?? [raw]) {
    try {
      if (hasNul && !batch) {
        throw new InvalidDecisionError('decision contains a U+0000 character, which Postgres cannot store', (event as { decision_id?: string })?.decision_id);
      }
      decisions.push(toPendingDecision(event, configured, { owned: true, nulChecked: !hasNul }));
    } catch (err) {
      if (!(err instanceof InvalidDecisionError)) throw err;
      invalid.push(err);
    }
  }
  return { decisions, invalid };
}

export function toPendingDecision(raw: unknown, configured: CompiledRedaction, options: DecodeOptions = {}): PendingDecision {
  const parsed = decisionEventSchema.safeParse(raw);
  const id = typeof (raw as { decision_id?: unknown })?.decision_id === 'string' ? (raw as { decision_id: string }).decision_id : undefined;
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidDecisionError(`invalid decision event: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, id);
  }
  const e = parsed.data;
  try {
    const rules = e.redact?.length ? [...configured, ...parseRedactionRules(e.redact)] : configured;
    const redacted = redact(e.input ?? null, e.result ?? null, rules, { copy: !options.owned });
    const decision: PendingDecision = {
      decision_id: e.decision_id,
      timestamp: normaliseTimestamp(e.timestamp),
      path: e.path,
      input: redacted.input ?? null,
      result: redacted.result ?? null,
      bundles: e.bundles ?? {},
      metrics: e.metrics ?? {},
      wasm_digest: e.wasm_digest ?? null,
      request_id: e.request_id ?? null,
      order_id: e.order_id ?? null,
      customer_id: e.customer_id ?? null,
      network_event_id: e.network_event_id ?? null,
      principal: e.principal ?? null,
      component: e.component ?? null,
      masked: redacted.masked,
      erased: redacted.erased,
    };
    if (!options.nulChecked && ESCAPED_NUL.test(canonicalJson(decision))) {
      throw new InvalidDecisionError('decision contains a U+0000 character, which Postgres cannot store', e.decision_id);
    }
    return decision;
  } catch (err) {
    if (err instanceof InvalidTimestampError || err instanceof RedactionRuleError || err instanceof CanonicalJsonError) {
      throw new InvalidDecisionError(`invalid decision event: ${err.message}`, e.decision_id);
    }
    throw err;
  }
}

/** Decision ids for producers: UUIDv7, strictly increasing within this process. */
export const newDecisionId = createUuidV7Generator();

/**
 * What a producer (the policy engine) publishes. Publish it with the decision
 * id as the JetStream message id so a retried publish is dropped by the stream:
 *   bus.publish(bus.subjects.decisions.recorded, event, { messageId: event.decision_id })
 */
export type { DecisionEvent };
