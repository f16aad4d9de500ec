// Structural checks of a planned Policy, so planner bugs surface before code generation: locals in
// range, breaks inside their blocks, calls naming a func of the policy (with the right number of
// args) or a known built-in.
import { BUILTINS } from '../builtins.js';
import type { Block, Func, Operand, Policy, Stmt } from '../ir.js';

export function validatePolicy(policy: Policy): string[] {
  const problems: string[] = [];
  const funcs = new Map(policy.funcs.map((f) => [f.name, f]));
  if (funcs.size !== policy.funcs.length) problems.push('duplicate func names');
  const check = (owner: string, locals: number, blocks: Block[]) => {
    const local = (l: number, what: string) => {
      if (!Number.isInteger(l) || l < 0 || l >= locals) problems.push(`${owner}: ${what} uses local ${l} outside 0..${locals - 1}`);
    };
    const op = (o: Operand, what: string) => { if (o.kind === 'local') local(o.local, what); };
    const walk = (stmts: Stmt[], depth: number): void => {
      for (const s of stmts) {
        switch (s.type) {
          case 'block': s.blocks.forEach((b) => walk(b.stmts, depth + 1)); break;
          case 'break': if (s.index < 0 || s.index >= depth) problems.push(`${owner}: break ${s.index} at depth ${depth}`); break;
          case 'scan': local(s.source, 'scan'); local(s.key, 'scan'); local(s.value, 'scan'); walk(s.block.stmts, depth + 1); break;
          case 'not': walk(s.block.stmts, depth + 1); break;
          case 'with': local(s.local, 'with'); op(s.value, 'with'); walk(s.block.stmts, depth + 1); break;
          case 'call': {
            s.args.forEach((a) => op(a, 'call'));
            local(s.result, 'call');
            const f = funcs.get(s.func);
            if (f) { if (f.params.length !== s.args.length) problems.push(`${owner}: call ${s.func} with ${s.args.length} args, func has ${f.params.length}`); }
            else if (!BUILTINS.has(s.func)) problems.push(`${owner}: call to unknown ${s.func}`);
            break;
          }
          default:
            for (const [k, v] of Object.entries(s)) {
              if (k === 'type') continue;
              if (typeof v === 'number' && k !== 'capacity' && k !== 'index') local(v, s.type);
              else if (v && typeof v === 'object' && 'kind' in v) op(v as Operand, s.type);
            }
        }
      }
    };
    blocks.forEach((b) => walk(b.stmts, 1));
  };
  for (const p of policy.plans) check(`plan ${p.name}`, p.locals, p.blocks);
  for (const f of policy.funcs) {
    checkFuncHeader(f, problems);
    check(`func ${f.name}`, f.locals, f.blocks);
  }
  return problems;
}

function checkFuncHeader(f: Func, problems: string[]): void {
  if (f.params[0] !== 0 || f.params[1] !== 1) problems.push(`func ${f.name}: first params must be input (0) and data (1)`);
  if (f.result < 0 || f.result >= f.locals) problems.push(`func ${f.name}: result local out of range`);
}
