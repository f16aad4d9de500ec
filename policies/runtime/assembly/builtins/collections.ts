// Arrays (array.concat/slice/reverse), objects (object.get/keys/remove/union/union_n/filter) and
// sets (union, intersection) of collections.
import {
  tagOf, TAG_ARRAY, TAG_OBJECT, TAG_SET, TAG_NUMBER, makeArray, arrayAppend, arrayLength, arrayGet,
  collLen, objectKeyAt, objectValueAt, setAt, makeSetWithCapacity, numberValue, makeObjectWithCapacity,

} from "../value";
import {
  appendAll, dot, copyObject, objectDelete, objectGet, objectInsert, setContains, appendUnsorted,
  normalizeSorted, iterCount, iterKey,
} from "../collections";
import { setIntersect } from "./operators";
import { typeError } from "../errors";

export function b_array_concat(a: usize, b: usize): usize {
  if (tagOf(a) != TAG_ARRAY) return typeError("array.concat", 1, "array", a);
  if (tagOf(b) != TAG_ARRAY) return typeError("array.concat", 2, "array", b);
  let out = makeArray(arrayLength(a) + arrayLength(b));
  appendAll(out, a);
  appendAll(out, b);
  return out;
}

/** array.slice(arr, start, stop): indices clamped to [0, len]; start > stop gives []. */
export function b_array_slice(a: usize, start: usize, stop: usize): usize {
  if (tagOf(a) != TAG_ARRAY) return typeError("array.slice", 1, "array", a);
  if (tagOf(start) != TAG_NUMBER) return typeError("array.slice", 2, "number", start);
  if (tagOf(stop) != TAG_NUMBER) return typeError("array.slice", 3, "number", stop);
  let len = <f64>arrayLength(a);
  let s = Math.max(0, Math.min(len, Math.floor(numberValue(start))));
  let e = Math.max(0, Math.min(len, Math.floor(numberValue(stop))));
  let out = makeArray(4);
  for (let i = <u32>s; <f64>i < e; i++) arrayAppend(out, arrayGet(a, i));
  return out;
}

export function b_array_reverse(a: usize): usize {
  if (tagOf(a) != TAG_ARRAY) return typeError("array.reverse", 1, "array", a);
  let n = arrayLength(a);
  let out = makeArray(n);
  for (let i = n; i > 0; i--) arrayAppend(out, arrayGet(a, i - 1));
  return out;
}

/** object.get(obj, key, default): key may be an array path into nested collections. */
export function b_object_get(obj: usize, key: usize, dflt: usize): usize {
  if (tagOf(obj) != TAG_OBJECT) return typeError("object.get", 1, "object", obj);
  if (tagOf(key) == TAG_ARRAY) {
    let cur = obj;
    let n = arrayLength(key);
    for (let i: u32 = 0; i < n; i++) {
      cur = dot(cur, arrayGet(key, i));
      if (cur == 0) return dflt;
    }
    return cur;
  }
  let v = objectGet(obj, key);
  return v == 0 ? dflt : v;
}

export function b_object_keys(obj: usize): usize {
  if (tagOf(obj) != TAG_OBJECT) return typeError("object.keys", 1, "object", obj);
  let n = collLen(obj);
  let out = makeSetWithCapacity(n);
  for (let i: u32 = 0; i < n; i++) appendUnsorted(out, objectKeyAt(obj, i), 0, 4); // already sorted
  return out;
}

/** The keys named by an array, set or object (its keys) argument; 0 for other types. */
function keysOf(name: string, keys: usize): usize {
  let t = tagOf(keys);
  if (t != TAG_ARRAY && t != TAG_SET && t != TAG_OBJECT) {
    return typeError(name, 2, "one of {array, object, set}", keys);
  }
  let n = iterCount(keys);
  let out = makeSetWithCapacity(n);
  for (let i: u32 = 0; i < n; i++) appendUnsorted(out, t == TAG_ARRAY ? arrayGet(keys, i) : iterKey(keys, i), 0, 4);
  normalizeSorted(out, 4);
  return out;
}

export function b_object_remove(obj: usize, keys: usize): usize {
  if (tagOf(obj) != TAG_OBJECT) return typeError("object.remove", 1, "object", obj);
  let ks = keysOf("object.remove", keys);
  if (ks == 0) return 0;
  let out = copyObject(obj);
  let n = collLen(ks);
  for (let i: u32 = 0; i < n; i++) objectDelete(out, setAt(ks, i));
  return out;
}

