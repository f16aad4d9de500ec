// The built-in functions Rego knows, with their arity (number of input arguments; a call may
// pass one more argument, which is then the output: `count(xs, n)` means `n = count(xs)`).
// Names and arities follow OPA's built-in function reference. Whether the Wasm target
// *implements* a built-in is a separate question answered by the code generator
// (policies/compiler/wasm): using a known but unimplemented built-in is a compile error naming it.

export interface BuiltinDecl {
  name: string;
  arity: number;
  /** Operators (eq, plus, ...) have infix syntax and are never called by name in policies. */
  infix?: string;
  /** Relations may produce several results (walk): the planner iterates their output. */
  relation?: boolean;
}

const decls: Array<[string, number, string?]> = [
  // operators
  ['eq', 2, '='], ['assign', 2, ':='], ['equal', 2, '=='], ['neq', 2, '!='],
  ['lt', 2, '<'], ['lte', 2, '<='], ['gt', 2, '>'], ['gte', 2, '>='],
  ['plus', 2, '+'], ['minus', 2, '-'], ['mul', 2, '*'], ['div', 2, '/'], ['rem', 2, '%'],
  ['and', 2, '&'], ['or', 2, '|'],
  ['internal.member_2', 2, 'in'], ['internal.member_3', 3, 'in'],
  ['print', 1],
  // numbers
  ['abs', 1], ['ceil', 1], ['floor', 1], ['round', 1], ['numbers.range', 2], ['numbers.range_step', 3],
  ['rand.intn', 2],
  // aggregates
  ['count', 1], ['sum', 1], ['product', 1], ['max', 1], ['min', 1], ['sort', 1],
  // arrays
  ['array.concat', 2], ['array.slice', 3], ['array.reverse', 1],
  // sets
  ['intersection', 1], ['union', 1],
  // objects
  ['object.get', 3], ['object.keys', 1], ['object.remove', 2], ['object.union', 2], ['object.union_n', 1],
  ['object.filter', 2], ['object.subset', 2], ['json.filter', 2], ['json.remove', 2], ['json.patch', 2],
  // strings
  ['concat', 2], ['contains', 2], ['endswith', 2], ['startswith', 2], ['format_int', 2], ['indexof', 2],
  ['indexof_n', 2], ['lower', 1], ['upper', 1], ['replace', 3], ['split', 2], ['sprintf', 2],
  ['substring', 3], ['trim', 2], ['trim_left', 2], ['trim_right', 2], ['trim_prefix', 2],
  ['trim_suffix', 2], ['trim_space', 1], ['strings.replace_n', 2], ['strings.reverse', 1],
  ['strings.any_prefix_match', 2], ['strings.any_suffix_match', 2], ['strings.count', 2],
  ['strings.render_template', 2],
  // regex / glob
  ['regex.match', 2], ['re_match', 2], ['regex.is_valid', 1], ['regex.split', 2],
  ['regex.find_n', 3], ['regex.find_all_string_submatch_n', 3], ['regex.replace', 3],
  ['regex.template_match', 4], ['regex.globs_match', 2], ['glob.match', 3], ['glob.quote_meta', 1],
  // types
  ['is_number', 1], ['is_string', 1], ['is_boolean', 1], ['is_array', 1], ['is_set', 1],
  ['is_object', 1], ['is_null', 1], ['type_name', 1],
  // conversions
  ['to_number', 1],
  // bits
  ['bits.and', 2], ['bits.or', 2], ['bits.xor', 2], ['bits.negate', 1], ['bits.lsh', 2], ['bits.rsh', 2],
  // set difference (infix `-` on sets is minus)
  ['set_diff', 2],
  // encoding
  ['base64.encode', 1], ['base64.decode', 1], ['base64.is_valid', 1],
  ['base64url.encode', 1], ['base64url.encode_no_pad', 1], ['base64url.decode', 1],
  ['hex.encode', 1], ['hex.decode', 1], ['urlquery.encode', 1], ['urlquery.decode', 1],
  ['urlquery.encode_object', 1], ['urlquery.decode_object', 1],
  ['json.marshal', 1], ['json.marshal_with_options', 2], ['json.unmarshal', 1], ['json.is_valid', 1],
  ['yaml.marshal', 1], ['yaml.unmarshal', 1], ['yaml.is_valid', 1],
  // time
  ['time.now_ns', 0], ['time.parse_ns', 2], ['time.parse_rfc3339_ns', 1], ['time.parse_duration_ns', 1],
  ['time.format', 1], ['time.date', 1], ['time.clock', 1], ['time.weekday', 1], ['time.add_date', 4],
  ['time.diff', 2],
  // net
  ['net.cidr_contains', 2], ['net.cidr_intersects', 2], ['net.cidr_is_valid', 1],
  ['net.cidr_contains_matches', 2], ['net.cidr_expand', 1], ['net.cidr_merge', 1],
  // units / semver / uuid / crypto
  ['units.parse', 1], ['units.parse_bytes', 1], ['semver.compare', 2], ['semver.is_valid', 1],
  ['uuid.rfc4122', 1], ['uuid.parse', 1],
  ['crypto.sha256', 1], ['crypto.sha1', 1], ['crypto.md5', 1],
  ['crypto.hmac.sha256', 2], ['crypto.hmac.equal', 2],
  // graph / walk
  ['graph.reachable', 2], ['graph.reachable_paths', 2], ['walk', 1],
  // misc
  ['opa.runtime', 0], ['trace', 1],
  // I/O and testing built-ins: known (so `with` can mock them) but not in the Wasm target
  ['http.send', 1], ['net.lookup_ip_addr', 1], ['test.sleep', 1],
  ['io.jwt.decode', 1], ['io.jwt.decode_verify', 2], ['io.jwt.verify_hs256', 2], ['io.jwt.verify_rs256', 2],
];

export const BUILTINS: ReadonlyMap<string, BuiltinDecl> = new Map(
  decls.map(([name, arity, infix]) => [
    name,
    { name, arity, ...(infix ? { infix } : {}), ...(name === 'walk' ? { relation: true } : {}) },
  ]),
);

/** Built-in namespaces: a ref whose first part is one of these may name a built-in (`time.now_ns`). */
export const BUILTIN_ROOTS: ReadonlySet<string> = new Set(
  [...BUILTINS.keys()].filter((n) => n.includes('.')).map((n) => n.split('.')[0]!),
);
