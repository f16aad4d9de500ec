// Constant values of a policy (string and number literals, null/true/false, `with` paths).
// Each constant is built once, when the module is instantiated (before the SDK records its base
// heap pointer, so heap resets never discard them), and lives in a wasm global.
import binaryen from 'binaryen';

type ConstantSpec =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number'; value: number }
  /** A literal f64 cannot hold exactly (big integers, out-of-range): kept as text. */
  | { kind: 'numberText'; text: string }
  | { kind: 'string'; bytes: Uint8Array }
  | { kind: 'strings'; values: string[] };

/** The runtime functions the constant initialiser calls, by internal name. */
export interface ConstantRuntime {
  makeNull: string;
  makeBool: string;
  makeNumber: string;
  makeNumberText: string;
  allocString: string;
  makeArray: string;
  arrayAppend: string;
}

export class ConstantPool {
  private readonly byKey = new Map<string, string>();
  private readonly specs: Array<{ global: string; spec: ConstantSpec }> = [];

  constructor(private readonly module: binaryen.Module, private readonly prefix = 'const$') {}

  private intern(key: string, spec: ConstantSpec): binaryen.ExpressionRef {
    let global = this.byKey.get(key);
    if (global === undefined) {
      global = `${this.prefix}${this.specs.length}`;
      this.byKey.set(key, global);
      this.specs.push({ global, spec });
      this.module.addGlobal(global, binaryen.i32, true, this.module.i32.const(0));
    }
    return this.module.global.get(global, binaryen.i32);
  }

  null(): binaryen.ExpressionRef {
    return this.intern('null', { kind: 'null' });
  }

  bool(value: boolean): binaryen.ExpressionRef {
    return this.intern(`b:${value}`, { kind: 'bool', value });
  }

  /** A number literal as written in Rego/JSON ("3", "-0.5", "1e3"). */
  number(text: string): binaryen.ExpressionRef {
    const literal = text.trim();
    if (!JSON_NUMBER.test(literal)) throw new Error(`invalid number constant "${text}"`);
    const value = Number(literal);
    // The f64 alone stands for the literal only when it denotes the same decimal; otherwise the
    // text is kept so comparison and integer arithmetic stay exact (OPA numbers are arbitrary precision).
    const exact = Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER * 2 ** 10 && sameDecimal(literal, String(value));
    if (exact) return this.intern(`n:${value}`, { kind: 'number', value });
    this.string(literal); // the text's global must be initialised first
    return this.intern(`t:${literal}`, { kind: 'numberText', text: literal });
  }

  string(value: string): binaryen.ExpressionRef {
    return this.intern(`s:${value}`, { kind: 'string', bytes: new TextEncoder().encode(value) });
  }

  /** An array of strings (a `with` target path). */
  strings(values: string[]): binaryen.ExpressionRef {
    // Intern the members first so their globals are initialised before the array's.
    for (const v of values) this.string(v);
    return this.intern(`a:${JSON.stringify(values)}`, { kind: 'strings', values });
  }

  /** Statements that build every constant into its global; `tmp` is a free i32 local. */
  initializer(rt: ConstantRuntime, tmp: number): binaryen.ExpressionRef[] {
    const m = this.module;
    const out: binaryen.ExpressionRef[] = [];
    for (const { global, spec } of this.specs) {
      switch (spec.kind) {
        case 'null':
          out.push(m.global.set(global, m.call(rt.makeNull, [], binaryen.i32)));
          break;
        case 'bool':
          out.push(m.global.set(global, m.call(rt.makeBool, [m.i32.const(spec.value ? 1 : 0)], binaryen.i32)));
          break;
        case 'number':
          out.push(m.global.set(global, m.call(rt.makeNumber, [m.f64.const(spec.value)], binaryen.i32)));
          break;
        case 'numberText':
          out.push(m.global.set(global, m.call(rt.makeNumberText, [this.string(spec.text)], binaryen.i32)));
          break;
        case 'string':
          out.push(m.local.set(tmp, m.call(rt.allocString, [m.i32.const(spec.bytes.length)], binaryen.i32)));
          out.push(...storeBytes(m, tmp, 8, spec.bytes));
          out.push(m.global.set(global, m.local.get(tmp, binaryen.i32)));
          break;
        case 'strings': {
          out.push(m.local.set(tmp, m.call(rt.makeArray, [m.i32.const(spec.values.length)], binaryen.i32)));
          for (const s of spec.values) {
            out.push(m.call(rt.arrayAppend, [m.local.get(tmp, binaryen.i32), this.string(s)], binaryen.none));
          }
          out.push(m.global.set(global, m.local.get(tmp, binaryen.i32)));
          break;
        }
      }
    }
    return out;
  }

  /** Number of constants (strings added while building `strings` constants included). */
  get size(): number {
    return this.specs.length;
  }
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** i32/i8 stores writing bytes at (local ptr) + offset. */
function storeBytes(m: binaryen.Module, ptrLocal: number, offset: number, bytes: Uint8Array): binaryen.ExpressionRef[] {
  const out: binaryen.ExpressionRef[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 0;
  for (; i + 4 <= bytes.length; i += 4) {
    out.push(m.i32.store(offset + i, 1, m.local.get(ptrLocal, binaryen.i32), m.i32.const(view.getInt32(i, true))));
  }
  for (; i < bytes.length; i++) {
    out.push(m.i32.store8(offset + i, 1, m.local.get(ptrLocal, binaryen.i32), m.i32.const(bytes[i]!)));
  }
  return out;
}

/** Canonical [sign, significant digits, exponent] of a decimal literal. */
function decimalParts(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  let digits = (int + frac).replace(/^0+/, '');
  let exp = Number(m[4] ?? '0') - frac.length;
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  digits = trimmed;
  if (digits === '') return '0';
  return `${m[1]}${digits}e${exp}`;
}

/** Do two number literals denote the same decimal value? */
function sameDecimal(a: string, b: string): boolean {
  return decimalParts(a) === decimalParts(b);
}
