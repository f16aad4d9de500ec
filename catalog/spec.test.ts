import { describe, expect, it } from 'vitest';
import { CatalogError, parseSpecification, resolveCharacteristics } from './spec.js';
import { readCatalogDir } from './store.js';

const base = {
  name: 'demo',
  version: 1,
  characteristics: [{ name: 'site', valueType: 'string', required: true }],
  actions: [
    { id: 'main', domain: 'access', targetType: 'x' },
    { id: 'extra', domain: 'access', targetType: 'y', dependsOn: ['main'], optional: true },
  ],
  partialCompletion: true,
};

describe('catalog specification: partial completion and missing information', () => {
  it('accepts optional actions only where partial completion is allowed, and never under a required one', () => {
    expect(parseSpecification(base, 'demo.json').actions.map((a) => [a.id, a.optional])).toEqual([['main', false], ['extra', true]]);
    expect(() => parseSpecification({ ...base, partialCompletion: false }, 'demo.json')).toThrow(new CatalogError('demo.json: action extra is optional but partialCompletion is false'));
    const inverted = { ...base, actions: [{ id: 'main', domain: 'access', targetType: 'x', dependsOn: ['extra'] }, { id: 'extra', domain: 'access', targetType: 'y', optional: true }] };
    expect(() => parseSpecification(inverted, 'demo.json')).toThrow('demo.json: action main is required but depends on optional action extra');
  });

  it('tells a missing required value (information the BSS can give later) from a wrong one', () => {
    const spec = parseSpecification(base, 'demo.json');
    expect(resolveCharacteristics(spec, [])).toEqual({ error: 'characteristic site is required by demo', missing: 'site' });
    expect(resolveCharacteristics(spec, [{ name: 'site', value: 3 }])).toEqual({ error: 'characteristic site must be a string' });
  });

  it('ships broadband v2 holding infeasible orders, with the same decomposition as v1', () => {
    const [v1, v2] = readCatalogDir().filter((s) => s.name === 'broadband');
    expect([v1!.version, v1!.onInfeasible, v2!.version, v2!.onInfeasible]).toEqual([1, 'reject', 2, 'hold']);
    expect(v2!.actions).toEqual(v1!.actions);
    expect(v2!.reservations).toEqual(v1!.reservations);
  });
});
