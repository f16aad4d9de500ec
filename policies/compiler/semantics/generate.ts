// Random Rego policies for differential testing: the same policy and input must give the same
// answer (or the same error code) through ir-eval and through the Wasm module. The generator is
// seeded, so a failing seed reproduces; it only writes policies that compile (safe variables,
// no recursion) but freely mixes types so built-in type errors and conflicts are exercised too.

/** Mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedPolicy {
  source: string;
  input: unknown;
}

class Gen {
  constructor(private readonly rnd: () => number) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }

  chance(p: number): boolean {
    return this.rnd() < p;
  }

  scalar(): string {
    return this.hide(this.pick([
      () => String(this.int(-3, 9)),
      () => this.pick(['0.5', '2.5', '-1.25', '1e2', '3.0', '0.1', '-0', '36893488147419103232', '-9007199254740993']),
      () => JSON.stringify(this.pick(['a', 'b', 'ab', '', 'A b'])),
      () => this.pick(['true', 'false', 'null']),
      () => this.pick(['input.n', 'input.s', 'input.xs[0]', 'input.o.k']),
    ])());
  }

  collection(depth: number): string {
    const n = this.int(0, 3);
    const items = Array.from({ length: n }, () => this.value(depth + 1));
    return this.hide(this.pick([
      () => `[${items.join(', ')}]`,
      () => (n === 0 ? 'set()' : `{${items.join(', ')}}`),
      () => `{${items.map((v, i) => `${JSON.stringify(String.fromCharCode(97 + i))}: ${v}`).join(', ')}}`,
      () => this.pick(['input.xs', 'input.o', 'data.t.s', 'data.t.o']),
    ])());
  }

  value(depth: number): string {
    return depth > 2 || this.chance(0.6) ? this.scalar() : this.collection(depth);
  }

  /** Through the identity function a literal's type is unknown at compile time, so ill-typed
   * built-in calls reach the run-time checks instead of the compile-time type check. */
  private hide(literal: string): string {
    return this.chance(0.85) ? `data.t.id(${literal})` : literal;
  }

  /** A term-valued expression: literals, operators, built-in calls, comprehensions, rule refs. */
  expr(depth: number): string {
    if (depth > 2) return this.value(depth);
    const sub = () => this.hide(this.expr(depth + 1));
    return this.pick([
      () => this.value(depth),
      () => `${sub()} ${this.pick(['+', '-', '*', '/', '%'])} ${sub()}`,
      () => `${sub()} ${this.pick(['==', '!=', '<', '<=', '>', '>='])} ${sub()}`,
      () => `${this.collection(depth)} ${this.pick(['|', '&', '-'])} ${this.collection(depth)}`,
      () => `${this.pick(['count', 'sum', 'max', 'min', 'sort', 'is_number', 'type_name', 'abs', 'upper', 'object.keys'])}(${sub()})`,
      () => `${this.pick(['concat', 'startswith', 'array.concat', 'split', 'object.union', 'indexof', 'trim', 'object.remove', 'format_int', 'contains', 'union'])}(${sub()}, ${sub()})`,
      () => `${this.pick(['substring', 'replace', 'array.slice'])}(${sub()}, ${sub()}, ${sub()})`,
      () => `${this.pick(['lower', 'trim_space', 'to_number', 'floor', 'round', 'array.reverse', 'intersection', 'json.marshal', 'product', 'ceil'])}(${sub()})`,
      () => `data.t.m(${sub()})`,
      () => `${this.collection(depth)}[${sub()}]`,
      () => `{${sub()}: ${sub()}, ${this.scalar()}: ${this.scalar()}}`,
      () => `${this.scalar()}, ${sub()} in ${this.collection(depth)}`.replace(/^(.*)$/, '($1)'),
      () => `{k | some k, _ in ${this.collection(depth)}}`,
      () => `[[k, v] | some k, v in ${this.collection(depth)}; ${this.cond('v', depth + 1)}]`,
      () => `data.t.dflt(${sub()})`,
      () => `data.t.a.b[${this.pick(['"k"', '"j"', 'input.s'])}]`,
      () => `data.t.c2 with data.t.c as ${this.scalar()}`.replace(/^/, '[v | v := ').concat(']'),
      () => `sprintf("%v-%d", [${sub()}, ${sub()}])`,
      () => `object.get(${this.collection(depth)}, ${sub()}, ${sub()})`,
      () => `[x | some x in ${this.collection(depth)}; ${this.cond('x', depth + 1)}]`,
      () => `{k: v | some k, v in ${this.collection(depth)}}`,
      () => `${sub()} in ${this.collection(depth)}`,
      () => this.pick(['data.t.c', 'data.t.f(1)', 'data.t.g(input.n)', 'count(data.t.s)']),
    ])();
  }

  cond(v: string, depth: number): string {
    return this.pick([
      () => `${v} ${this.pick(['==', '!=', '<', '>'])} ${this.expr(depth)}`,
      () => `is_number(${v})`,
      () => `not ${v} == ${this.scalar()}`,
      () => `${v}`,
    ])();
  }

  body(depth: number): string {
    const n = this.int(1, 3);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      parts.push(this.pick([
        () => this.expr(depth),
        () => `y${i} := ${this.expr(depth)}`,
        () => `some z${i} in ${this.collection(depth)}`,
        () => `not ${this.expr(depth)}`,
        () => `every e${i} in ${this.collection(depth)} { ${this.cond(`e${i}`, depth + 1)} }`,
        () => `w${i} := ${this.expr(depth)} with input.n as ${this.scalar()}`,
        () => `w${i} := data.t.f(${this.scalar()}) with data.t.f as data.t.g`,
        () => `${this.expr(depth)} = ${this.pick(['[a1, _]', '{"a": a2}', 'a3'])}`,
      ])());
    }
    // Explicit separators: a line starting with "-1" would otherwise continue the previous expression.
    return parts.join(';\n  ');
  }

  policy(): GeneratedPolicy {
    const rules = [
      // Helpers every generated expression may refer to (no generated rule refers back to itself).
      'c := 7',
      `s contains x if { some x in ${this.collection(1)} }`,
      `o[k] := v if { some k, v in ${this.pick(['{"a": 1, "b": [2]}', 'input.o', '{"x": input.n}'])} }`,
      `f(x) := x + 1`,
      `id(x) := x`,
      `g(x) := "neg" if { x < 0 } else := "pos" if { x > 0 } else := ${this.scalar()}`,
      `${this.chance(0.3) ? 'default p := "dflt"\n' : ''}p := ${this.expr(0)} if {\n  ${this.body(1)}\n}`,
      `q contains ${this.expr(1)} if {\n  ${this.body(1)}\n}`,
      `r[${this.pick(['"k"', 'z', 'y0'])}] := ${this.expr(1)} if {\n  some z in ${this.collection(1)}\n  y0 := z\n}`,
      `h(a, b) := ${this.expr(1)} if { a != b }`,
      `m(x) := 1 if { x == ${this.scalar()} }`,
      `m(x) := ${this.pick(['1', '2', 'x'])} if { ${this.cond('x', 2)} }`,
      `a.b[k] := v if { some k, v in ${this.pick(['{"k": 1}', 'input.o', '{"j": [input.n]}'])} }`,
      `c2 := data.t.c * 2`,
      `default dflt(_) := "none"\ndflt(x) := x if { ${this.cond('x', 2)} }`,
      `u := h(${this.scalar()}, ${this.scalar()})`,
    ];
    const input = {
      n: this.pick([0, 3, -2, 1.5]),
      s: this.pick(['a', 'xyz', '']),
      xs: this.pick([[1, 2, 3], ['a', 1, null], []]),
      o: this.pick([{ k: 1 }, { k: 'v', j: [1] }, {}]),
    };
    return { source: `package t\n\n${rules.join('\n\n')}\n`, input };
  }
}

export function generatePolicy(seed: number): GeneratedPolicy {
  return new Gen(seededRandom(seed)).policy();
}
