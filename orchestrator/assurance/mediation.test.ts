import { describe, expect, it } from 'vitest';
import { mediate, quarantineId } from './mediation.js';

const alarm = {
  kind: 'alarm',
  id: 'a-1',
  source: 'nms-1',
  eventTime: '2026-11-23T10:00:00.000Z',
  state: 'raised',
  alarmedObject: { id: 'link-1', type: 'transport-link' },
  alarmType: 'communicationsAlarm',
  perceivedSeverity: 'critical',
  probableCause: 'lossOfSignal',
  alarmRaisedTime: '2026-11-23T10:00:00.000Z',
};

describe('mediation', () => {
  it('accepts the adapters bus envelope and a bare event alike, with the same dedupe key', () => {
    const bare = mediate(alarm);
    const envelope = mediate({ source: 'nms-1', kind: 'alarm', detail: alarm });
    expect(bare.ok && envelope.ok).toBe(true);
    if (!bare.ok || !envelope.ok) return;
    expect(bare.dedupeKey).toBe(envelope.dedupeKey);
    expect(bare.dedupeKey).toBe('network-event:nms-1:alarm:a-1:raised:2026-11-23T10:00:00.000Z');
  });

  it('normalises the TMF642 spellings: @referredType, upper-case severity, parentAlarm, missing raise time', () => {
    const { kind: _kind, alarmRaisedTime: _raised, ...rest } = alarm;
    const r = mediate(
      { ...rest, alarmedObject: { id: 'svc-1-transport', '@referredType': 'transport-service' }, perceivedSeverity: 'MAJOR', parentAlarm: { id: 'root-1' } },
      'alarm',
    );
    expect(r).toMatchObject({
      ok: true,
      event: { kind: 'alarm', alarmedObject: { id: 'svc-1-transport', type: 'transport-service' }, perceivedSeverity: 'major', parentAlarmId: 'root-1', alarmRaisedTime: alarm.eventTime },
    });
  });

  it('maps the BSS usage form (serviceId, volume, ratingGroup, period) onto the contract', () => {
    const r = mediate(
      { id: 'u-1', source: 'upf-1', serviceId: 'svc-9', volume: 1024, unit: 'MB', ratingGroup: 10, period: { start: '2026-11-23T09:00:00Z', end: '2026-11-23T10:00:00Z' } },
      'usage',
    );
    expect(r).toMatchObject({ ok: true, event: { kind: 'usage', resource: { id: 'svc-9', type: 'service' }, quantity: 1024, usageType: 'ratingGroup:10', eventTime: '2026-11-23T10:00:00Z' } });
  });

  it('names every problem of a malformed event', () => {
    const r = mediate({ ...alarm, perceivedSeverity: 'apocalyptic', eventTime: 'yesterday' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toContain('eventTime');
    expect(r.reason).toContain('perceivedSeverity');
  });

  it('refuses non-objects, unknown kinds and a kind the endpoint does not take', () => {
    expect(mediate('garbage')).toEqual({ ok: false, reason: 'expected a JSON object, got string' });
    expect(mediate({ kind: 'weather' })).toMatchObject({ ok: false, reason: expect.stringContaining('got "weather"') });
    expect(mediate(alarm, 'kpi')).toMatchObject({ ok: false, reason: 'kind: this endpoint takes "kpi" events, got "alarm"' });
  });

  it('refuses a usage period that ends before it starts', () => {
    const r = mediate({ kind: 'usage', id: 'u', source: 's', eventTime: '2026-11-23T10:00:00Z', resource: { id: 'x', type: 'service' }, periodStart: '2026-11-23T10:00:00Z', periodEnd: '2026-11-23T09:00:00Z', usageType: 'data', quantity: 1, unit: 'MB' });
    expect(r).toEqual({ ok: false, reason: 'periodEnd: must not be before periodStart' });
  });

  it('gives the same garbage the same quarantine id', () => {
    expect(quarantineId({ a: 1 })).toBe(quarantineId({ a: 1 }));
    expect(quarantineId({ a: 1 })).not.toBe(quarantineId({ a: 2 }));
  });
});
