// graph.reachable and object.subset: structural queries over collections.
import {
  tagOf, TAG_ARRAY, TAG_OBJECT, TAG_SET, makeBool, collLen, arrayGet, setAt, objectKeyAt, objectValueAt,
  makeArray, arrayAppend, arrayLength, makeSet,
} from "../value";
import { objectGet, setContains, setAdd } from "../collections";
import { equal } from "../compare";

import { typeError, typeErrorMessage } from "../errors";

/** Members of an array or set (vertex collections); other values have none. */
function vertexCount(c: usize): u32 {
  let t = tagOf(c);
  return t == TAG_ARRAY || t == TAG_SET ? collLen(c) : 0;
}

function vertexAt(c: usize, i: u32): usize {
  return tagOf(c) == TAG_ARRAY ? arrayGet(c, i) : setAt(c, i);
}

/**
 * graph.reachable(graph, initial): every vertex reachable from `initial` (array or set) along
 * the edges of `graph` (vertex → array/set of neighbours). A vertex is reported only when the
 * graph has an entry for it, as OPA does.
 */
export function b_graph_reachable(graph: usize, initial: usize): usize {
  if (tagOf(graph) != TAG_OBJECT) return typeError("graph.reachable", 1, "object", graph);
  let ti = tagOf(initial);
  if (ti != TAG_ARRAY && ti != TAG_SET) return typeError("graph.reachable", 2, "one of {array, set}", initial);
  let reached = makeSet();
  let queue = makeArray(vertexCount(initial) + 4);
  for (let i: u32 = 0; i < vertexCount(initial); i++) arrayAppend(queue, vertexAt(initial, i));
  for (let head: u32 = 0; head < arrayLength(queue); head++) {
    let node = arrayGet(queue, head);
    if (setContains(reached, node)) continue;
    let edges = objectGet(graph, node);
    if (edges == 0) continue;
    setAdd(reached, node);
    let n = vertexCount(edges);
    for (let i: u32 = 0; i < n; i++) {
      let next = vertexAt(edges, i);
      if (!setContains(reached, next)) arrayAppend(queue, next);
    }
  }
  return reached;
}

/** path + [node] as a fresh array. */
function extend(path: usize, node: usize): usize {
  let n = arrayLength(path);
  let out = makeArray(n + 1);
  for (let i: u32 = 0; i < n; i++) arrayAppend(out, arrayGet(path, i));
  arrayAppend(out, node);
  return out;
}

/**
 * Follows edges from `node`, adding to `out` every maximal path: it ends at a vertex without
 * edges, before a vertex missing from the graph, or where it would revisit a reached vertex.
 */
function collectPaths(graph: usize, node: usize, path: usize, out: usize, reached: usize): void {
  let edges = objectGet(graph, node);
  if (edges == 0) { setAdd(out, path); return; }
  let here = extend(path, node);
  let n = vertexCount(edges);
  if (n == 0) { setAdd(out, here); return; }
  for (let i: u32 = 0; i < n; i++) {
    let next = vertexAt(edges, i);
    if (setContains(reached, next)) {
      setAdd(out, here);
    } else {
      setAdd(reached, node);
      collectPaths(graph, next, here, out, reached);
    }
  }
}

/** graph.reachable_paths(graph, initial): the set of paths (arrays of vertices) from initial. */
export function b_graph_reachable_paths(graph: usize, initial: usize): usize {
  if (tagOf(graph) != TAG_OBJECT) return typeError("graph.reachable_paths", 1, "object", graph);
  let ti = tagOf(initial);
  if (ti != TAG_ARRAY && ti != TAG_SET) return typeError("graph.reachable_paths", 2, "one of {array, set}", initial);
  let out = makeSet();
  for (let i: u32 = 0; i < vertexCount(initial); i++) {
    let node = vertexAt(initial, i);
    let edges = objectGet(graph, node);
    if (edges == 0) continue;
    let n = vertexCount(edges);
    if (n == 0) { setAdd(out, extend(makeArray(0), node)); continue; }
    for (let j: u32 = 0; j < n; j++) {
      let reached = makeSet();
      setAdd(reached, node);
      collectPaths(graph, vertexAt(edges, j), extend(makeArray(0), node), out, reached);
    }
  }
  return out;
}

function setSubset(sup: usize, sub: usize): bool {
  let n = collLen(sub);
  for (let i: u32 = 0; i < n; i++) if (!setContains(sup, setAt(sub, i))) return false;
  return true;
}

/** sub appears contiguously, in order, within sup. */
function arraySubset(sup: usize, sub: usize): bool {
  let m = arrayLength(sub);
  let n = arrayLength(sup);
  if (m > n) return false;
  for (let start: u32 = 0; start + m <= n; start++) {
    let j: u32 = 0;
    while (j < m && equal(arrayGet(sup, start + j), arrayGet(sub, j))) j++;
    if (j == m) return true;
  }
  return false;
}

/** Every member of the set sub occurs in the array sup (OPA: false for an empty sup). */
function arraySetSubset(sup: usize, sub: usize): bool {
  let unmatched = collLen(sub);
  let n = arrayLength(sup);
  for (let i: u32 = 0; i < n; i++) {
    if (setContains(sub, arrayGet(sup, i))) unmatched--;
    if (unmatched == 0) return true;
  }
  return false;
}

/** Objects: every key of sub in sup with an equal value, or a subset value (object/set/array). */
function objectSubset(sup: usize, sub: usize): bool {
  let n = collLen(sub);
  for (let i: u32 = 0; i < n; i++) {
    let sv = objectGet(sup, objectKeyAt(sub, i));
    if (sv == 0) return false;
    let v = objectValueAt(sub, i);
    if (equal(sv, v)) continue;
    let ts = tagOf(sv);
    if (ts != tagOf(v)) return false;
    if (ts == TAG_OBJECT) { if (!objectSubset(sv, v)) return false; continue; }
    if (ts == TAG_SET) { if (!setSubset(sv, v)) return false; continue; }
    if (ts == TAG_ARRAY) { if (!arraySubset(sv, v)) return false; continue; }
    return false;
  }
  return true;
}

export function b_object_subset(sup: usize, sub: usize): usize {
  let a = tagOf(sup);
  let b = tagOf(sub);
  if (a == TAG_OBJECT && b == TAG_OBJECT) return makeBool(objectSubset(sup, sub));
  if (a == TAG_SET && b == TAG_SET) return makeBool(setSubset(sup, sub));
  if (a == TAG_ARRAY && b == TAG_ARRAY) return makeBool(arraySubset(sup, sub));
  if (a == TAG_ARRAY && b == TAG_SET) return makeBool(arraySetSubset(sup, sub));
  return typeErrorMessage("object.subset", "both arguments object.subset must be of the same type or array and set");
}
