import { describe, expect, it } from 'vitest';
import { compileRedaction, InvalidDecisionError, toPendingDecision } from './decision.js';
import { InvalidTimestampError, normaliseTimestamp } from './record.js';
import { createUuidV7Generator, isUuid, uuidV7Timestamp } from './uuidv7.js';

describe('uuidv7', () => {
  it('makes version-7 ids that sort in creation order, even within one millisecond', () => {
    const gen = createUuidV7Generator(() => 1_700_000_000_000);
    const ids = Array.from({ length: 5000 }, gen);
    expect(ids.every(isUuid)).toBe(true);
    expect(ids.every((id) => id[14] === '7' && '89ab'.includes(id[19]!))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(uuidV7Timestamp(ids[0]!)).toBe(1_700_000_000_000);
  });
});

describe('normaliseTimestamp', () => {
  it('converts to UTC with exactly microseconds', () => {
    expect(normaliseTimestamp('2026-01-02T03:04:05Z')).toBe('2026-01-02T03:04:05.000000Z');
    expect(normaliseTimestamp('2026-01-02T03:04:05.123456789+02:00')).toBe('2026-01-02T01:04:05.123456Z');
    expect(normaliseTimestamp('2026-01-02T03:04:05.1-00:30')).toBe('2026-01-02T03:34:05.100000Z');
  });
  it('rejects what is not RFC 3339', () => {
    expect(() => normaliseTimestamp('yesterday')).toThrow(InvalidTimestampError);
    expect(() => normaliseTimestamp('2026-01-02T03:04:05')).toThrow(InvalidTimestampError);
  });
});

describe('toPendingDecision', () => {
  const base = { decision_id: createUuidV7Generator()(), timestamp: '2026-01-02T03:04:05Z', path: 'junction/order/allow', input: { msisdn: '1', plan: 'x' }, result: true };

  it('fills OPA fields, applies configured and event-requested redaction', () => {
    const d = toPendingDecision({ ...base, redact: ['/input/plan'], order_id: 'o-1' }, compileRedaction(['/input/msisdn']));
    expect(d.input).toEqual({ msisdn: '**REDACTED**', plan: '**REDACTED**' });
    expect(d.masked).toEqual(['/input/msisdn', '/input/plan']);
    expect(d).toMatchObject({ bundles: {}, metrics: {}, order_id: 'o-1', customer_id: null, wasm_digest: null, erased: [] });
  });

  it('explains what is wrong with a bad event', () => {
    expect(() => toPendingDecision({ ...base, decision_id: 'nope' }, [])).toThrow(/decision_id/);
    expect(() => toPendingDecision({ ...base, timestamp: 'soon' }, [])).toThrow(InvalidDecisionError);
    expect(() => toPendingDecision({ ...base, input: { a: 'x\u0000y' } }, [])).toThrow(/U\+0000/);
    expect(() => toPendingDecision({ ...base, input: { a: 'x\\u0000y' } }, [])).not.toThrow();
    expect(() => toPendingDecision('just a string', [])).toThrow(InvalidDecisionError);
  });
});

describe('decodeDecisionMessage', () => {
  it('decodes a message, redacting in place, and rejects what cannot be stored', async () => {
    const { decodeDecisionMessage } = await import('./decision.js');
    const e = { decision_id: createUuidV7Generator()(), timestamp: '2026-01-02T03:04:05Z', path: 'p', input: { secret: 's', keep: 1 } };
    const d = decodeDecisionMessage(JSON.stringify(e), compileRedaction([{ path: '/input/secret', action: 'erase' }]));
    expect(d).toMatchObject({ input: { keep: 1 }, erased: ['/input/secret'], result: null });
    expect(() => decodeDecisionMessage('{"decision_id":', [])).toThrow(/not JSON/);
    expect(() => decodeDecisionMessage(JSON.stringify({ ...e, input: { ['k\u0000']: 1 } }), [])).toThrow(/U\+0000/);
  });
});
