// Host-side built-ins for Junction's policy modules: the object passed to the opa-wasm SDK's
// loadPolicy(wasm, memory, customBuiltins). These are the built-ins a Wasm module cannot or
// should not do itself: the clock and time zones (time.*), RE2 regexes and globs (translated to
// JS RegExp), exact decimal/big-integer results (units.*), and parsers that are much simpler
// in TypeScript (net.*, semver.*, urlquery.*, json.filter/remove).
//
// The code generator declares every name in HOST_BUILTIN_NAMES as an SDK built-in (called
// through opa_builtinN). The SDK's own host built-ins (sprintf, json.is_valid, regex.split,
// yaml.*) take precedence over these and are not redefined here.
//
// Errors: a failing built-in raises a BuiltinError (OPA code + "<name>: <message>"). How it
// reaches the module is set by `errors`:
//   'marker' (default) — the built-in returns an error marker (see errorMarker); the code
//              generator passes every host result through the runtime's rt_host_result
//              (assembly/builtins/host_result.ts), which makes the call undefined, or aborts with
//              OPA's message when the module was compiled with strict built-in errors;
//   'throw'  — the exception propagates out of evaluate() as "<code>: <name>: <msg>", whatever
//              the module's strict setting (for modules built without rt_host_result).
import { BuiltinError } from './errors.js';
import { jsonFilter, jsonRemove } from './json-paths.js';
import { GlobMatcher, globQuoteMeta } from './glob.js';
import { cidrContains, cidrExpand, cidrIntersects, cidrIsValid, cidrMerge } from './net.js';
import { RegexCache, regexBuiltins } from './regex.js';
import { semverCompare, semverIsValid } from './semver.js';
import { timeBuiltins } from './time/builtins.js';
import { ZoneResolver } from './time/zones.js';
import { unitsParse, unitsParseBytes } from './units.js';
import { urlqueryDecode, urlqueryDecodeObject, urlqueryEncode, urlqueryEncodeObject } from './urlquery.js';

export { BuiltinError } from './errors.js';

export type HostBuiltin = (...args: unknown[]) => unknown;

export interface HostBuiltinOptions {
  /** Unix nanoseconds "now" for time.now_ns; default: the host clock. */
  now?: () => bigint;
  /** How built-in errors reach the module (see above); default 'marker'. */
  errors?: 'throw' | 'marker';
}

/** Key of the error marker object returned in 'marker' mode. */
export const BUILTIN_ERROR_MARKER = '__junction_builtin_error__';

/**
 * {"__junction_builtin_error__": [code, builtin, message]} for built-in errors, or
 * {"__junction_builtin_error__": [code, builtin, operand, want, gotType]} for type errors, so the
 * module can rebuild OPA's text with its own typeError/builtinError.
 */
export function errorMarker(e: BuiltinError): Record<string, unknown[]> {
  const parts = e.operand
    ? [e.code, e.builtin, e.operand.pos, e.operand.want, e.operand.got]
    : [e.code, e.builtin, e.detail];
  return { [BUILTIN_ERROR_MARKER]: parts };
}

function hostClockNs(): bigint {
  // performance.timeOrigin + now() gives sub-millisecond resolution on the wall clock.
  const ms = performance.timeOrigin + performance.now();
  return BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.floor((ms % 1) * 1e6));
}

/**
 * OPA fixes time.now_ns for one evaluation. SDK evaluations are synchronous, so the first call
 * caches the value and a microtask (which runs only after the evaluation returns) clears it.
 */
function perEvaluation(now: () => bigint): () => bigint {
  let cached: bigint | undefined;
  return () => {
    if (cached === undefined) {
      cached = now();
      queueMicrotask(() => { cached = undefined; });
    }
    return cached;
  };
}

function implementations(opts: HostBuiltinOptions): Record<string, HostBuiltin> {
  const zones = new ZoneResolver();
  const globs = new GlobMatcher();
  return {
    ...timeBuiltins({ now: perEvaluation(opts.now ?? hostClockNs), zones }),
    ...regexBuiltins(new RegexCache()),
    'glob.match': (p, d, s) => globs.match(p, d, s),
    'glob.quote_meta': globQuoteMeta,
    'units.parse': unitsParse,
    'units.parse_bytes': unitsParseBytes,
    'semver.compare': semverCompare,
    'semver.is_valid': semverIsValid,
    'net.cidr_contains': cidrContains,
    'net.cidr_intersects': cidrIntersects,
    'net.cidr_is_valid': cidrIsValid,
    'net.cidr_expand': cidrExpand,
    'net.cidr_merge': cidrMerge,
    'urlquery.encode': urlqueryEncode,
    'urlquery.decode': urlqueryDecode,
    'urlquery.encode_object': urlqueryEncodeObject,
    'urlquery.decode_object': urlqueryDecodeObject,
    'json.filter': jsonFilter,
    'json.remove': jsonRemove,
  };
}

/** Names of the built-ins hostBuiltins() provides (the code generator declares these). */
export const HOST_BUILTIN_NAMES: readonly string[] = Object.freeze(Object.keys(implementations({})).sort());

/** The customBuiltins object for the SDK's loadPolicy. One per loaded policy (caches inside). */
export function hostBuiltins(opts: HostBuiltinOptions = {}): Record<string, HostBuiltin> {
  const mode = opts.errors ?? 'marker';
  const out: Record<string, HostBuiltin> = {};
  for (const [name, impl] of Object.entries(implementations(opts))) {
    out[name] = (...args: unknown[]) => {
      try {
        return impl(...args);
      } catch (e) {
        if (!(e instanceof BuiltinError)) throw e;
        if (mode === 'marker') return errorMarker(e);
        throw new Error(`${e.code}: ${e.message}`);
      }
    };
  }
  return out;
}
