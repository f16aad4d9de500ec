// Rego values as host built-ins receive them: the SDK dumps each argument to JSON and parses it
// with JSON.parse, so sets arrive as arrays and numbers as JS doubles. Results go back through
// JSON.stringify — except an ArrayBuffer, which the SDK hands to the module as ready-made JSON
// text. `exactJson` uses that to return integers beyond 2^53 (nanosecond timestamps, byte
// counts) digit for digit.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** OPA's type name of a value as the host sees it. */
export function regoTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/** A result whose JSON text is passed through verbatim (exact big integers). */
export function exactJson(text: string): ArrayBuffer {
  const bytes = new TextEncoder().encode(text);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A bigint result as exact JSON number text. */
export function exactInt(n: bigint): ArrayBuffer {
  return exactJson(n.toString());
}

/** A value containing bigints, serialised with exact integer digits. */
export function exactValue(v: unknown): ArrayBuffer {
  return exactJson(stringifyExact(v));
}

function stringifyExact(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(stringifyExact).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}:${stringifyExact(x)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Key of a set result: JSON has no sets, the module's rt_host_result turns this into one. */
export const SET_MARKER = '__junction_set__';

/** A set result for the module. */
export function setResult(members: unknown[]): Record<string, unknown[]> {
  return { [SET_MARKER]: members };
}

/**
 * Key of an exact-number argument: {"__junction_number__": "1670006453141828752"}. The SDK
 * parses host arguments with JSON.parse (doubles), so a module that keeps exact integer text can
 * send big integers this way; host built-ins taking nanoseconds accept it (see time/builtins.ts).
 */
export const NUMBER_MARKER = '__junction_number__';

/** The exact integer an argument denotes, if it is an exact-number marker. */
export function exactNumberArg(v: unknown): bigint | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  const text = (v as Record<string, unknown>)[NUMBER_MARKER];
  if (keys.length !== 1 || typeof text !== 'string' || !/^-?\d+$/.test(text)) return undefined;
  return BigInt(text);
}
