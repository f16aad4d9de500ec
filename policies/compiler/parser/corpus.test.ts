// Parses every module of OPA's conformance cases (shared/rego-conformance beside the repository)
// and a generated 1 MB policy. REGO_CONFORMANCE_DIR overrides the location of the cases.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { RegoCompileErrors } from '../errors.js';
import { parseModule, parseQuery } from './index.js';
import { CORPUS_DIR } from '../../conformance/ratchet.js';

const CONFORMANCE_DIR = process.env.REGO_CONFORMANCE_DIR ?? dirname(CORPUS_DIR);

interface ConformanceCase {
  note: string;
  query?: string;
  modules?: string[];
  want_error?: string;
  want_error_code?: string;
}

function* yamlFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* yamlFiles(path);
    else if (name.endsWith('.yaml')) yield path;
  }
}

function loadCases(dir: string): Array<{ file: string; c: ConformanceCase }> {
  const out: Array<{ file: string; c: ConformanceCase }> = [];
  for (const file of yamlFiles(dir)) {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { cases?: ConformanceCase[] };
    for (const c of doc.cases ?? []) out.push({ file, c });
  }
  return out;
}

/** The formatted parse errors, or null when the source parses. */
function parseFailure(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (e) {
    if (e instanceof RegoCompileErrors) return e.message;
    throw e;
  }
}

describe('OPA conformance corpus', () => {
  it('parses every Rego v1 module and query', () => {
    const cases = loadCases(join(CONFORMANCE_DIR, 'cases'));
    expect(cases.length).toBeGreaterThan(500);
    let modules = 0;
    const failures: string[] = [];
    for (const { file, c } of cases) {
      const expectsError = c.want_error !== undefined || c.want_error_code !== undefined;
      (c.modules ?? []).forEach((source, i) => {
        modules++;
        const failure = parseFailure(() => parseModule(source, `${file}#${c.note}#${i}`));
        if (failure && !expectsError) failures.push(failure);
      });
      if (c.query) {
        const failure = parseFailure(() => parseQuery(c.query as string, `${file}#${c.note}#query`));
        if (failure) failures.push(failure);
      }
    }
    expect(failures).toEqual([]);
    expect(modules).toBeGreaterThan(600);
  });

  it('rejects the pre-1.0 modules of cases-v0 with the v1 syntax errors', () => {
    const cases = loadCases(join(CONFORMANCE_DIR, 'cases-v0'));
    expect(cases.length).toBeGreaterThan(0);
    for (const { file, c } of cases) {
      const failures = (c.modules ?? []).map((source) => parseFailure(() => parseModule(source, file)));
      expect(failures.some((f) => f !== null && /`if` keyword is required before (rule|function) body/.test(f))).toBe(true);
    }
  });
});

describe('robustness', () => {
  it('answers damaged modules with located parse errors, never a crash', () => {
    const modules = loadCases(join(CONFORMANCE_DIR, 'cases')).flatMap(({ c }) => c.modules ?? []);
    const pieces = ['{', '}', '[', ']', '(', ')', ',', ';', ':=', '=', '|', '"', '`', '\n', ' if ', ' else ', ' some ',
      ' every ', ' in ', ' with ', ' as ', ' not ', '-', '.', '#', '\\', 'x', '1', '0x', '$', '!', '😀'];
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let rejected = 0;
    for (let n = 0; n < 3000; n++) {
      let source = modules[Math.floor(random() * modules.length)] ?? '';
      for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits--) {
        const at = Math.floor(random() * source.length);
        source = random() < 0.4
          ? source.slice(0, at) + source.slice(at + 1 + Math.floor(random() * 5))
          : source.slice(0, at) + pieces[Math.floor(random() * pieces.length)] + source.slice(at);
      }
      try {
        parseModule(source, 'damaged.rego');
      } catch (e) {
        expect(e).toBeInstanceOf(RegoCompileErrors);
        const errors = (e as RegoCompileErrors).errors;
        expect(errors.length).toBeGreaterThan(0);
        for (const err of errors) {
          expect(err.location.row).toBeGreaterThanOrEqual(1);
          expect(err.location.col).toBeGreaterThanOrEqual(1);
          expect(err.location.offset).toBeLessThanOrEqual(source.length);
        }
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(2000);
  });
});
