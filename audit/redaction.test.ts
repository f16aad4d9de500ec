import { describe, expect, it } from 'vitest';
import { MASK_MARKER, parseRedactionRules, redact, RedactionRuleError } from './redaction.js';

describe('redact', () => {
  it('masks and erases configured paths, listing exactly the paths that existed', () => {
    const input = { customer: { msisdn: '+4912345', name: 'Ada' }, items: [{ iccid: 'A' }, { iccid: 'B' }, { other: 1 }], token: 't' };
    const rules = parseRedactionRules(['/input/customer/msisdn', '/input/items/*/iccid', { path: '/input/token', action: 'erase' }, '/input/absent']);
    const out = redact(input, { allow: true }, rules);
    expect(out.input).toEqual({ customer: { msisdn: MASK_MARKER, name: 'Ada' }, items: [{ iccid: MASK_MARKER }, { iccid: MASK_MARKER }, { other: 1 }] });
    expect(out.masked).toEqual(['/input/customer/msisdn', '/input/items/0/iccid', '/input/items/1/iccid']);
    expect(out.erased).toEqual(['/input/token']);
    expect(out.result).toEqual({ allow: true });
    // the caller's objects are untouched
    expect(input.customer.msisdn).toBe('+4912345');
    expect(input.token).toBe('t');
  });

  it('erases array elements without shifting the others out of reach', () => {
    const out = redact({ a: [1, 2, 3] }, null, parseRedactionRules([{ path: '/input/a/*', action: 'erase' }]));
    expect(out.input).toEqual({ a: [] });
    expect(out.erased).toEqual(['/input/a/0', '/input/a/1', '/input/a/2']);
  });

  it('reaches keys containing "/" through JSON-pointer escapes', () => {
    const out = redact({ 'a/b': 1 }, null, parseRedactionRules(['/input/a~1b']));
    expect(out.input).toEqual({ 'a/b': MASK_MARKER });
    expect(out.masked).toEqual(['/input/a~1b']);
  });

  it('rejects rules that cannot name a stored field', () => {
    expect(() => parseRedactionRules(['input/x'])).toThrow(RedactionRuleError);
    expect(() => parseRedactionRules(['/metrics/x'])).toThrow(/rooted at \/input or \/result/);
    expect(() => parseRedactionRules(['/input'])).toThrow(RedactionRuleError);
    expect(() => parseRedactionRules([{ path: '/input/x', action: 'drop' as never }])).toThrow(/unknown redaction action/);
  });
});
