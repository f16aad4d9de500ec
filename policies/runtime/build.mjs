// Compiles the AssemblyScript runtime (assembly/) to build/runtime.wasm. Run by `npm run
// build:runtime` and the package's `prepare` script; the code generator also runs it on demand
// when the file is missing. Deterministic: same sources, same bytes.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = dirname(fileURLToPath(import.meta.url));

export const RUNTIME_WASM = join(here, 'build', 'runtime.wasm');

export async function buildRuntime(outFile = RUNTIME_WASM) {
  mkdirSync(dirname(outFile), { recursive: true });
  // Build to a temporary file and rename: concurrent builds (parallel test workers) never
  // expose a half-written module.
  const tmpFile = `${outFile}.${process.pid}.tmp`;
  const { error } = await asc.main([
    'assembly/index.ts',
    '--baseDir', here,
    '--outFile', tmpFile,
    '--runtime', 'assembly/rt',
    '--importMemory',
    '--initialMemory', '1',
    '--use', 'abort=assembly/errors/asAbort',
    '--exportStart', '_start',
    '--optimizeLevel', '3',
    '--shrinkLevel', '0',
    '--noAssert',
  ], { stdout: process.stdout, stderr: process.stderr });
  if (error) {
    rmSync(tmpFile, { force: true });
    throw new Error(`runtime build failed: ${error.message}`);
  }
  renameSync(tmpFile, outFile);
  return outFile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = Date.now();
  await buildRuntime();
  console.log(`built ${RUNTIME_WASM} in ${Date.now() - t0} ms`);
}
