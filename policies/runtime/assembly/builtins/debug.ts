// print: writes its operand through the host's opa_println (strings raw, other values as JSON;
// arrays of operands separated by spaces, as the planner passes print's arguments as an array).
import { tagOf, TAG_STRING, TAG_ARRAY, makeBool, arrayLength, arrayGet, stringToAS } from "../value";
import { println } from "../errors";
import { ByteBuffer, writeJSON } from "../json";

function show(v: usize): string {
  if (tagOf(v) == TAG_STRING) return stringToAS(v);
  let b = new ByteBuffer(64);
  writeJSON(b, v);
  return String.UTF8.decodeUnsafe(b.data, b.len, false);
}

export function b_print(x: usize): usize {
  if (tagOf(x) == TAG_ARRAY) {
    let parts = "";
    let n = arrayLength(x);
    for (let i: u32 = 0; i < n; i++) parts += (i > 0 ? " " : "") + show(arrayGet(x, i));
    println(parts);
  } else {
    println(show(x));
  }
  return makeBool(true);
}

/** trace(note): always true. Evaluation traces are not collected by this target. */
export function b_trace(note: usize): usize {
  return makeBool(true);
}
