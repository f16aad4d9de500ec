// The runtime inside every policy module: the ABI the opa-wasm SDK calls (see
// /work/shared/design/policy-wasm-abi.md) plus the rt_* helpers and b_* built-ins the code
// generator links against. The generated code supplies policy.eval (the entrypoint dispatch),
// builtins() and entrypoints(); the generator drops every export that is not ABI.
import { alloc, heapGet, heapSet } from "./heap";
import { parseJSON, dumpJSON } from "./json";
import { raise } from "./errors";

export const opa_wasm_abi_version: i32 = 1;
export const opa_wasm_abi_minor_version: i32 = 2;

// Replaced by the code generator: evaluate entrypoint `entrypoint`, return the result set.
// @ts-ignore: decorator
@external("policy", "eval")
declare function policyEval(entrypoint: i32, input: usize, data: usize): usize;

export function opa_malloc(size: usize): usize {
  return alloc(size);
}

/** Memory is reclaimed only by resetting the heap; freeing single blocks is a no-op. */
export function opa_free(ptr: usize): void {}

export function opa_json_parse(ptr: usize, len: usize): usize {
  return parseJSON(ptr, len);
}

export function opa_json_dump(v: usize): usize {
  return dumpJSON(v);
}

export function opa_heap_ptr_get(): usize {
  return heapGet();
}

export function opa_heap_ptr_set(ptr: usize): void {
  heapSet(ptr);
}

// ---- evaluation context (ABI < 1.2 path) ----
// layout: input @0, data @4, entrypoint @8, result @12

export function opa_eval_ctx_new(): usize {
  let ctx = alloc(16);
  store<u32>(ctx, 0);
  store<u32>(ctx, 0, 4);
  store<u32>(ctx, 0, 8);
  store<u32>(ctx, 0, 12);
  return ctx;
}

export function opa_eval_ctx_set_input(ctx: usize, v: usize): void { store<u32>(ctx, <u32>v); }
export function opa_eval_ctx_set_data(ctx: usize, v: usize): void { store<u32>(ctx, <u32>v, 4); }
export function opa_eval_ctx_set_entrypoint(ctx: usize, e: i32): void { store<i32>(ctx, e, 8); }
export function opa_eval_ctx_get_result(ctx: usize): usize { return <usize>load<u32>(ctx, 12); }

export function eval(ctx: usize): i32 {
  let rs = policyEval(load<i32>(ctx, 8), <usize>load<u32>(ctx), <usize>load<u32>(ctx, 4));
  store<u32>(ctx, <u32>rs, 12);
  return 0;
}

/**
 * ABI 1.2 fast path: the input JSON (inputLen bytes) is at inputAddr, allocation starts at
 * heapPtr (after the input). Returns the NUL-terminated JSON text of the result set.
 */
export function opa_eval(
  _reserved: usize, entrypoint: i32, data: usize, inputAddr: usize, inputLen: usize, heapPtr: usize, _format: i32,
): usize {
  heapSet(heapPtr);
  let input: usize = 0;
  if (inputLen > 0) {
    input = parseJSON(inputAddr, inputLen);
    // The SDK only writes JSON.stringify output here; raw ArrayBuffer inputs may be anything.
    if (input == 0) raise("invalid_input", "input is not valid JSON");
  }
  return dumpJSON(policyEval(entrypoint, input, data));
}

export * from "./rt-exports";
export * from "./builtins/index";
