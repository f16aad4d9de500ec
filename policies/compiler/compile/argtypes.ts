// Argument types of built-ins that OPA's type checker rejects at compile time when an argument's
// type is already known from its syntax (a literal or a comprehension): `count(1)`, `upper([])`.
// Only unambiguous declarations are listed; anything else (refs, variables, calls, unlisted
// built-ins) is left to the run-time checks, so this never rejects a policy OPA would accept.
import type { Term } from '../ast.js';

type TypeName = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'set';
type ArgType = readonly TypeName[] | 'any';

const S: ArgType = ['string'];
const N: ArgType = ['number'];
const A: ArgType = ['array'];
const O: ArgType = ['object'];
const SET: ArgType = ['set'];
const COLL: ArgType = ['array', 'set'];

const ARG_TYPES: ReadonlyMap<string, readonly ArgType[]> = new Map<string, readonly ArgType[]>([
  ['count', [['array', 'object', 'set', 'string']]],
  ['sum', [COLL]], ['product', [COLL]], ['max', [COLL]], ['min', [COLL]], ['sort', [COLL]],
  ['plus', [N, N]], ['mul', [N, N]], ['div', [N, N]], ['rem', [N, N]],
  ['minus', [['number', 'set'], ['number', 'set']]],
  ['and', [SET, SET]], ['or', [SET, SET]],
  ['abs', [N]], ['ceil', [N]], ['floor', [N]], ['round', [N]],
  ['numbers.range', [N, N]], ['format_int', [N, N]],
  ['upper', [S]], ['lower', [S]], ['trim_space', [S]], ['strings.reverse', [S]],
  ['concat', [S, COLL]], ['startswith', [S, S]], ['endswith', [S, S]], ['contains', [S, S]],
  ['split', [S, S]], ['indexof', [S, S]], ['replace', [S, S, S]], ['substring', [S, N, N]],
  ['trim', [S, S]], ['trim_left', [S, S]], ['trim_right', [S, S]], ['trim_prefix', [S, S]], ['trim_suffix', [S, S]],
  ['sprintf', [S, A]],
  ['array.concat', [A, A]], ['array.slice', [A, N, N]], ['array.reverse', [A]],
  ['object.keys', [O]], ['object.get', [O, 'any', 'any']], ['object.union', [O, O]],
  ['to_number', [['null', 'boolean', 'number', 'string']]],
  ['base64.encode', [S]], ['base64.decode', [S]], ['base64url.encode', [S]], ['base64url.decode', [S]],
  ['hex.encode', [S]], ['hex.decode', [S]],
]);

/** The type a term has by its syntax alone, or null when only evaluation can tell. */
function syntacticType(t: Term): TypeName | null {
  switch (t.type) {
    case 'null': case 'boolean': case 'number': case 'string': return t.type;
    case 'array': case 'arraycomp': return 'array';
    case 'object': case 'objectcomp': return 'object';
    case 'set': case 'setcomp': return 'set';
    default: return null;
  }
}

/** True when some argument of the built-in call has a syntactic type its declaration excludes. */
export function hasArgumentTypeError(name: string, args: readonly Term[]): boolean {
  const decl = ARG_TYPES.get(name);
  if (!decl) return false;
  return decl.some((want, i) => {
    const arg = args[i];
    if (!arg || want === 'any') return false;
    const have = syntacticType(arg);
    return have !== null && !want.includes(have);
  });
}
