/** The built-in adapter kinds, loaded lazily by name from configuration (`builtin: <kind>`). */
import type { AdapterFactory } from './contract.js';
import type { BuiltinFactories } from './runtime/loader.js';

const asFactory = (f: unknown) => f as AdapterFactory<unknown>;

export const builtinAdapters: BuiltinFactories = {
  simulator: async () => asFactory((await import('./simulator/index.js')).simulatorAdapter),
  ovsdb: async () => asFactory((await import('./ovsdb/index.js')).ovsdbAdapter),
  restconf: async () => asFactory((await import('./restconf/index.js')).restconfAdapter),
  sol005: async () => asFactory((await import('./sol005/index.js')).sol005Adapter),
};
