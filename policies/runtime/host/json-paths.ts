// json.filter and json.remove: keep / drop the parts of an object named by paths ("a/b/c"
// strings or ["a", "b", "c"] arrays; sets arrive from the module as arrays). Array elements are
// addressed by their index; filtered arrays are compacted, as in OPA.
import { builtinError, operandTypeError } from './errors.js';
import type { JsonValue } from './values.js';

/** A tree of path segments; `true` marks the end of a path (the whole subtree is selected). */
type PathTree = Map<string, PathTree | true>;

function pathSegments(name: string, p: unknown): string[] {
  if (typeof p === 'string') return p.replace(/^\//, '').split('/').filter((s, i, all) => !(s === '' && all.length === 1));
  if (Array.isArray(p)) return p.map((s) => (typeof s === 'string' ? s : JSON.stringify(s)));
  throw builtinError(name, 'operand 2 must be one of {set, array} containing string paths or array of path segments');
}

function pathTree(name: string, paths: unknown): PathTree {
  if (!Array.isArray(paths)) throw operandTypeError(name, 2, paths, 'set', 'array');
  const root: PathTree = new Map();
  for (const p of paths) {
    const segs = pathSegments(name, p);
    let node = root;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      const existing = node.get(seg);
      if (existing === true) break; // a shorter path already selects this subtree
      if (i === segs.length - 1) { node.set(seg, true); break; }
      let next = existing;
      if (!next) { next = new Map(); node.set(seg, next); }
      node = next;
    }
  }
  return root;
}

function filterValue(v: JsonValue, tree: PathTree): JsonValue {
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    v.forEach((x, i) => {
      const sub = tree.get(String(i));
      if (sub !== undefined) out.push(sub === true ? x : filterValue(x, sub));
    });
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) {
      const sub = tree.get(k);
      if (sub !== undefined) out[k] = sub === true ? x : filterValue(x, sub);
    }
    return out;
  }
  return v;
}

function removeValue(v: JsonValue, tree: PathTree): JsonValue {
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    v.forEach((x, i) => {
      const sub = tree.get(String(i));
      if (sub === true) return;
      out.push(sub ? removeValue(x, sub) : x);
    });
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) {
      const sub = tree.get(k);
      if (sub === true) continue;
      out[k] = sub ? removeValue(x, sub) : x;
    }
    return out;
  }
  return v;
}

export function jsonFilter(obj: unknown, paths: unknown): JsonValue {
  const name = 'json.filter';
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw operandTypeError(name, 1, obj, 'object');
  return filterValue(obj as JsonValue, pathTree(name, paths));
}

export function jsonRemove(obj: unknown, paths: unknown): JsonValue {
  const name = 'json.remove';
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw operandTypeError(name, 1, obj, 'object');
  return removeValue(obj as JsonValue, pathTree(name, paths));
}
