// Reference interpreter of the plan IR (see eval.ts).
export { IrInterpreter, EvalError, type EvalOptions, type BuiltinOverrides } from './eval.js';
export { RObject, RSet, equal, compare, fromJson, toJson, termValue, valueKey, typeName, type Value, type Json } from './values.js';
export { BUILTIN_IMPLS } from './builtins.js';
