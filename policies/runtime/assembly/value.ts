// Rego values as raw pointers into linear memory. Address 0 means "undefined". Every value starts
// with a tag byte (same numbering as OPA's own Wasm runtime). Layouts (offsets in bytes):
//   null     tag=1                                   (static singleton)
//   boolean  tag=2, u8 value @1                      (static singletons)
//   number   tag=3, u32 text @4, f64 @8              (16 bytes; text: 0, or a string value
//            holding the JSON literal the number was parsed from — kept so integers beyond
//            2^53 and other literals f64 cannot hold exactly pass through unchanged)
//   string   tag=4, u32 byteLength @4, UTF-8 bytes @8
//   array    tag=5, u32 len @4, u32 cap @8, u32 elems @12 (elems: len × u32 value pointers)
//   object   tag=6, u32 len @4, u32 cap @8, u32 entries @12 (entries: len × {u32 key, u32 value},
//            sorted by key in Rego's total order → deterministic iteration, O(log n) lookup)
//   set      tag=7, u32 len @4, u32 cap @8, u32 elems @12 (sorted, no duplicates)
import { alloc, realloc } from "./heap";

// @ts-ignore: decorator
@inline export const TAG_NULL: u8 = 1;
// @ts-ignore: decorator
@inline export const TAG_BOOLEAN: u8 = 2;
// @ts-ignore: decorator
@inline export const TAG_NUMBER: u8 = 3;
// @ts-ignore: decorator
@inline export const TAG_STRING: u8 = 4;
// @ts-ignore: decorator
@inline export const TAG_ARRAY: u8 = 5;
// @ts-ignore: decorator
@inline export const TAG_OBJECT: u8 = 6;
// @ts-ignore: decorator
@inline export const TAG_SET: u8 = 7;

const NULL_VALUE: usize = memory.data<u8>([1, 0, 0, 0, 0, 0, 0, 0]);
const TRUE_VALUE: usize = memory.data<u8>([2, 1, 0, 0, 0, 0, 0, 0]);
const FALSE_VALUE: usize = memory.data<u8>([2, 0, 0, 0, 0, 0, 0, 0]);

export function tagOf(v: usize): u8 {
  return load<u8>(v);
}

// ---- scalars ----

export function makeNull(): usize {
  return NULL_VALUE;
}

export function makeBool(b: bool): usize {
  return b ? TRUE_VALUE : FALSE_VALUE;
}

export function boolValue(v: usize): bool {
  return load<u8>(v, 1) != 0;
}

export function makeNumber(n: f64): usize {
  let v = alloc(16);
  store<u32>(v, TAG_NUMBER);
  store<u32>(v, 0, 4);
  store<f64>(v, n, 8);
  return v;
}

/** A number parsed from JSON text: f64 value plus the literal (a string value) for output. */
export function makeNumberWithText(n: f64, text: usize): usize {
  let v = makeNumber(n);
  store<u32>(v, <u32>text, 4);
  return v;
}

// @ts-ignore: decorator
@inline export function numberValue(v: usize): f64 {
  return load<f64>(v, 8);
}

/** The literal a number was parsed from (a string value), or 0 for computed numbers. */
// @ts-ignore: decorator
@inline export function numberText(v: usize): usize {
  return <usize>load<u32>(v, 4);
}

/** A string of byteLength bytes whose content the caller writes at stringData(v). */
export function allocString(byteLength: u32): usize {
  let v = alloc(8 + <usize>byteLength);
  store<u32>(v, TAG_STRING);
  store<u32>(v, byteLength, 4);
  return v;
}

/** A string value copied from byteLength UTF-8 bytes at src. */
export function makeStringFromBytes(src: usize, byteLength: u32): usize {
  let v = allocString(byteLength);
  memory.copy(v + 8, src, byteLength);
  return v;
}

/** A string value from an AssemblyScript (UTF-16) string. */
export function makeString(s: string): usize {
  let n = <u32>String.UTF8.byteLength(s, false);
  let v = allocString(n);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, v + 8, false);
  return v;
}

// @ts-ignore: decorator
@inline export function stringLength(v: usize): u32 {
  return load<u32>(v, 4);
}

// @ts-ignore: decorator
@inline export function stringData(v: usize): usize {
  return v + 8;
}

