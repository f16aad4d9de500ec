// `npm run conformance -- <cases-dir> [--json out.json] [--filter substring]`
// Runs OPA-format YAML cases through the compiler and the SDK; prints a table per folder and,
// last, `conformance: P passed, F failed, S skipped`.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCases } from './cases.js';
import { runCase, type CaseOutcome } from './run.js';
import { growRatchet } from './ratchet.js';

function usage(): never {
  console.error('usage: npm run conformance -- <cases-dir> [--json <out.json>] [--filter <text>] [--update-ratchet]');
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  let dir: string | undefined;
  let jsonOut: string | undefined;
  let filter: string | undefined;
  let updateRatchet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') jsonOut = argv[++i] ?? usage();
    else if (a === '--filter') filter = argv[++i] ?? usage();
    else if (a === '--update-ratchet') updateRatchet = true;
    else if (a.startsWith('-')) usage();
    else dir = a;
  }
  if (!dir) usage();
  const cases = loadCases(resolve(dir)).filter((c) => !filter || c.id.includes(filter));
  const outcomes: CaseOutcome[] = [];
  for (const c of cases) outcomes.push(await runCase(c));

  const byFolder = new Map<string, { passed: number; failed: number; skipped: number }>();
  for (const o of outcomes) {
    const row = byFolder.get(o.folder) ?? { passed: 0, failed: 0, skipped: 0 };
    row[o.status]++;
    byFolder.set(o.folder, row);
  }
  const width = Math.max(6, ...[...byFolder.keys()].map((k) => k.length));
  console.log(`${'folder'.padEnd(width)}  passed  failed  skipped`);
  for (const [folder, r] of [...byFolder].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`${folder.padEnd(width)}  ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.skipped).padStart(7)}`);
  }
  const total = (s: CaseOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  if (jsonOut) {
    writeFileSync(
      jsonOut,
      JSON.stringify(
        {
          passed: total('passed'),
          failed: total('failed'),
          skipped: total('skipped'),
          folders: Object.fromEntries(byFolder),
          failures: outcomes.filter((o) => o.status !== 'passed'),
          cases: outcomes,
        },
        null,
        2,
      ),
    );
  }
  if (updateRatchet) {
    const added = growRatchet(outcomes.filter((o) => o.status === 'passed').map((o) => o.id));
    console.log(`ratchet: ${added} case(s) added`);
  }
  console.log(`conformance: ${total('passed')} passed, ${total('failed')} failed, ${total('skipped')} skipped`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
