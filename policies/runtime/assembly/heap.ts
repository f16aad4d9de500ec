// The bump allocator behind every allocation in a policy module. It never frees: the host resets
// the heap pointer between evaluations (opa_heap_ptr_set / opa_eval's heapPtr argument), which
// discards everything an evaluation allocated at once.

// @ts-ignore: decorator
@external("env", "opa_abort")
declare function abortOutOfMemory(addr: usize): void;

const OUT_OF_MEMORY: usize = memory.data<u8>([
  // "internal_error: out of memory\0" — static: nothing can be allocated at this point
  105, 110, 116, 101, 114, 110, 97, 108, 95, 101, 114, 114, 111, 114, 58, 32,
  111, 117, 116, 32, 111, 102, 32, 109, 101, 109, 111, 114, 121, 0,
]);

// @ts-ignore: decorator
@lazy let heapPtr: usize = (__heap_base + 15) & ~15;

/** Current heap pointer (what opa_heap_ptr_get returns). */
export function heapGet(): usize {
  return heapPtr;
}

/** Move the heap pointer (opa_heap_ptr_set, opa_eval); aligned up to 8 bytes. */
export function heapSet(ptr: usize): void {
  heapPtr = (ptr + 7) & ~7;
}

function ensureMemory(end: usize): void {
  let have = <usize>memory.size() << 16;
  if (end <= have) return;
  let pages = <i32>((end - have + 0xffff) >>> 16);
  // Grow at least by the current size (amortised), fall back to the exact need.
  let want = max(pages, memory.size());
  if (memory.grow(want) < 0 && memory.grow(pages) < 0) {
    abortOutOfMemory(OUT_OF_MEMORY);
    unreachable();
  }
}

/** Allocate size bytes, 8-byte aligned. Contents are NOT zeroed (the heap is reused). */
export function alloc(size: usize): usize {
  let ptr = heapPtr;
  let end = (ptr + size + 7) & ~7;
  ensureMemory(end);
  heapPtr = end;
  return ptr;
}

/** Allocate size zeroed bytes. */
export function allocZeroed(size: usize): usize {
  let ptr = alloc(size);
  memory.fill(ptr, 0, size);
  return ptr;
}

/**
 * Grow the allocation at ptr (oldSize bytes) to newSize bytes: in place when it is the most
 * recent allocation, otherwise by copying. Returns the (possibly new) address.
 */
export function realloc(ptr: usize, oldSize: usize, newSize: usize): usize {
  if (((ptr + oldSize + 7) & ~7) == heapPtr) {
    let end = (ptr + newSize + 7) & ~7;
    ensureMemory(end);
    heapPtr = end;
    return ptr;
  }
  let fresh = alloc(newSize);
  memory.copy(fresh, ptr, oldSize);
  return fresh;
}