/** The string value as an AssemblyScript string (for built-ins that are easier in UTF-16). */
export function stringToAS(v: usize): string {
  return String.UTF8.decodeUnsafe(v + 8, load<u32>(v, 4), false);
}

// ---- collections: shared header (len @4, cap @8, storage @12) ----

// @ts-ignore: decorator
@inline export function collLen(v: usize): u32 {
  return load<u32>(v, 4);
}

// @ts-ignore: decorator
@inline function collCap(v: usize): u32 {
  return load<u32>(v, 8);
}

// @ts-ignore: decorator
@inline export function collData(v: usize): usize {
  return <usize>load<u32>(v, 12);
}

function makeCollection(tag: u8, capacity: u32, slotSize: u32): usize {
  let v = alloc(16);
  if (capacity < 4) capacity = 4;
  store<u32>(v, tag);
  store<u32>(v, 0, 4);
  store<u32>(v, capacity, 8);
  store<u32>(v, <u32>alloc(<usize>capacity * slotSize), 12);
  return v;
}

/** Make room for one more slot (slotSize bytes each). */
function reserveOne(v: usize, slotSize: u32): void {
  let len = collLen(v);
  let cap = collCap(v);
  if (len < cap) return;
  let newCap = cap * 2;
  let data = realloc(collData(v), <usize>cap * slotSize, <usize>newCap * slotSize);
  store<u32>(v, newCap, 8);
  store<u32>(v, <u32>data, 12);
}

// ---- arrays ----

export function makeArray(capacity: u32): usize {
  return makeCollection(TAG_ARRAY, capacity, 4);
}

// @ts-ignore: decorator
@inline export function arrayLength(v: usize): u32 {
  return load<u32>(v, 4);
}

// @ts-ignore: decorator
@inline export function arrayGet(v: usize, i: u32): usize {
  return <usize>load<u32>(collData(v) + (<usize>i << 2));
}

export function arrayAppend(v: usize, elem: usize): void {
  reserveOne(v, 4);
  let len = collLen(v);
  store<u32>(collData(v) + (<usize>len << 2), <u32>elem);
  store<u32>(v, len + 1, 4);
}

// ---- objects (sorted entries) ----

export function makeObject(): usize {
  return makeCollection(TAG_OBJECT, 4, 8);
}

export function makeObjectWithCapacity(capacity: u32): usize {
  return makeCollection(TAG_OBJECT, capacity, 8);
}

// @ts-ignore: decorator
@inline export function objectLength(v: usize): u32 {
  return load<u32>(v, 4);
}

// @ts-ignore: decorator
@inline export function objectKeyAt(v: usize, i: u32): usize {
  return <usize>load<u32>(collData(v) + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline export function objectValueAt(v: usize, i: u32): usize {
  return <usize>load<u32>(collData(v) + (<usize>i << 3), 4);
}

// ---- sets (sorted members) ----

export function makeSet(): usize {
  return makeCollection(TAG_SET, 4, 4);
}

export function makeSetWithCapacity(capacity: u32): usize {
  return makeCollection(TAG_SET, capacity, 4);
}

// @ts-ignore: decorator
@inline export function setLength(v: usize): u32 {
  return load<u32>(v, 4);
}

// @ts-ignore: decorator
@inline export function setAt(v: usize, i: u32): usize {
  return <usize>load<u32>(collData(v) + (<usize>i << 2));
}

// ---- raw slot helpers for the sorted-collection code in ./collections ----

/** Insert a slot of slotSize bytes at index i (shifting the tail); returns the slot's address. */
export function insertSlot(v: usize, i: u32, slotSize: u32): usize {
  reserveOne(v, slotSize);
  let len = collLen(v);
  let data = collData(v);
  let at = data + <usize>i * slotSize;
  memory.copy(at + slotSize, at, <usize>(len - i) * slotSize);
  store<u32>(v, len + 1, 4);
  return at;
}

/** Remove the slot at index i (shifting the tail). */
export function removeSlot(v: usize, i: u32, slotSize: u32): void {
  let len = collLen(v);
  let data = collData(v);
  let at = data + <usize>i * slotSize;
  memory.copy(at, at + slotSize, <usize>(len - i - 1) * slotSize);
  store<u32>(v, len - 1, 4);
}

/** Set the element count directly (used after bulk building + sorting). */
export function setCollLen(v: usize, len: u32): void {
  store<u32>(v, len, 4);
}
