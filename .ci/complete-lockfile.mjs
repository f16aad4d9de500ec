// Adds package-lock entries for rollup's platform binaries when `npm install` left them out.
//
// Why: the package mirror of this workplace serves only some of @rollup/rollup-<platform>, so
// `npm install` writes a lock without the others, and `npm ci` then refuses the lock as out of
// sync. npm never fetches an optional package whose os/cpu/libc do not match the machine, so an
// entry without integrity is enough. Run after any `npm install` that rewrote the lock:
//   node .ci/complete-lockfile.mjs && npm ci
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
const rollup = packages['node_modules/rollup'];
const pattern = /^@rollup\/rollup-(android|darwin|freebsd|linux|openbsd|openharmony|win32)-(arm64|arm|x64|ia32|loong64|ppc64|riscv64|s390x)(?:-(.*))?$/;

let added = 0;
for (const [name, version] of Object.entries(rollup?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const m = pattern.exec(name);
  if (!m || packages[key]) continue;
  const [, os, cpu, abi] = m;
  packages[key] = {
    version,
    cpu: [cpu],
    dev: true,
    ...(os === 'linux' ? { libc: [abi?.includes('musl') ? 'musl' : 'glibc'] } : {}),
    license: 'MIT',
    optional: true,
    os: [os],
  };
  added++;
}

// Keep npm's alphabetical order: the @rollup entries sit together where the first one was.
const entries = Object.entries(packages);
const isRollup = ([k]) => k.startsWith('node_modules/@rollup/');
const first = entries.findIndex(isRollup);
if (added > 0 && first >= 0) {
  const rollups = entries.filter(isRollup).sort(([a], [b]) => (a < b ? -1 : 1));
  const rest = entries.filter((e) => !isRollup(e));
  lock.packages = Object.fromEntries([...rest.slice(0, first), ...rollups, ...rest.slice(first)]);
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(`complete-lockfile: added ${added} entries`);
