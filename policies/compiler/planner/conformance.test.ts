// OPA's conformance cases for the core language, run through parser → compile passes → planner →
// ir-eval. Reports the pass rate per folder and holds a floor that only goes up.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCases } from '../../conformance/cases.js';
import { CORPUS_DIR } from '../../conformance/ratchet.js';
import { runCase, type CaseOutcome } from './conformance.js';

const CASES_DIR = CORPUS_DIR;

export const CORE_FOLDERS = [
  'assignments', 'baseandvirtualdocs', 'comparisonexpr', 'completedoc', 'compositebasedereference',
  'comprehensions', 'defaultkeyword', 'disjunction', 'elsekeyword', 'embeddedvirtualdoc', 'eqexpr',
  'evaltermexpr', 'functions', 'functionerrors', 'indexing', 'indirectreferences', 'inputvalues',
  'negation', 'nestedreferences', 'partialdocconstants', 'partialobjectdoc', 'partialsetdoc', 'refheads',
  'sets', 'undos', 'varreferences', 'virtualdocs', 'withkeyword', 'arithmetic',
];

/** Lowest accepted share of passing core cases; raise it as the compiler improves. */
const PASS_RATE_FLOOR = 0.99;

describe('Rego conformance (core language) through the planner and ir-eval', () => {
  it('passes at least the floor of the core cases', () => {
    expect(existsSync(CASES_DIR), `${CASES_DIR} is missing`).toBe(true);
    const perFolder: string[] = [];
    const failures: CaseOutcome[] = [];
    let passed = 0;
    let total = 0;
    for (const folder of CORE_FOLDERS) {
      const dir = `${CASES_DIR}/${folder}`;
      if (!existsSync(dir)) continue;
      const cases = loadCases(dir);
      const outcomes = cases.map((c) => {
        try {
          return runCase(c);
        } catch (err) {
          return { note: c.note, pass: false, detail: `crash: ${String(err)}` };
        }
      });
      const ok = outcomes.filter((o) => o.pass).length;
      failures.push(...outcomes.filter((o) => !o.pass));
      perFolder.push(`${folder} ${ok}/${cases.length}`);
      passed += ok;
      total += cases.length;
    }
    console.log(`conformance: ${passed}/${total} (${((100 * passed) / total).toFixed(1)}%)\n  ${perFolder.join('\n  ')}`);
    for (const f of failures) console.log(`  FAIL ${f.note}: ${f.detail.slice(0, 300)}`);
    expect(total).toBeGreaterThan(0);
    expect(passed / total).toBeGreaterThanOrEqual(PASS_RATE_FLOOR);
  }, 120_000);
});
