import type { Term } from '../ast.js';
// Rego values as plain JS for the reference interpreter: null, boolean, number, string, arrays,
// and two small classes for objects (any key type) and sets. Equality is Rego's (1 == 1.0) and
// ordering is OPA's total order: null < boolean < number < string < array < object < set.

/** Integers beyond 2^53 are bigints (Rego numbers have arbitrary precision); others are numbers. */
export type Value = null | boolean | number | bigint | string | Value[] | RObject | RSet;

/** A number literal's value: a bigint for integers that a double cannot hold exactly. */
export function parseNumber(text: string): number | bigint {
  const n = Number(text);
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
    const exact = integerLiteral(text);
    if (exact !== null) return exact;
  }
  return n;
}

/** The integer a literal such as "12", "1e25" or "2.50e3" denotes exactly, or null for fractions. */
function integerLiteral(text: string): bigint | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return null;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const exp = Number(m[4] ?? '0') - frac.length;
  const digits = BigInt((m[2] ?? '') + frac);
  if (exp >= 0) return (m[1] ? -1n : 1n) * digits * 10n ** BigInt(exp);
  const scale = 10n ** BigInt(-exp);
  return digits % scale === 0n ? (m[1] ? -1n : 1n) * (digits / scale) : null;
}

/** Back to a double when exact, so equal numbers have one representation. */
export function normaliseNumber(n: number | bigint): number | bigint {
  if (typeof n === 'bigint' && n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(n);
  return n;
}

function numberKey(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return String(n);
}

export class RObject {
  readonly entries = new Map<string, [Value, Value]>();
  get(k: Value): Value | undefined {
    return this.entries.get(valueKey(k))?.[1];
  }
  set(k: Value, v: Value): void {
    this.entries.set(valueKey(k), [k, v]);
  }
  get size(): number {
    return this.entries.size;
  }
}

export class RSet {
  readonly items = new Map<string, Value>();
  has(v: Value): boolean {
    return this.items.has(valueKey(v));
  }
  add(v: Value): void {
    const k = valueKey(v);
    if (!this.items.has(k)) this.items.set(k, v);
  }
  get size(): number {
    return this.items.size;
  }
  values(): Value[] {
    return [...this.items.values()];
  }
}

export function typeName(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return v instanceof RObject ? 'object' : 'set';
}

const RANK: Record<string, number> = { null: 0, boolean: 1, number: 2, string: 3, array: 4, object: 5, set: 6 };

/** A canonical string per value: equal values (1, 1.0) share a key. */
export function valueKey(v: Value): string {
  if (v === null) return 'n';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number' || typeof v === 'bigint') return `#${numberKey(v)}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueKey).join(',')}]`;
  if (v instanceof RObject) return `{${[...v.entries.keys()].sort().map((k) => `${k}:${valueKey(v.entries.get(k)![1])}`).join(',')}}`;
  return `<${[...v.items.keys()].sort().join(',')}>`;
}

export function equal(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a === b) return true;
  return valueKey(a) === valueKey(b);
}

export function compare(a: Value, b: Value): number {
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return RANK[ta]! - RANK[tb]!;
  switch (ta) {
    case 'null': return 0;
    case 'boolean': return Number(a) - Number(b);
    case 'number': return (a as number | bigint) < (b as number | bigint) ? -1 : (a as number | bigint) > (b as number | bigint) ? 1 : 0;
    case 'string': return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 'array': return compareSeq(a as Value[], b as Value[]);
    case 'object': {
      const ea = sortedEntries(a as RObject);
      const eb = sortedEntries(b as RObject);
      for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
        const c = compare(ea[i]![0], eb[i]![0]) || compare(ea[i]![1], eb[i]![1]);
        if (c) return c;
      }
      return ea.length - eb.length;
    }
    default: return compareSeq(sortValues((a as RSet).values()), sortValues((b as RSet).values()));
  }
}

function compareSeq(a: Value[], b: Value[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compare(a[i]!, b[i]!);
    if (c) return c;
  }
  return a.length - b.length;
}

export function sortValues(vs: Value[]): Value[] {
  return vs.slice().sort(compare);
}

export function sortedEntries(o: RObject): Array<[Value, Value]> {
  return [...o.entries.values()].sort((x, y) => compare(x[0], y[0]));
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function fromJson(j: unknown): Value {
  if (j === null || typeof j === 'boolean' || typeof j === 'number' || typeof j === 'string') return j;
  if (Array.isArray(j)) return j.map(fromJson);
  if (j instanceof RObject || j instanceof RSet) return j;
  if (typeof j === 'object') {
    const o = new RObject();
    for (const [k, v] of Object.entries(j as Record<string, unknown>)) o.set(k, fromJson(v));
    return o;
  }
  throw new Error(`not a JSON value: ${String(j)}`);
}

/** The value of a ground AST term (sets and non-string keys included). */
export function termValue(t: Term): Value {
  switch (t.type) {
    case 'null': return null;
    case 'boolean': return t.value;
    case 'number': return parseNumber(t.value);
    case 'string': return t.value;
    case 'array': return t.items.map(termValue);
    case 'set': { const s = new RSet(); t.items.forEach((x) => s.add(termValue(x))); return s; }
    case 'object': { const o = new RObject(); t.items.forEach(([k, v]) => o.set(termValue(k), termValue(v))); return o; }
    default: throw new Error(`a ${t.type} term is not a ground value`);
  }
}

/** JSON form as OPA prints results: sets become sorted arrays, non-string keys their JSON text. */
export function toJson(v: Value): Json {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof RSet) return sortValues(v.values()).map(toJson);
  const out: { [k: string]: Json } = {};
  for (const [k, val] of sortedEntries(v)) out[typeof k === 'string' ? k : jsonText(k)] = toJson(val);
  return out;
}

/** JSON text of a value with big integers in full (a non-string object key is serialised so). */
function jsonText(v: Value): string {
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  if (v instanceof RSet) return `[${sortValues(v.values()).map(jsonText).join(',')}]`;
  return `{${sortedEntries(v).map(([k, x]) => `${JSON.stringify(typeof k === 'string' ? k : jsonText(k))}:${jsonText(x)}`).join(',')}}`;
}
