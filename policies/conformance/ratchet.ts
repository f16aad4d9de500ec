// The conformance ratchet: a committed list of case ids known to pass. CI fails when one of them
// stops passing; `npm run conformance -- <dir> --update-ratchet` adds new passes and never removes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const RATCHET_FILE = resolve(here, 'passing.txt');
/** The visible corpus sits in shared/ beside the repository. */
export const CORPUS_DIR = resolve(here, '../../../shared/rego-conformance/cases');

export function readRatchet(file = RATCHET_FILE): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Union of the old list and the new passes, sorted; returns how many ids were added. */
export function growRatchet(passed: string[], file = RATCHET_FILE): number {
  const old = new Set(readRatchet(file));
  const all = new Set([...old, ...passed]);
  const header = '# Conformance cases that pass (folder/file#note). Grown by `npm run conformance -- --update-ratchet`; never shrink it.\n';
  writeFileSync(file, header + [...all].sort().join('\n') + '\n');
  return all.size - old.size;
}
