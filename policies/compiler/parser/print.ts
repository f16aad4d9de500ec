// Compact, unambiguous text form of parsed terms and expressions, for tests and debug output.
// Operators print as the calls they are (`plus(1, mul(2, 3))`), so precedence is visible.
import type { Body, Expr, Rule, Term } from '../ast.js';

export function termToString(t: Term): string {
  switch (t.type) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(t.value);
    case 'number':
      return t.value;
    case 'string':
      return JSON.stringify(t.value);
    case 'var':
      return t.name;
    case 'ref':
      return refToString(t.terms);
    case 'array':
      return `[${t.items.map(termToString).join(', ')}]`;
    case 'set':
      return t.items.length === 0 ? 'set()' : `{${t.items.map(termToString).join(', ')}}`;
    case 'object':
      return `{${t.items.map(([k, v]) => `${termToString(k)}: ${termToString(v)}`).join(', ')}}`;
    case 'arraycomp':
      return `[${termToString(t.term)} | ${bodyToString(t.body)}]`;
    case 'setcomp':
      return `{${termToString(t.term)} | ${bodyToString(t.body)}}`;
    case 'objectcomp':
      return `{${termToString(t.key)}: ${termToString(t.value)} | ${bodyToString(t.body)}}`;
    case 'call':
      return `${refToString(t.op.terms)}(${t.args.map(termToString).join(', ')})`;
  }
}

function refToString(terms: Term[]): string {
  const [head, ...rest] = terms;
  let out = head ? termToString(head) : '';
  for (const t of rest) {
    out += t.type === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.value) ? `.${t.value}` : `[${termToString(t)}]`;
  }
  return out;
}

export function exprToString(e: Expr): string {
  let core: string;
  switch (e.kind) {
    case 'term':
      core = termToString(e.term);
      break;
    case 'some':
      core = `some ${e.vars.map(termToString).join(', ')}`;
      break;
    case 'somein':
      core = `some ${e.key ? `${termToString(e.key)}, ` : ''}${termToString(e.value)} in ${termToString(e.collection)}`;
      break;
    case 'every':
      core = `every ${e.key ? `${termToString(e.key)}, ` : ''}${termToString(e.value)} in ${termToString(e.domain)} { ${bodyToString(e.body)} }`;
      break;
  }
  const withs = e.with.map((w) => ` with ${termToString(w.target)} as ${termToString(w.value)}`).join('');
  return `${e.negated ? 'not ' : ''}${core}${withs}`;
}

export function bodyToString(b: Body): string {
  return b.map(exprToString).join('; ');
}

/** A rule on one line: `<kind> <head>[(args)] [contains key] [= value] [if { body }] [else ...]`. */
export function ruleToString(r: Rule): string {
  const h = r.head;
  let s = `${r.default ? 'default ' : ''}${h.kind} ${refToString(h.ref)}`;
  if (h.args) s += `(${h.args.map(termToString).join(', ')})`;
  if (h.key) s += ` contains ${termToString(h.key)}`;
  for (let clause: Rule | null = r; clause; clause = clause.else) {
    if (clause !== r) s += ' else';
    if (clause.head.value) s += ` ${clause.head.assign ? ':=' : '='} ${termToString(clause.head.value)}`;
    if (clause.body.length > 0) s += ` if { ${bodyToString(clause.body)} }`;
  }
  return s;
}
