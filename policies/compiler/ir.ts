// The plan IR: what the planner (policies/compiler/planner) produces from compiled Rego and what
// the Wasm code generator (policies/compiler/wasm) turns into a module. Modeled on OPA's own IR
// (https://www.openpolicyagent.org/docs/latest/ir/): plans are entrypoints, funcs are rules and
// functions, blocks hold statements, and a statement that "fails" (an undefined value, an
// inequality) leaves its enclosing block — evaluation resumes after that block. That maps onto
// Wasm structured control flow: every Block is a wasm `block`, failure is `br 0`.
//
// Values live in locals. A local holds a reference to a Rego value or is *undefined*.
// Reading an undefined local as an operand of any statement other than IsDefined/IsUndefined/
// AssignVar/AssignVarOnce/ResetLocal is a planner bug.

/** Index of a local variable in the enclosing plan or function. */
export type Local = number;

/** Local 0 is always `input` and local 1 is always `data` in a plan and in every function. */
export const INPUT_LOCAL: Local = 0;
export const DATA_LOCAL: Local = 1;

export type Operand =
  | { kind: 'local'; local: Local }
  | { kind: 'bool'; value: boolean }
  /** A string constant (the codegen interns it). */
  | { kind: 'string'; value: string }
  /** A number constant, as its literal text ("3", "-0.5", "1e3"). */
  | { kind: 'number'; value: string }
  | { kind: 'null' };

export interface Block {
  stmts: Stmt[];
}

export type Stmt =
  /** Run each block in order. A failure inside block i ends block i; the next block runs. */
  | { type: 'block'; blocks: Block[] }
  /** Leave the `index`-th enclosing Block (0 = the block this statement is in). */
  | { type: 'break'; index: number }
  /**
   * For every element of source: key := index/key, value := element (for a set, key = value := the
   * member), then run block. A source that is not an array, object or set iterates zero times.
   * A failure inside block moves to the next element.
   */
  | { type: 'scan'; source: Local; key: Local; value: Local; block: Block }
  /** Run block; if it completes without failing, fail; if it fails, continue. */
  | { type: 'not'; block: Block }
  /** Fail unless the local is defined / undefined. */
  | { type: 'isdefined'; source: Local }
  | { type: 'isundefined'; source: Local }
  /** Fail unless the value is an array / object / set. */
  | { type: 'isarray'; source: Operand }
  | { type: 'isobject'; source: Operand }
  | { type: 'isset'; source: Operand }
  /** target := source. */
  | { type: 'assignvar'; source: Operand; target: Local }
  /**
   * target := source if target is undefined; if target is defined and differs from source, raise
   * eval_conflict_error (complete rules / functions producing two values); if equal, no effect.
   */
  | { type: 'assignvaronce'; source: Operand; target: Local }
  /** Make the local undefined. */
  | { type: 'resetlocal'; target: Local }
  /**
   * target := source[key] for arrays (key a number index), objects (key any value) and sets
   * (key present → the key itself). Fails when source is not a collection or the key is absent.
   */
  | { type: 'dot'; source: Operand; key: Operand; target: Local }
  /** target := number of elements (array, object, set) or of characters (string); fails otherwise. */
  | { type: 'len'; source: Operand; target: Local }
  /** Fail unless a == b (Rego value equality: 1 == 1.0). */
  | { type: 'equal'; a: Operand; b: Operand }
  | { type: 'notequal'; a: Operand; b: Operand }
  /**
   * result := func(args...). func is either the name of a Func in this policy (its first two args
   * are input and data), or a built-in function's name as in OPA ("count", "plus",
   * "time.now_ns", "internal.member_2"). An undefined result fails.
   */
  | { type: 'call'; func: string; args: Operand[]; result: Local }
  | { type: 'makenull'; target: Local }
  | { type: 'makenumber'; value: string; target: Local }
  | { type: 'makearray'; capacity: number; target: Local }
  | { type: 'makeobject'; target: Local }
  | { type: 'makeset'; target: Local }
  | { type: 'arrayappend'; value: Operand; array: Local }
  /** object[key] := value, overwriting. */
  | { type: 'objectinsert'; key: Operand; value: Operand; object: Local }
  /** object[key] := value; if key is present with a different value, raise eval_conflict_error. */
  | { type: 'objectinsertonce'; key: Operand; value: Operand; object: Local }
  /**
   * target := deep merge of a and b (b's values win where both are not objects) — used to combine
   * the base document with virtual documents at the same path.
   */
  | { type: 'objectmerge'; a: Local; b: Local; target: Local }
  | { type: 'setadd'; value: Operand; set: Local }
  /** A function's return: store into the func's result local (see Func.result). */
  | { type: 'returnlocal'; source: Local }
  /** Add value to the plan's result set (a plan's only output). */
  | { type: 'resultsetadd'; value: Local }
  /**
   * Run block with local `local` (input or data) replaced by a copy in which the value at `path`
   * is `value` (path empty: the whole document). The original is restored after the block,
   * whether it completed or failed.
   */
  | { type: 'with'; local: Local; path: string[]; value: Operand; block: Block }
  /** Raise a runtime error (eval_conflict_error etc.) with this code and message. */
  | { type: 'abort'; code: string; message: string }
  | { type: 'nop' };

export interface Plan {
  /** Entrypoint name as the SDK sees it, e.g. "telco/entitlement/allow" or "eval". */
  name: string;
  /** The plan's statements; results are reported with resultsetadd. */
  blocks: Block[];
  /** Number of locals the plan uses (locals are 0 .. locals-1). */
  locals: number;
}

export interface Func {
  /** Unique name, e.g. "g0.data.telco.entitlement.allow". */
  name: string;
  /** Parameter locals: params[0] is input, params[1] is data, then the Rego arguments. */
  params: Local[];
  /** The local a returnlocal writes; the call's value is this local after the blocks ran
   * (undefined if no returnlocal ran). */
  result: Local;
  blocks: Block[];
  locals: number;
  /** Rule path for diagnostics, e.g. ["data", "telco", "entitlement", "allow"]. */
  path: string[];
}

export interface Policy {
  plans: Plan[];
  funcs: Func[];
}
