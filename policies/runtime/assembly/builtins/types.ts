// is_* type tests and type_name.
import { tagOf, TAG_NULL, TAG_BOOLEAN, TAG_NUMBER, TAG_STRING, TAG_ARRAY, TAG_OBJECT, TAG_SET, makeBool, makeString } from "../value";

export function b_is_null(x: usize): usize { return makeBool(tagOf(x) == TAG_NULL); }
export function b_is_boolean(x: usize): usize { return makeBool(tagOf(x) == TAG_BOOLEAN); }
export function b_is_number(x: usize): usize { return makeBool(tagOf(x) == TAG_NUMBER); }
export function b_is_string(x: usize): usize { return makeBool(tagOf(x) == TAG_STRING); }
export function b_is_array(x: usize): usize { return makeBool(tagOf(x) == TAG_ARRAY); }
export function b_is_object(x: usize): usize { return makeBool(tagOf(x) == TAG_OBJECT); }
export function b_is_set(x: usize): usize { return makeBool(tagOf(x) == TAG_SET); }

export function b_type_name(x: usize): usize {
  switch (tagOf(x)) {
    case TAG_NULL: return makeString("null");
    case TAG_BOOLEAN: return makeString("boolean");
    case TAG_NUMBER: return makeString("number");
    case TAG_STRING: return makeString("string");
    case TAG_ARRAY: return makeString("array");
    case TAG_OBJECT: return makeString("object");
  }
  return makeString("set");
}
