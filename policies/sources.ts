// Reads a policy directory: Rego sources, their *_test.rego suites, and data documents.
// data.json files are placed at their directory's path under data (as `opa build` does).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { placeDataDocument } from './archive.js';
import type { PolicySource } from './compiler/index.js';

export interface PolicyDir {
  sources: PolicySource[];
  tests: PolicySource[];
  data: Record<string, unknown>;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

export function loadPolicyDir(dir: string): PolicyDir {
  const sources: PolicySource[] = [];
  const tests: PolicySource[] = [];
  const data: Record<string, unknown> = {};
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  for (const path of walk(dir)) {
    const rel = relative(dir, path).split(sep).join('/');
    if (rel.endsWith('.rego')) {
      const src = { file: rel, source: readFileSync(path, 'utf8') };
      (rel.endsWith('_test.rego') ? tests : sources).push(src);
    } else if (rel === 'data.json' || rel.endsWith('/data.json')) {
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(path, 'utf8'));
      } catch (err) {
        throw new Error(`${rel}: invalid JSON: ${(err as Error).message}`);
      }
      placeDataDocument(data, rel, doc, (m) => new Error(m));
    }
  }
  // Plain objects again (placeDataDocument builds prototype-less nodes).
  return { sources, tests, data: JSON.parse(JSON.stringify(data)) as Record<string, unknown> };
}