export function b_object_filter(obj: usize, keys: usize): usize {
  if (tagOf(obj) != TAG_OBJECT) return typeError("object.filter", 1, "object", obj);
  let ks = keysOf("object.filter", keys);
  if (ks == 0) return 0;
  let n = collLen(obj);
  let out = makeObjectWithCapacity(4);
  for (let i: u32 = 0; i < n; i++) {
    let k = objectKeyAt(obj, i);
    if (setContains(ks, k)) appendUnsorted(out, k, objectValueAt(obj, i), 8); // stays sorted
  }
  return out;
}

/** Recursive union: where both values are objects they are merged, otherwise b wins. */
export function unionObjects(a: usize, b: usize): usize {
  let out = copyObject(a);
  let n = collLen(b);
  for (let i: u32 = 0; i < n; i++) {
    let k = objectKeyAt(b, i);
    let bv = objectValueAt(b, i);
    let av = objectGet(out, k);
    if (av != 0 && tagOf(av) == TAG_OBJECT && tagOf(bv) == TAG_OBJECT) objectInsert(out, k, unionObjects(av, bv));
    else objectInsert(out, k, bv);
  }
  return out;
}

export function b_object_union(a: usize, b: usize): usize {
  if (tagOf(a) != TAG_OBJECT) return typeError("object.union", 1, "object", a);
  if (tagOf(b) != TAG_OBJECT) return typeError("object.union", 2, "object", b);
  return unionObjects(a, b);
}

export function b_object_union_n(xs: usize): usize {
  if (tagOf(xs) != TAG_ARRAY) return typeError("object.union_n", 1, "array", xs);
  let out = makeObjectWithCapacity(4);
  let n = arrayLength(xs);
  for (let i: u32 = 0; i < n; i++) {
    let o = arrayGet(xs, i);
    if (tagOf(o) != TAG_OBJECT) return typeError("object.union_n", 1, "array of objects", o);
    out = unionObjects(out, o);
  }
  return out;
}

/** union(set of sets). */
export function b_union(xs: usize): usize {
  if (tagOf(xs) != TAG_SET) return typeError("union", 1, "set", xs);
  let out = makeSetWithCapacity(8);
  let n = collLen(xs);
  for (let i: u32 = 0; i < n; i++) {
    let s = setAt(xs, i);
    if (tagOf(s) != TAG_SET) return typeError("union", 1, "set of sets", s);
    let m = collLen(s);
    for (let j: u32 = 0; j < m; j++) appendUnsorted(out, setAt(s, j), 0, 4);
  }
  normalizeSorted(out, 4);
  return out;
}

/** intersection(set of sets); the empty set for no sets. */
export function b_intersection(xs: usize): usize {
  if (tagOf(xs) != TAG_SET) return typeError("intersection", 1, "set", xs);
  let n = collLen(xs);
  if (n == 0) return makeSetWithCapacity(0);
  let out = setAt(xs, 0);
  if (tagOf(out) != TAG_SET) return typeError("intersection", 1, "set of sets", out);
  for (let i: u32 = 1; i < n; i++) {
    let s = setAt(xs, i);
    if (tagOf(s) != TAG_SET) return typeError("intersection", 1, "set of sets", s);
    out = setIntersect(out, s);
  }
  return out;
}

/** walk(x): every [path, value] pair of x (x itself at path []), parents before children. */
export function b_walk(x: usize): usize {
  let out = makeArray(16);
  walkInto(out, makeArray(0), x);
  return out;
}

function walkInto(out: usize, path: usize, x: usize): void {
  let pair = makeArray(2);
  arrayAppend(pair, path);
  arrayAppend(pair, x);
  arrayAppend(out, pair);
  let n = iterCount(x);
  for (let i: u32 = 0; i < n; i++) {
    let k = iterKey(x, i);
    let child = tagOf(x) == TAG_ARRAY ? arrayGet(x, i) : tagOf(x) == TAG_OBJECT ? objectValueAt(x, i) : k;
    let p = makeArray(arrayLength(path) + 1);
    appendAll(p, path);
    arrayAppend(p, k);
    walkInto(out, p, child);
  }
}

