// Small builders for hand-written plan IR in the code generator's tests.
import type { Block, Func, Operand, Plan, Stmt } from '../ir.js';

export const L = (local: number): Operand => ({ kind: 'local', local });
export const str = (value: string): Operand => ({ kind: 'string', value });
export const num = (value: number | string): Operand => ({ kind: 'number', value: String(value) });
export const bool = (value: boolean): Operand => ({ kind: 'bool', value });
export const NULL: Operand = { kind: 'null' };
export const block = (...stmts: Stmt[]): Block => ({ stmts });
export const INPUT = L(0);
export const DATA = L(1);

/** A rule function (input, data) → value, with `locals` locals; the result is local 2. */
export function rule(name: string, locals: number, ...blocks: Block[]): Func {
  return { name, params: [0, 1], result: 2, locals, blocks, path: ['data', ...name.split('.')] };
}

/** Calls func `name` into local 2 and reports {"result": local 2}; locals 3.. are free. */
export function entrypoint(name: string, func: string): Plan {
  return {
    name,
    locals: 4,
    blocks: [block(
      { type: 'call', func, args: [INPUT, DATA], result: 2 },
      { type: 'makeobject', target: 3 },
      { type: 'objectinsert', key: str('result'), value: L(2), object: 3 },
      { type: 'resultsetadd', value: 3 },
    )],
  };
}
