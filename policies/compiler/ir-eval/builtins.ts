// The built-ins the reference interpreter implements: operators, aggregates, type checks and the
// common string/object/array functions. A built-in returns undefined when its result is undefined
// and throws EvalError with OPA's code and message on errors.
import { RObject, RSet, compare, equal, normaliseNumber, sortValues, sortedEntries, toJson, typeName, type Value } from './values.js';

export class EvalError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

type Builtin = (args: Value[], name: string) => Value | undefined;

function typeErr(name: string, pos: number, want: string, got: Value): never {
  throw new EvalError('eval_type_error', `${name}: operand ${pos} must be ${want} but got ${typeName(got)}`);
}

function num(name: string, args: Value[], i: number): number {
  const v = args[i]!;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number') typeErr(name, i + 1, 'number', v);
  return v;
}

/** An integer operand as a bigint (exact), or null when either operand is not an integer. */
function exactInts(name: string, args: Value[]): [bigint, bigint] | null {
  const [a, b] = [args[0]!, args[1]!];
  const isInt = (v: Value) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
  if (!isInt(a)) num(name, args, 0);
  if (!isInt(b)) num(name, args, 1);
  return isInt(a) && isInt(b) ? [BigInt(a as number | bigint), BigInt(b as number | bigint)] : null;
}
function str(name: string, args: Value[], i: number): string {
  const v = args[i]!;
  if (typeof v !== 'string') typeErr(name, i + 1, 'string', v);
  return v;
}
function arr(name: string, args: Value[], i: number): Value[] {
  const v = args[i]!;
  if (!Array.isArray(v)) typeErr(name, i + 1, 'array', v);
  return v;
}
function obj(name: string, args: Value[], i: number): RObject {
  const v = args[i]!;
  if (!(v instanceof RObject)) typeErr(name, i + 1, 'object', v);
  return v;
}
function set(name: string, args: Value[], i: number): RSet {
  const v = args[i]!;
  if (!(v instanceof RSet)) typeErr(name, i + 1, 'set', v);
  return v;
}

function int(name: string, args: Value[], i: number): number {
  const v = num(name, args, i);
  if (!Number.isInteger(v)) throw new EvalError('eval_type_error', `${name}: operand ${i + 1} must be integer number but got floating-point number`);
  return v;
}

/** A string, or the strings of an array/set (strings.any_prefix_match and friends). */
function strings(name: string, args: Value[], i: number): string[] {
  const v = args[i]!;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) && !(v instanceof RSet)) typeErr(name, i + 1, 'one of {string, set, array}', v);
  const items = Array.isArray(v) ? v : v.values();
  const bad = items.find((x) => typeof x !== 'string');
  if (bad !== undefined) {
    throw new EvalError('eval_type_error', `${name}: operand ${i + 1} must be ${Array.isArray(v) ? 'array' : 'set'} of strings but got ${Array.isArray(v) ? 'array' : 'set'} containing ${typeName(bad)}`);
  }
  return items as string[];
}

/** Elements of an array, set or object (values). */
function elements(name: string, v: Value, pos = 1): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.values();
  if (v instanceof RObject) return [...v.entries.values()].map((e) => e[1]);
  return typeErr(name, pos, 'any of array, object or set', v);
}

/** Members of an array or set (sum, product, max, min, concat: objects are a type error). */
function arrayOrSet(name: string, v: Value, pos = 1): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.values();
  return typeErr(name, pos, 'one of {array, set}', v);
}

function mkSet(vs: Iterable<Value>): RSet {
  const s = new RSet();
  for (const v of vs) s.add(v);
  return s;
}

/** + - *: exact on integers of any size, doubles otherwise. */
function arith(op: (a: number, b: number) => number, exact: (a: bigint, b: bigint) => bigint): Builtin {
  return (args, name) => {
    const ints = exactInts(name, args);
    if (ints) return normaliseNumber(exact(ints[0], ints[1]));
    return op(num(name, args, 0), num(name, args, 1));
  };
}

