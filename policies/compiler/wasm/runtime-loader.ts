// Locates the compiled runtime (policies/runtime/build/runtime.wasm), building it on demand when
// it is missing (a fresh checkout where `npm install` did not run the prepare script) or older
// than a source file under policies/runtime/assembly (a built-in was just added).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runtimeDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'runtime');
export const RUNTIME_WASM_PATH = join(runtimeDir, 'build', 'runtime.wasm');
const SOURCE_DIR = join(runtimeDir, 'assembly');

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(path: string): boolean {
  if (!existsSync(path)) return true;
  if (!existsSync(SOURCE_DIR)) return false; // installed without sources: use what is there
  return statSync(path).mtimeMs < newestSourceMtime(SOURCE_DIR);
}

/** The runtime module's bytes (built first if missing or out of date). */
export function loadRuntimeWasm(path: string = RUNTIME_WASM_PATH): Uint8Array<ArrayBuffer> {
  if (path === RUNTIME_WASM_PATH && isStale(path)) {
    execFileSync(process.execPath, [join(runtimeDir, 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return new Uint8Array(readFileSync(path));
}
