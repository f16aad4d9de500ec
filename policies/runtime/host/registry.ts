// Where the built-in families of policies/runtime/{assembly/builtins,host} live, for the code
// generator's registry (policies/compiler/wasm/builtin-registry.ts spreads these lists).
// In-module: exported as b_<name with "." → "_"> from assembly/builtins/{strings_ext,encoding,sprintf}.ts.
// Host: implemented by hostBuiltins() (./index.ts); HOST_BUILTIN_NAMES is derived from it.

export const FAMILY_RUNTIME_BUILTINS: readonly string[] = [
  // assembly/builtins/strings_ext.ts
  'strings.any_prefix_match', 'strings.any_suffix_match', 'strings.reverse', 'strings.count',
  'indexof_n', 'strings.replace_n',
  // assembly/builtins/encoding.ts
  'json.marshal', 'json.unmarshal', 'base64.encode', 'base64.decode', 'base64.is_valid',
  'base64url.encode', 'base64url.encode_no_pad', 'base64url.decode', 'hex.encode', 'hex.decode',
  // assembly/builtins/sprintf.ts — Go fmt semantics as in OPA. Also listed as an SDK host built-in
  // by the code generator; the registry lets in-module entries win, so this one is used.
  'sprintf',
];

export { HOST_BUILTIN_NAMES as FAMILY_HOST_BUILTINS } from './index.js';
