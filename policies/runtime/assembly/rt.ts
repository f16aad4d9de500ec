// AssemblyScript's runtime interface, implemented on top of the policy heap (./heap). Passed to asc
// with --runtime: AssemblyScript's own objects (strings, arrays used by built-ins) are bump
// allocated like every Rego value and are discarded with the heap. Nothing is ever freed.
import { alloc } from "./heap";
import { BLOCK, OBJECT, BLOCK_OVERHEAD, OBJECT_OVERHEAD } from "rt/common";

// @ts-ignore: decorator
@unsafe @global
export function __alloc(size: usize): usize {
  // 16-byte alignment of payloads as AssemblyScript expects (v128-safe).
  let raw = alloc(size + 16 + BLOCK_OVERHEAD);
  let ptr = ((raw + BLOCK_OVERHEAD + 15) & ~15);
  changetype<BLOCK>(ptr - BLOCK_OVERHEAD).mmInfo = size;
  return ptr;
}

// @ts-ignore: decorator
@unsafe @global
export function __realloc(ptr: usize, size: usize): usize {
  let old = changetype<BLOCK>(ptr - BLOCK_OVERHEAD).mmInfo;
  if (size <= old) return ptr;
  let fresh = __alloc(size);
  memory.copy(fresh, ptr, old);
  return fresh;
}

// @ts-ignore: decorator
@unsafe @global
export function __free(ptr: usize): void {}

// @ts-ignore: decorator
@unsafe @global
export function __reset(): void {}

// @ts-ignore: decorator
@unsafe @global
export function __new(size: usize, id: u32): usize {
  let ptr = __alloc(OBJECT_OVERHEAD + size);
  let object = changetype<OBJECT>(ptr - BLOCK_OVERHEAD);
  object.gcInfo = 0;
  object.gcInfo2 = 0;
  object.rtId = id;
  object.rtSize = <u32>size;
  return ptr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@unsafe @global
export function __renew(oldPtr: usize, size: usize): usize {
  let oldSize = changetype<OBJECT>(oldPtr - OBJECT_OVERHEAD - BLOCK_OVERHEAD).rtSize;
  let id = changetype<OBJECT>(oldPtr - OBJECT_OVERHEAD - BLOCK_OVERHEAD).rtId;
  let fresh = __new(size, id);
  memory.copy(fresh, oldPtr, min(<usize>oldSize, size));
  return fresh;
}

// @ts-ignore: decorator
@global @unsafe
export function __link(parentPtr: usize, childPtr: usize, expectMultiple: bool): void {}

// @ts-ignore: decorator
@global @unsafe
export function __pin(ptr: usize): usize {
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe
export function __unpin(ptr: usize): void {}

// @ts-ignore: decorator
@global @unsafe
function __visit(ptr: usize, cookie: u32): void {}

// @ts-ignore: decorator
@global @unsafe
export function __collect(): void {}
