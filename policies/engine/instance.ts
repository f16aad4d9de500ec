// One loaded policy module: the unmodified opa-wasm SDK plus Junction's host built-ins.
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { hostBuiltins } from '../runtime/host/index.js';

export interface PolicyModule {
  wasm: Uint8Array;
  data: unknown;
}

export type ResultSet = Array<Record<string, unknown>>;

export interface PolicyInstance {
  readonly entrypoints: Record<string, number>;
  evaluate(entrypoint: string, input: unknown): ResultSet;
}

const encoder = new TextEncoder();

export async function instantiatePolicy(mod: PolicyModule): Promise<PolicyInstance> {
  const loaded = await loadPolicy(mod.wasm, undefined, hostBuiltins());
  loaded.setData(encoder.encode(JSON.stringify(mod.data ?? {})).buffer as ArrayBuffer);
  const entrypoints = loaded.entrypoints as Record<string, number>;
  return {
    entrypoints,
    evaluate(entrypoint, input) {
      if (!Object.prototype.hasOwnProperty.call(entrypoints, entrypoint)) {
        throw new Error(`unknown entrypoint "${entrypoint}"; this bundle has: ${Object.keys(entrypoints).join(', ')}`);
      }
      // The SDK treats a falsy input as absent; JSON bytes keep false/0/"" as real inputs.
      const raw = input === undefined ? undefined : (encoder.encode(JSON.stringify(input)).buffer as ArrayBuffer);
      return loaded.evaluate(raw, entrypoint) as ResultSet;
    },
  };
}
