/**
 * Mediation: turns whatever reached Junction as a network event — the adapters' bus envelope
 * `{source, kind, detail}` or a TMF642-style body POSTed by a network system — into one validated
 * `NetworkEvent`, or a reason it cannot. Pure: no I/O, so it is trivially testable and cannot block.
 */
import { createHash } from 'node:crypto';
import { networkEventSchema, type NetworkEvent } from '../../adapters/contract.js';
import { networkEventMessageId } from '../../adapters/runtime/bus-events.js';

export type Mediated = { ok: true; event: NetworkEvent; dedupeKey: string } | { ok: false; reason: string };

export interface QuarantinedEvent {
  reason: string;
  /** Where it came from: `bus` (the network-events stream) or `http`. */
  via: 'bus' | 'http';
  /** The original message id on the bus, when there was one. */
  messageId?: string;
  receivedAt: string;
  raw: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A TMF642 severity may arrive upper-case (`CRITICAL`); Junction's contract is lower-case. */
function lowerCase(v: unknown): unknown {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

/** TMF-style references name their type `@referredType` / `@type`; the contract calls it `type`. */
function resourceRef(v: unknown): unknown {
  if (!isObject(v)) return v;
  const type = v.type ?? v['@referredType'] ?? v['@type'];
  return { id: v.id, type };
}

/** Normalises field spellings of the HTTP forms; leaves validation to the schema. */
export function normalise(raw: Record<string, unknown>, kind: string): Record<string, unknown> {
  if (kind === 'alarm') {
    const out: Record<string, unknown> = { ...raw, kind };
    out.alarmedObject = resourceRef(raw.alarmedObject);
    out.perceivedSeverity = lowerCase(raw.perceivedSeverity);
    out.state = lowerCase(raw.state ?? (out.perceivedSeverity === 'cleared' ? 'cleared' : 'raised'));
    out.alarmRaisedTime ??= raw.eventTime;
    if (isObject(raw.parentAlarm) && out.parentAlarmId === undefined) out.parentAlarmId = raw.parentAlarm.id;
    delete out.parentAlarm;
    return out;
  }
  if (kind === 'kpi') {
    const out: Record<string, unknown> = { ...raw, kind };
    // A KPI may be about a resource or a service: `serviceId` is the short form of the latter.
    if (out.resource === undefined && typeof raw.serviceId === 'string') out.resource = { id: raw.serviceId, type: 'service' };
    else out.resource = resourceRef(raw.resource);
    delete out.serviceId;
    return out;
  }
  if (kind === 'usage') {
    const out: Record<string, unknown> = { ...raw, kind };
    // The BSS-facing form: { serviceId, volume, unit, ratingGroup, period: {start, end} }.
    if (out.resource === undefined && typeof raw.serviceId === 'string') out.resource = { id: raw.serviceId, type: 'service' };
    else out.resource = resourceRef(raw.resource);
    if (isObject(raw.period)) {
      out.periodStart ??= raw.period.start;
      out.periodEnd ??= raw.period.end;
    }
    out.quantity ??= raw.volume;
    out.usageType ??= raw.ratingGroup !== undefined ? `ratingGroup:${String(raw.ratingGroup)}` : undefined;
    out.eventTime ??= out.periodEnd;
    for (const k of ['serviceId', 'period', 'volume', 'ratingGroup']) delete out[k];
    return out;
  }
  return { ...raw, kind };
}

function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Validates one event. `raw` is either the bus envelope `{source, kind, detail}` or a bare event
 * (with `kind`, or with `kind` given by the endpoint it was POSTed to).
 */
export function mediate(raw: unknown, kindHint?: NetworkEvent['kind']): Mediated {
  if (!isObject(raw)) return { ok: false, reason: `expected a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}` };
  const body = isObject(raw.detail) && typeof raw.kind === 'string' ? raw.detail : raw;
  const kind = typeof body.kind === 'string' ? body.kind : kindHint;
  if (kind !== 'alarm' && kind !== 'kpi' && kind !== 'usage') {
    return { ok: false, reason: `kind: expected "alarm", "kpi" or "usage", got ${JSON.stringify(kind ?? null)}` };
  }
  if (kindHint && kind !== kindHint) return { ok: false, reason: `kind: this endpoint takes "${kindHint}" events, got "${kind}"` };
  const parsed = networkEventSchema.safeParse(normalise(body, kind));
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error.issues) };
  const event = parsed.data;
  if (event.kind === 'usage' && Date.parse(event.periodEnd) < Date.parse(event.periodStart)) {
    return { ok: false, reason: 'periodEnd: must not be before periodStart' };
  }
  return { ok: true, event, dedupeKey: networkEventMessageId(event) };
}

/** A stable id for a quarantined payload, so re-sending the same garbage is stored once. */
export function quarantineId(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? 'undefined';
  } catch {
    text = String(raw);
  }
  return `quarantine:${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}