function member(coll: Value, v: Value): boolean {
  if (Array.isArray(coll)) return coll.some((x) => equal(x, v));
  if (coll instanceof RSet) return coll.has(v);
  if (coll instanceof RObject) return [...coll.entries.values()].some((e) => equal(e[1], v));
  return false;
}

/** Rego's text for a value (ast.Value.String()): what OPA's sprintf prints for non-strings. */
function regoText(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(regoText).join(', ')}]`;
  if (v instanceof RSet) return v.size === 0 ? 'set()' : `{${sortValues(v.values()).map(regoText).join(', ')}}`;
  return `{${sortedEntries(v).map(([k, x]) => `${regoText(k)}: ${regoText(x)}`).join(', ')}}`;
}

/** Go's verb applied to a non-matching operand: %!d(string=ab). */
function badVerb(verb: string, v: Value): string {
  const isInt = typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
  const goType = typeof v === 'bigint' ? '*big.Int' : typeof v === 'number' ? (isInt ? 'int' : 'float64') : 'string';
  return `%!${verb}(${goType}=${typeof v === 'string' ? v : regoText(v)})`;
}

/** sprintf as OPA does it: Go's fmt with integers as ints, other numbers as float64, the rest as text. */
function sprintf(format: string, vals: Value[]): string {
  let i = 0;
  return format.replace(/%([-+ 0#]*\d*(?:\.\d+)?)([vdsfqxXtTbeEgGo%])/g, (_m, flags: string, verb: string) => {
    if (verb === '%') return '%';
    const v = vals[i++];
    if (v === undefined) return `%!${verb}(MISSING)`;
    const isNum = typeof v === 'number' || typeof v === 'bigint';
    const isInt = typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
    switch (verb) {
      case 'v': return typeof v === 'string' ? v : regoText(v);
      case 'd': return isInt ? regoText(v) : badVerb(verb, v);
      case 's': return typeof v === 'string' ? v : isNum ? badVerb(verb, v) : regoText(v);
      case 'q': return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(regoText(v));
      case 'f': {
        const m = /\.(\d+)/.exec(flags);
        return typeof v === 'number' ? v.toFixed(m ? Number(m[1]) : 6) : show(v);
      }
      case 'x': return typeof v === 'number' ? v.toString(16) : Buffer.from(typeof v === 'string' ? v : regoText(v)).toString('hex');
      case 't': return typeof v === 'boolean' ? String(v) : badVerb(verb, v);
      default: return show(v);
    }
  });
}

function show(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(toJson(v));
}

export const BUILTIN_IMPLS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['equal', (a) => equal(a[0]!, a[1]!)],
  ['neq', (a) => !equal(a[0]!, a[1]!)],
  ['lt', (a) => compare(a[0]!, a[1]!) < 0],
  ['lte', (a) => compare(a[0]!, a[1]!) <= 0],
  ['gt', (a) => compare(a[0]!, a[1]!) > 0],
  ['gte', (a) => compare(a[0]!, a[1]!) >= 0],
  ['plus', arith((x, y) => x + y, (x, y) => x + y)],
  ['mul', arith((x, y) => x * y, (x, y) => x * y)],
  ['div', (a, n) => {
    const y = num(n, a, 1);
    const x = num(n, a, 0);
    if (y === 0) throw new EvalError('eval_builtin_error', 'div: divide by zero');
    // Integers divide exactly when the divisor divides the dividend (big integers included).
    const ints = exactInts(n, a);
    if (ints && ints[0] % ints[1] === 0n) return normaliseNumber(ints[0] / ints[1]);
    return x / y;
  }],
  ['rem', (a, n) => {
    const ints = exactInts(n, a);
    if (!ints) throw new EvalError('eval_builtin_error', 'rem: modulo on floating-point number');
    if (ints[1] === 0n) throw new EvalError('eval_builtin_error', 'rem: modulo by zero');
    // BigInt % truncates and takes the dividend's sign, like Go's big.Int Rem.
    return normaliseNumber(ints[0] % ints[1]);
  }],
  ['minus', (a, n) => {
    if (a[0] instanceof RSet) {
      const x = set(n, a, 0);
      const y = set(n, a, 1);
      return mkSet(x.values().filter((v) => !y.has(v)));
    }
    return arith((x, y) => x - y, (x, y) => x - y)(a, n);
  }],
  ['and', (a, n) => { const x = set(n, a, 0); const y = set(n, a, 1); return mkSet(x.values().filter((v) => y.has(v))); }],
  ['or', (a, n) => mkSet([...set(n, a, 0).values(), ...set(n, a, 1).values()])],
  ['internal.member_2', (a) => member(a[1]!, a[0]!)],
  ['internal.member_3', (a) => {
    const [k, v, c] = a as [Value, Value, Value];
    if (Array.isArray(c)) return typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < c.length && equal(c[k]!, v);
    if (c instanceof RObject) { const x = c.get(k); return x !== undefined && equal(x, v); }
    return false;
  }],
  ['count', (a, n) => {
    const v = a[0]!;
    if (typeof v === 'string') return [...v].length;
    return elements(n, v).length;
  }],
  ['sum', (a, n) => arrayOrSet(n, a[0]!).reduce<Value>((s, x) => BUILTIN_IMPLS.get('plus')!([s, x], n)!, 0)],
  ['product', (a, n) => arrayOrSet(n, a[0]!).reduce<Value>((s, x) => BUILTIN_IMPLS.get('mul')!([s, x], n)!, 1)],
  ['max', (a, n) => { const e = arrayOrSet(n, a[0]!); return e.length ? sortValues(e)[e.length - 1]! : undefined; }],
  ['min', (a, n) => { const e = arrayOrSet(n, a[0]!); return e.length ? sortValues(e)[0]! : undefined; }],
  ['sort', (a, n) => { const v = a[0]!; if (!Array.isArray(v) && !(v instanceof RSet)) typeErr(n, 1, 'any of array or set', v); return sortValues(elements(n, v)); }],
  ['abs', (a, n) => { const v = a[0]!; return typeof v === 'bigint' ? (v < 0n ? -v : v) : Math.abs(num(n, a, 0)); }],
  ['ceil', (a, n) => (typeof a[0] === 'bigint' ? a[0] : Math.ceil(num(n, a, 0)))],
  ['floor', (a, n) => (typeof a[0] === 'bigint' ? a[0] : Math.floor(num(n, a, 0)))],
  ['round', (a, n) => { if (typeof a[0] === 'bigint') return a[0]; const x = num(n, a, 0); return Math.sign(x) * Math.round(Math.abs(x)); }],
  ['numbers.range', (a, n) => {
    const x = int(n, a, 0); const y = int(n, a, 1);
    const out: Value[] = [];
    if (x <= y) for (let i = x; i <= y; i++) out.push(i); else for (let i = x; i >= y; i--) out.push(i);
    return out;
  }],
  ['to_number', (a, n) => {
    const v = a[0]!;
    if (v === null) return 0;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number' || typeof v === 'bigint') return v;
    if (typeof v === 'string') {
      const x = Number(v);
      if (v.trim() === '' || Number.isNaN(x)) throw new EvalError('eval_builtin_error', `${n}: strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
      return x;
    }
    return typeErr(n, 1, 'one of {boolean, null, number, string}', v);
  }],
  ['is_number', (a) => typeof a[0] === 'number' || typeof a[0] === 'bigint'],
  ['is_string', (a) => typeof a[0] === 'string'],
  ['is_boolean', (a) => typeof a[0] === 'boolean'],
  ['is_array', (a) => Array.isArray(a[0])],
  ['is_set', (a) => a[0] instanceof RSet],
  ['is_object', (a) => a[0] instanceof RObject],
  ['is_null', (a) => a[0] === null],
  ['type_name', (a) => typeName(a[0]!)],
  ['concat', (a, n) => { const sep = str(n, a, 0); return arrayOrSet(n, a[1]!, 2).map((x) => (typeof x === 'string' ? x : typeErr(n, 2, 'string', x))).join(sep); }],
  ['split', (a, n) => str(n, a, 0).split(str(n, a, 1))],
  ['contains', (a, n) => str(n, a, 0).includes(str(n, a, 1))],
  ['startswith', (a, n) => str(n, a, 0).startsWith(str(n, a, 1))],
  ['endswith', (a, n) => str(n, a, 0).endsWith(str(n, a, 1))],
  ['lower', (a, n) => str(n, a, 0).toLowerCase()],
  ['upper', (a, n) => str(n, a, 0).toUpperCase()],
  ['indexof', (a, n) => codePointIndexes(str(n, a, 0), str(n, a, 1))[0] ?? -1],
  ['indexof_n', (a, n) => codePointIndexes(str(n, a, 0), str(n, a, 1))],
  ['strings.any_prefix_match', (a, n) => { const xs = strings(n, a, 0); const ps = strings(n, a, 1); return xs.some((x) => ps.some((p) => x.startsWith(p))); }],
  ['strings.any_suffix_match', (a, n) => { const xs = strings(n, a, 0); const ps = strings(n, a, 1); return xs.some((x) => ps.some((p) => x.endsWith(p))); }],
  ['regex.match', (a, n) => new RegExp(str(n, a, 0), 'u').test(str(n, a, 1))],
  ['base64.encode', (a, n) => Buffer.from(str(n, a, 0), 'utf8').toString('base64')],
  ['base64.decode', (a, n) => Buffer.from(str(n, a, 0), 'base64').toString('utf8')],
  ['base64.is_valid', (a, n) => /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(str(n, a, 0))],
  ['base64url.encode', (a, n) => Buffer.from(str(n, a, 0), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_')],
  ['base64url.encode_no_pad', (a, n) => Buffer.from(str(n, a, 0), 'utf8').toString('base64url')],
  ['base64url.decode', (a, n) => Buffer.from(str(n, a, 0), 'base64url').toString('utf8')],
  ['bits.and', (a, n) => Number(BigInt(int(n, a, 0)) & BigInt(int(n, a, 1)))],
  ['bits.or', (a, n) => Number(BigInt(int(n, a, 0)) | BigInt(int(n, a, 1)))],
  ['bits.xor', (a, n) => Number(BigInt(int(n, a, 0)) ^ BigInt(int(n, a, 1)))],
  ['bits.negate', (a, n) => Number(~BigInt(int(n, a, 0)))],
  ['bits.lsh', (a, n) => normaliseNumber(BigInt(int(n, a, 0)) << BigInt(int(n, a, 1)))],
  ['bits.rsh', (a, n) => Number(BigInt(int(n, a, 0)) >> BigInt(int(n, a, 1)))],
  ['replace', (a, n) => str(n, a, 0).split(str(n, a, 1)).join(str(n, a, 2))],
  ['substring', (a, n) => {
    const s = [...str(n, a, 0)]; const start = num(n, a, 1); const len = num(n, a, 2);
    return (len < 0 ? s.slice(start) : s.slice(start, start + len)).join('');
  }],
  ['trim', (a, n) => { const cut = str(n, a, 1); let s = str(n, a, 0); while (s && cut.includes(s[0]!)) s = s.slice(1); while (s && cut.includes(s[s.length - 1]!)) s = s.slice(0, -1); return s; }],
  ['trim_space', (a, n) => str(n, a, 0).trim()],
  ['trim_prefix', (a, n) => { const s = str(n, a, 0); const p = str(n, a, 1); return s.startsWith(p) ? s.slice(p.length) : s; }],
  ['trim_suffix', (a, n) => { const s = str(n, a, 0); const p = str(n, a, 1); return p && s.endsWith(p) ? s.slice(0, -p.length) : s; }],
  ['sprintf', (a, n) => sprintf(str(n, a, 0), arr(n, a, 1))],
  ['format_int', (a, n) => {
    const base = num(n, a, 1);
    if (![2, 8, 10, 16].includes(base)) throw new EvalError('eval_type_error', `${n}: operand 2 must be one of {2, 8, 10, 16}`);
    return Math.trunc(num(n, a, 0)).toString(base);
  }],
  ['array.concat', (a, n) => [...arr(n, a, 0), ...arr(n, a, 1)]],
  ['array.slice', (a, n) => { const x = arr(n, a, 0); const i = Math.max(0, num(n, a, 1)); const j = Math.min(x.length, num(n, a, 2)); return i >= j ? [] : x.slice(i, j); }],
  ['array.reverse', (a, n) => arr(n, a, 0).slice().reverse()],
  ['union', (a, n) => mkSet(set(n, a, 0).values().flatMap((s) => (s instanceof RSet ? s.values() : typeErr(n, 1, 'set of sets', s))))],
  ['intersection', (a, n) => {
    const sets = set(n, a, 0).values().map((s) => (s instanceof RSet ? s : typeErr(n, 1, 'set of sets', s)));
    if (!sets.length) return new RSet();
    return mkSet(sets[0]!.values().filter((v) => sets.every((s) => s.has(v))));
  }],
  ['object.get', (a, n) => {
    const o = obj(n, a, 0);
    const path = Array.isArray(a[1]) ? a[1] : [a[1]!];
    let cur: Value | undefined = o;
    for (const k of path) {
      if (cur instanceof RObject) cur = cur.get(k);
      else if (Array.isArray(cur) && typeof k === 'number') cur = cur[k];
      else if (cur instanceof RSet) cur = cur.has(k) ? k : undefined;
      else cur = undefined;
      if (cur === undefined) return a[2]!;
    }
    return cur;
  }],
  ['object.keys', (a, n) => mkSet([...obj(n, a, 0).entries.values()].map((e) => e[0]))],
  ['object.remove', (a, n) => {
    const o = obj(n, a, 0);
    const drop = elements(n, a[1]!, 2);
    const out = new RObject();
    for (const [k, v] of o.entries.values()) if (!drop.some((d) => equal(d, k))) out.set(k, v);
    return out;
  }],
  ['object.union', (a, n) => unionObjects(obj(n, a, 0), obj(n, a, 1))],
  ['object.union_n', (a, n) => arr(n, a, 0).reduce<RObject>((acc, o, i) => unionObjects(acc, o instanceof RObject ? o : typeErr(n, i + 1, 'object', o)), new RObject())],
  ['time.now_ns', () => Date.now() * 1e6],
  ['opa.runtime', () => new RObject()],
  // A relation: all [path, value] pairs of the document, the document itself first.
  ['walk', (a) => {
    const out: Value[] = [];
    const visit = (path: Value[], v: Value): void => {
      out.push([path, v]);
      if (Array.isArray(v)) v.forEach((x, i) => visit([...path, i], x));
      else if (v instanceof RObject) for (const [k, x] of sortedEntries(v)) visit([...path, k], x);
      else if (v instanceof RSet) for (const x of sortValues(v.values())) visit([...path, x], x);
    };
    visit([], a[0]!);
    return out;
  }],
  ['json.marshal', (a) => JSON.stringify(toJson(a[0]!))],
]);

/** Indexes, in code points as OPA counts them, of every occurrence of sub in s. */
function codePointIndexes(s: string, sub: string): number[] {
  const cps = [...s];
  const subCps = [...sub];
  const out: number[] = [];
  for (let i = 0; i + subCps.length <= cps.length; i++) {
    if (subCps.every((c, j) => cps[i + j] === c)) out.push(i);
  }
  return out;
}

function unionObjects(a: RObject, b: RObject): RObject {
  const out = new RObject();
  for (const [k, v] of a.entries.values()) out.set(k, v);
  for (const [k, v] of b.entries.values()) {
    const old = out.get(k);
    out.set(k, old instanceof RObject && v instanceof RObject ? unionObjects(old, v) : v);
  }
  return out;
}
