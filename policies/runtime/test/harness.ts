// Test harness: instantiates the bare runtime (build/runtime.wasm, all rt_* and b_* exports still
// present) so JSON, ordering and built-ins can be exercised directly with JSON in, JSON out.
import { loadRuntimeWasm } from '../../compiler/wasm/runtime-loader.js';

export class RuntimeAbort extends Error {}

export interface RuntimeHarness {
  exports: Record<string, (...args: number[]) => number>;
  memory: WebAssembly.Memory;
  /** Parse JSON text into a value pointer (0 = parse failure). */
  parse(text: string): number;
  /** A value pointer's JSON text (sets dump as sorted arrays). */
  dumpText(ptr: number): string;
  dump(ptr: number): unknown;
  /** A set value built from a JSON array. */
  set(items: unknown[]): number;
  /** Call export `name` with JSON-encodable arguments (or raw pointers via {ptr}); undefined for 0. */
  call(name: string, ...args: Array<unknown>): unknown;
  printed: string[];
}

export function loadRuntime(): RuntimeHarness {
  const memory = new WebAssembly.Memory({ initial: 5 });
  const printed: string[] = [];
  const cstr = (addr: number): string => {
    const bytes = new Uint8Array(memory.buffer);
    let end = addr;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(addr, end));
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(loadRuntimeWasm()), {
    env: {
      memory,
      opa_abort: (addr: number) => { throw new RuntimeAbort(cstr(addr)); },
      opa_println: (addr: number) => { printed.push(cstr(addr)); },
    },
    policy: { eval: () => 0 },
  });
  const exports = instance.exports as unknown as RuntimeHarness['exports'];
  exports._start!();
  const parse = (text: string): number => {
    const bytes = new TextEncoder().encode(text);
    const addr = exports.opa_malloc!(bytes.length);
    new Uint8Array(memory.buffer).set(bytes, addr);
    return exports.opa_json_parse!(addr, bytes.length);
  };
  const dumpText = (ptr: number): string => cstr(exports.opa_json_dump!(ptr));
  const set = (items: unknown[]): number => exports.rt_set_from_array!(parse(JSON.stringify(items)));
  const toPtr = (a: unknown): number =>
    a !== null && typeof a === 'object' && 'ptr' in (a as object) ? (a as { ptr: number }).ptr : parse(JSON.stringify(a));
  return {
    exports, memory, parse, dumpText, set, printed,
    dump: (ptr) => JSON.parse(dumpText(ptr)),
    call(name, ...args) {
      const fn = exports[name];
      if (!fn) throw new Error(`runtime has no export ${name}`);
      const r = fn(...args.map(toPtr));
      return r === 0 ? undefined : JSON.parse(dumpText(r));
    },
  };
}
