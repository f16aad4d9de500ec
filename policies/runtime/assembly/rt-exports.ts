// The helpers generated code calls (exported under rt_* names so the generator can find them
// by export name; it removes these exports after linking).
export { makeNull as rt_make_null, makeBool as rt_make_bool, makeNumber as rt_make_number } from "./value";
export { makeArray as rt_make_array, makeObject as rt_make_object, makeSet as rt_make_set } from "./value";
export { allocString as rt_alloc_string, arrayAppend as rt_array_append } from "./value";
export { equal as rt_equal, compare as rt_compare } from "./compare";
export {
  objectInsert as rt_object_insert, setAdd as rt_set_add, dot as rt_dot, length as rt_length,
  iterCount as rt_iter_count, iterKey as rt_iter_key, iterValue as rt_iter_value,
  objectMerge as rt_object_merge, upsert as rt_upsert, objectGet as rt_object_get,
} from "./collections";
export { parseJSON as rt_parse_json } from "./json";
export { setStrictBuiltinErrors as rt_set_strict_builtin_errors, raiseValue as rt_abort_value } from "./errors";
export { tagOf as rt_tag_of } from "./value";

import { objectGet, objectInsert } from "./collections";
import { equal } from "./compare";
import { raise } from "./errors";
import { stringData, stringLength, tagOf, TAG_NUMBER, numberText, numberValue, makeNumberWithText } from "./value";
import { parseJSON } from "./json";

/** objectinsertonce: insert, or abort when the key holds a different value. */
export function rt_object_insert_once(obj: usize, key: usize, value: usize): void {
  let cur = objectGet(obj, key);
  if (cur != 0) {
    if (!equal(cur, value)) raise("eval_conflict_error", "object keys must be unique");
    return;
  }
  objectInsert(obj, key, value);
}

/** A number from its literal text (a string value); 0 when the text is not a JSON number. */
export function rt_make_number_text(s: usize): usize {
  let v = parseJSON(stringData(s), stringLength(s));
  if (v == 0 || tagOf(v) != TAG_NUMBER) return 0;
  // The compiler passes a literal only where an f64 does not denote it (1e30, 0.1234567890123456789):
  // keep it, so the literal's exact value is what comparisons, arithmetic and output see.
  return numberText(v) != 0 ? v : makeNumberWithText(numberValue(v), s);
}

/** Parse the JSON text held by a string value (entrypoints()/builtins() tables). */
export function rt_parse_json_string(s: usize): usize {
  return parseJSON(stringData(s), stringLength(s));
}

export { setFromArray as rt_set_from_array } from "./collections";
