// Lookup and update of arrays, objects and sets: binary search over the sorted storage of
// objects/sets, in-place insertion for values under construction, and the copy-on-write upsert
// used by `with`.
import {
  tagOf, TAG_NUMBER, TAG_ARRAY, TAG_OBJECT, TAG_SET, TAG_STRING,
  numberValue, collLen, collData, arrayGet, arrayLength, makeArray, arrayAppend,
  makeObjectWithCapacity, objectKeyAt, objectValueAt, setAt, insertSlot, removeSlot, setCollLen,
  makeSetWithCapacity, makeNumber, stringLength, stringData,
} from "./value";
import { compare } from "./compare";
import { alloc } from "./heap";
import { countRunes } from "./utf8";

/**
 * Binary search: index of key in the sorted object/set v, or -(insertion point) - 1 when absent.
 * stride is 8 for objects (key at entry start), 4 for sets.
 */
function search(v: usize, key: usize, stride: u32): i32 {
  let lo: i32 = 0;
  let hi: i32 = <i32>collLen(v) - 1;
  let data = collData(v);
  while (lo <= hi) {
    let mid = (lo + hi) >>> 1;
    let c = compare(<usize>load<u32>(data + <usize>mid * stride), key);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

export function objectFind(obj: usize, key: usize): i32 {
  return search(obj, key, 8);
}

/** obj[key] or 0 when absent. */
export function objectGet(obj: usize, key: usize): usize {
  let i = search(obj, key, 8);
  return i < 0 ? 0 : objectValueAt(obj, <u32>i);
}

/** obj[key] := value, overwriting. */
export function objectInsert(obj: usize, key: usize, value: usize): void {
  let n = collLen(obj);
  // Fast path: keys arriving in order (parsing sorted JSON, building from sorted sources).
  if (n == 0 || compare(objectKeyAt(obj, n - 1), key) < 0) {
    let slot = insertSlot(obj, n, 8);
    store<u32>(slot, <u32>key);
    store<u32>(slot, <u32>value, 4);
    return;
  }
  let i = search(obj, key, 8);
  if (i >= 0) {
    store<u32>(collData(obj) + (<usize>i << 3), <u32>value, 4);
    return;
  }
  let slot = insertSlot(obj, <u32>(-i - 1), 8);
  store<u32>(slot, <u32>key);
  store<u32>(slot, <u32>value, 4);
}

/** Remove key from obj (in place) if present. */
export function objectDelete(obj: usize, key: usize): void {
  let i = search(obj, key, 8);
  if (i >= 0) removeSlot(obj, <u32>i, 8);
}

export function setContains(set: usize, member: usize): bool {
  return search(set, member, 4) >= 0;
}

/** Add member to set (in place); no effect when present. */
export function setAdd(set: usize, member: usize): void {
  let n = collLen(set);
  if (n == 0 || compare(setAt(set, n - 1), member) < 0) {
    store<u32>(insertSlot(set, n, 4), <u32>member);
    return;
  }
  let i = search(set, member, 4);
  if (i >= 0) return;
  store<u32>(insertSlot(set, <u32>(-i - 1), 4), <u32>member);
}

/** Array index from a number value: -1 unless it is a non-negative integer below len. */
export function arrayIndex(key: usize, len: u32): i32 {
  if (tagOf(key) != TAG_NUMBER) return -1;
  let n = numberValue(key);
  if (n < 0 || n >= <f64>len || n != Math.floor(n)) return -1;
  return <i32>n;
}

/** source[key]: array element, object value, set member; 0 when absent or not a collection. */
export function dot(source: usize, key: usize): usize {
  if (source == 0 || key == 0) return 0;
  switch (tagOf(source)) {
    case TAG_ARRAY: {
      let i = arrayIndex(key, arrayLength(source));
      return i < 0 ? 0 : arrayGet(source, <u32>i);
    }
    case TAG_OBJECT: return objectGet(source, key);
    case TAG_SET: return setContains(source, key) ? key : 0;
  }
  return 0;
}

/** Number of elements of a collection or code points of a string; -1 otherwise. */
export function length(v: usize): i32 {
  if (v == 0) return -1;
  let t = tagOf(v);
  if (t >= TAG_ARRAY) return <i32>collLen(v);
  if (t == TAG_STRING) return <i32>countCodePoints(stringData(v), stringLength(v));
  return -1;
}

/** Code points in n bytes of UTF-8 at p (Go's rules: each invalid byte counts as one). */
export function countCodePoints(p: usize, n: u32): u32 {
  return countRunes(p, n);
}

// ---- iteration (scan) ----

/** Number of iterations a scan over v makes (0 for non-collections). */
export function iterCount(v: usize): u32 {
  if (v == 0) return 0; // defensive: scanning an undefined local iterates zero times
  return tagOf(v) >= TAG_ARRAY ? collLen(v) : 0;
}

/** The i-th key: array index (as a number), object key, set member. */
export function iterKey(v: usize, i: u32): usize {
  switch (tagOf(v)) {
    case TAG_ARRAY: return makeNumber(<f64>i);
    case TAG_OBJECT: return objectKeyAt(v, i);
  }
  return setAt(v, i);
}

/** The i-th value: array element, object value, set member. */
export function iterValue(v: usize, i: u32): usize {
  switch (tagOf(v)) {
    case TAG_ARRAY: return arrayGet(v, i);
    case TAG_OBJECT: return objectValueAt(v, i);
  }
  return setAt(v, i);
}

// ---- copies and merges ----

export function copyObject(obj: usize): usize {
  let n = collLen(obj);
  let c = makeObjectWithCapacity(n + 1);
  memory.copy(collData(c), collData(obj), <usize>n << 3);
  setCollLen(c, n);
  return c;
}

export function copySet(set: usize): usize {
  let n = collLen(set);
  let c = makeSetWithCapacity(n + 1);
  memory.copy(collData(c), collData(set), <usize>n << 2);
  setCollLen(c, n);
  return c;
}

export function copyArray(arr: usize): usize {
  let n = collLen(arr);
  let c = makeArray(n + 1);
  memory.copy(collData(c), collData(arr), <usize>n << 2);
  setCollLen(c, n);
  return c;
}

/**
 * Deep merge (objectmerge): keys of both; where both values are objects they are merged
 * recursively, otherwise b's value wins.
 */
export function objectMerge(a: usize, b: usize): usize {
  if (a == 0) return b;
  if (b == 0) return a;
  if (tagOf(a) != TAG_OBJECT || tagOf(b) != TAG_OBJECT) return b;
  let out = copyObject(a);
  let n = collLen(b);
  for (let i: u32 = 0; i < n; i++) {
    let k = objectKeyAt(b, i);
    let bv = objectValueAt(b, i);
    let av = objectGet(out, k);
    objectInsert(out, k, av == 0 ? bv : objectMerge(av, bv));
  }
  return out;
}

/**
 * doc with the value at path (an array of keys) replaced by value; copies only the objects along
 * the path (everything else is shared — values are immutable once built). Non-object values on
 * the path are replaced by objects, as OPA's `with` does.
 */
export function upsert(doc: usize, path: usize, value: usize): usize {
  return upsertFrom(doc, path, 0, value);
}

function upsertFrom(doc: usize, path: usize, i: u32, value: usize): usize {
  if (i >= arrayLength(path)) return value;
  let key = arrayGet(path, i);
  let out: usize;
  if (doc != 0 && tagOf(doc) == TAG_OBJECT) out = copyObject(doc);
  else out = makeObjectWithCapacity(1);
  let child = objectGet(out, key);
  objectInsert(out, key, upsertFrom(child, path, i + 1, value));
  return out;
}

// ---- bulk building (JSON parse, sort) ----

/**
 * Stable merge sort of n slots of `stride` bytes at data, ordered by compare() of the u32 value
 * pointer at the start of each slot.
 */
export function sortSlots(data: usize, n: u32, stride: u32): void {
  if (n < 2) return;
  let tmp = alloc(<usize>n * stride);
  mergeSort(data, tmp, 0, n, stride);
}

function mergeSort(data: usize, tmp: usize, lo: u32, hi: u32, stride: u32): void {
  if (hi - lo < 2) return;
  if (hi - lo <= 8) {
    // insertion sort for short runs
    for (let i = lo + 1; i < hi; i++) {
      let a = load<u32>(data + <usize>i * stride);
      let b: u32 = stride == 8 ? load<u32>(data + <usize>i * stride, 4) : 0;
      let j = i;
      while (j > lo && compare(<usize>load<u32>(data + <usize>(j - 1) * stride), <usize>a) > 0) {
        memory.copy(data + <usize>j * stride, data + <usize>(j - 1) * stride, stride);
        j--;
      }
      store<u32>(data + <usize>j * stride, a);
      if (stride == 8) store<u32>(data + <usize>j * stride, b, 4);
    }
    return;
  }
  let mid = (lo + hi) >>> 1;
  mergeSort(data, tmp, lo, mid, stride);
  mergeSort(data, tmp, mid, hi, stride);
  if (compare(<usize>load<u32>(data + <usize>(mid - 1) * stride), <usize>load<u32>(data + <usize>mid * stride)) <= 0) return;
  memory.copy(tmp + <usize>lo * stride, data + <usize>lo * stride, <usize>(hi - lo) * stride);
  let i = lo, j = mid, k = lo;
  while (i < mid && j < hi) {
    let ai = tmp + <usize>i * stride;
    let bj = tmp + <usize>j * stride;
    if (compare(<usize>load<u32>(bj), <usize>load<u32>(ai)) < 0) {
      memory.copy(data + <usize>k * stride, bj, stride); j++;
    } else {
      memory.copy(data + <usize>k * stride, ai, stride); i++;
    }
    k++;
  }
  while (i < mid) { memory.copy(data + <usize>k * stride, tmp + <usize>i * stride, stride); i++; k++; }
  while (j < hi) { memory.copy(data + <usize>k * stride, tmp + <usize>j * stride, stride); j++; k++; }
}

/**
 * Sort the slots of an object/set built unsorted and drop duplicates (for objects the LAST
 * occurrence of a key wins, as in JSON.parse).
 */
export function normalizeSorted(v: usize, stride: u32): void {
  let n = collLen(v);
  let data = collData(v);
  sortSlots(data, n, stride);
  if (n < 2) return;
  let w: u32 = 0;
  for (let r: u32 = 1; r < n; r++) {
    let prev = data + <usize>w * stride;
    let cur = data + <usize>r * stride;
    if (compare(<usize>load<u32>(prev), <usize>load<u32>(cur)) == 0) {
      memory.copy(prev, cur, stride); // later duplicate replaces the earlier one
    } else {
      w++;
      if (w != r) memory.copy(data + <usize>w * stride, cur, stride);
    }
  }
  setCollLen(v, w + 1);
}

/** Append a raw slot without keeping order (caller calls normalizeSorted afterwards). */
export function appendUnsorted(v: usize, a: usize, b: usize, stride: u32): void {
  let slot = insertSlot(v, collLen(v), stride);
  store<u32>(slot, <u32>a);
  if (stride == 8) store<u32>(slot, <u32>b, 4);
}

/** A fresh set containing the array's elements. */
export function setFromArray(arr: usize): usize {
  let n = arrayLength(arr);
  let s = makeSetWithCapacity(n);
  for (let i: u32 = 0; i < n; i++) appendUnsorted(s, arrayGet(arr, i), 0, 4);
  normalizeSorted(s, 4);
  return s;
}

export function appendAll(dst: usize, src: usize): void {
  let n = arrayLength(src);
  for (let i: u32 = 0; i < n; i++) arrayAppend(dst, arrayGet(src, i));
}
