// Reads OPA's YAML conformance cases (test/cases/testdata in OPA's repository) into typed cases.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const caseSchema = z.object({
  note: z.string(),
  query: z.string(),
  modules: z.array(z.string()).optional(),
  data: z.unknown().optional(),
  input: z.unknown().optional(),
  input_term: z.string().optional(),
  want_result: z.array(z.record(z.string(), z.unknown())).nullable().optional(),
  sort_bindings: z.boolean().optional(),
  want_error: z.string().optional(),
  want_error_code: z.string().optional(),
  strict_error: z.boolean().optional(),
  skip: z.boolean().optional(),
});

const fileSchema = z.object({ cases: z.array(caseSchema) });

export type ConformanceCaseSpec = z.infer<typeof caseSchema>;

export interface ConformanceCase extends ConformanceCaseSpec {
  /** Stable id: "<folder>/<file>#<note>". */
  id: string;
  folder: string;
  file: string;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...yamlFiles(path));
    else if (name.endsWith('.yaml') || name.endsWith('.yml')) out.push(path);
  }
  return out;
}

/** Every case below dir, in a stable order. A malformed file is an error naming it. */
export function loadCases(dir: string): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const path of yamlFiles(dir)) {
    const rel = relative(dir, path).split('\\').join('/');
    const parsed = fileSchema.safeParse(parseYaml(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new Error(`${rel}: not a conformance case file: ${parsed.error.message}`);
    const folder = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '.';
    const seen = new Map<string, number>();
    for (const c of parsed.data.cases) {
      // Some files repeat a note; the n-th repeat gets "#n" so every id is unique and stable.
      const n = (seen.get(c.note) ?? 0) + 1;
      seen.set(c.note, n);
      cases.push({ ...c, id: `${rel}#${c.note}${n > 1 ? `#${n}` : ''}`, folder, file: rel });
    }
  }
  return cases;
}
