// Error markers from host built-ins. A host built-in cannot abort the module itself without
// ignoring the module's strict/non-strict setting, so (with hostBuiltins({ errors: 'marker' }))
// it returns {"__junction_builtin_error__": [code, builtin, message]} or, for operand type
// errors, [code, builtin, operand, want, gotType]. The generated code passes every host result through
// rt_host_result, which turns a marker into OPA's behaviour: undefined by default, an abort
// with the exact OPA message under strict built-in errors. A set result comes as
// {"__junction_set__": [members]} and becomes a set. Other values pass through unchanged.
import {
  tagOf, TAG_OBJECT, TAG_STRING, TAG_ARRAY, TAG_NUMBER, objectLength, objectKeyAt, objectValueAt,
  arrayLength, arrayGet, stringToAS, numberValue, makeNull, makeBool, makeNumber, makeString,
  makeArray, makeObject, makeSet,
} from "../value";
import { builtinError, typeError, typeErrorMessage } from "../errors";
import { setFromArray } from "../collections";

const MARKER = "__junction_builtin_error__";
/** JSON has no sets: a host result {"__junction_set__": [...]} is the set of those members. */
const SET_MARKER = "__junction_set__";

/** A value of the named OPA type, standing in for the offending operand in typeError. */
function sampleOfType(name: string): usize {
  if (name == "null") return makeNull();
  if (name == "boolean") return makeBool(false);
  if (name == "number") return makeNumber(0);
  if (name == "string") return makeString("");
  if (name == "array") return makeArray(0);
  if (name == "object") return makeObject();
  return makeSet();
}

/** The marker key of a single-key object whose value is an array, or "". */
function markerKey(v: usize): string {
  if (v == 0 || tagOf(v) != TAG_OBJECT || objectLength(v) != 1) return "";
  let k = objectKeyAt(v, 0);
  if (tagOf(k) != TAG_STRING || tagOf(objectValueAt(v, 0)) != TAG_ARRAY) return "";
  let name = stringToAS(k);
  return name == MARKER || name == SET_MARKER ? name : "";
}

function stringAt(parts: usize, i: u32): string {
  if (i >= arrayLength(parts)) return "";
  let s = arrayGet(parts, i);
  return tagOf(s) == TAG_STRING ? stringToAS(s) : "";
}

export function rt_host_result(v: usize): usize {
  let key = markerKey(v);
  if (key == "") return v;
  if (key == SET_MARKER) return setFromArray(objectValueAt(v, 0));
  let parts = objectValueAt(v, 0);
  let code = stringAt(parts, 0);
  let name = stringAt(parts, 1);
  if (code == "eval_type_error" && arrayLength(parts) >= 5 && tagOf(arrayGet(parts, 2)) == TAG_NUMBER) {
    let pos = <i32>numberValue(arrayGet(parts, 2));
    return typeError(name, pos, stringAt(parts, 3), sampleOfType(stringAt(parts, 4)));
  }
  if (code == "eval_type_error") return typeErrorMessage(name, stringAt(parts, 2));
  return builtinError(name, stringAt(parts, 2));
}
