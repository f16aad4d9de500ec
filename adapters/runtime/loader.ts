/**
 * Loads adapter instances from configuration: resolves each entry to a factory (built-in kind or
 * module), validates its settings with the factory's own schema, creates the instance and wraps it
 * in the call guard. Any problem fails start-up with an `AdapterLoadError` naming the adapter and
 * the offending field.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import type { AdapterFactory, Clock, EventPublisher } from '../contract.js';
import { adapterConfigSchema, type AdapterConfig } from './config.js';
import { systemClock } from './clock.js';
import { GuardedAdapter } from './guarded-adapter.js';
import { memoryIdempotencyStore, type IdempotencyStore } from './idempotency.js';
import { AdapterRegistry } from './registry.js';

export class AdapterLoadError extends Error {
  constructor(
    /** The adapter instance name (or `adapters[i]` when the entry has no usable name). */
    readonly adapter: string,
    /** Dotted path of the offending configuration field, when one is to blame. */
    readonly field: string | undefined,
    detail: string,
  ) {
    super(`adapter "${adapter}"${field ? ` field ${field}` : ''}: ${detail}`);
    this.name = 'AdapterLoadError';
  }
}

/** Built-in kinds, imported lazily so an unused adapter's dependencies are never loaded. */
export type BuiltinFactories = Record<string, () => Promise<AdapterFactory<unknown>>>;

export interface LoaderDeps {
  logger: Logger;
  events: EventPublisher;
  clock?: Clock;
  /** Durable record of finished calls; defaults to memory (lost at restart). */
  store?: IdempotencyStore;
  /** Folder that relative module paths and relative paths in settings resolve against. */
  baseDir: string;
  builtins: BuiltinFactories;
  random?: () => number;
}

/** Loads every configured adapter and returns the registry. Nothing is started; call `registry.start()`. */
export async function loadAdapters(entries: unknown, deps: LoaderDeps): Promise<AdapterRegistry> {
  if (!Array.isArray(entries)) throw new AdapterLoadError('(all)', 'adapters', 'expected a list of adapter configurations');
  const adapters: GuardedAdapter[] = [];
  const store = deps.store ?? memoryIdempotencyStore();
  try {
    for (const [index, entry] of entries.entries()) {
      adapters.push(await loadAdapter(entry, { ...deps, store }, index));
    }
    return new AdapterRegistry(adapters);
  } catch (error) {
    // Do not leak connections of the adapters created before the failing one.
    await Promise.allSettled(adapters.map((a) => a.inner.close?.()));
    if (error instanceof AdapterLoadError) throw error;
    throw new AdapterLoadError('(all)', undefined, (error as Error).message);
  }
}

/** Loads one configuration entry into a guarded adapter instance. */
export async function loadAdapter(entry: unknown, deps: LoaderDeps, index = 0): Promise<GuardedAdapter> {
  const label =
    entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string'
      ? (entry as { name: string }).name
      : `adapters[${index}]`;
  const parsed = adapterConfigSchema.safeParse(entry);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new AdapterLoadError(label, first.path.join('.') || undefined, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const config = parsed.data;
  const factory = await resolveFactory(config, deps);

  const settings = factory.settingsSchema.safeParse(config.settings ?? {});
  if (!settings.success) {
    const first = settings.error.issues[0]!;
    const field = ['settings', ...first.path.map(String)].join('.');
    const all = settings.error.issues.map((i) => `${['settings', ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
    throw new AdapterLoadError(config.name, field, `invalid settings for ${describeSource(config)}: ${all}`);
  }

  if (config.domains) {
    const unserved = config.domains.filter((d) => !factory.domains.includes(d));
    if (unserved.length && factory.domains.length) {
      throw new AdapterLoadError(config.name, 'domains', `${describeSource(config)} does not serve ${unserved.join(', ')} (it serves ${factory.domains.join(', ')})`);
    }
  }

  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child({ adapter: config.name, adapterKind: factory.kind });
  let instance;
  try {
    instance = await factory.create(config.name, settings.data, { logger, clock, events: deps.events, baseDir: deps.baseDir });
  } catch (error) {
    throw new AdapterLoadError(config.name, 'settings', `${describeSource(config)} failed to start: ${(error as Error).message}`);
  }
  for (const method of ['apply', 'rollback', 'verify', 'discover', 'health'] as const) {
    if (typeof instance?.[method] !== 'function') {
      throw new AdapterLoadError(config.name, undefined, `${describeSource(config)} created an instance without a ${method}() method`);
    }
  }
  // Configuration narrows; otherwise the instance says what it serves (it may depend on its settings).
  const domains = config.domains ?? (Array.isArray(instance.domains) ? instance.domains : factory.domains);
  if (domains.length === 0) {
    await instance.close?.();
    throw new AdapterLoadError(config.name, 'domains', `${describeSource(config)} declares no domains; set "domains"`);
  }
  return new GuardedAdapter(instance, domains, config.call, {
    clock,
    logger: deps.logger,
    store: deps.store ?? memoryIdempotencyStore(),
    ...(deps.random ? { random: deps.random } : {}),
  });
}

async function resolveFactory(config: AdapterConfig, deps: LoaderDeps): Promise<AdapterFactory<unknown>> {
  if (config.builtin !== undefined) {
    const load = deps.builtins[config.builtin];
    if (!load) {
      throw new AdapterLoadError(config.name, 'builtin', `unknown built-in adapter "${config.builtin}" (built-ins: ${Object.keys(deps.builtins).join(', ')})`);
    }
    return load();
  }
  const specifier = config.module!;
  const isPath = specifier.startsWith('.') || isAbsolute(specifier);
  const target = isPath ? pathToFileURL(resolve(deps.baseDir, specifier)).href : specifier;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    throw new AdapterLoadError(config.name, 'module', `cannot import ${JSON.stringify(specifier)}: ${(error as Error).message}`);
  }
  const candidate = mod.default ?? mod.adapterFactory;
  const problem = factoryProblem(candidate);
  if (problem) {
    const exported = Object.keys(mod).join(', ') || 'nothing';
    throw new AdapterLoadError(
      config.name,
      'module',
      `${JSON.stringify(specifier)} does not export an adapter factory (${problem}); ` +
        `expected "export default" or "export const adapterFactory" with kind, domains, settingsSchema and create; it exports: ${exported}`,
    );
  }
  return candidate as AdapterFactory<unknown>;
}

function factoryProblem(candidate: unknown): string | undefined {
  if (!candidate || typeof candidate !== 'object') return 'no default or adapterFactory export';
  const f = candidate as Partial<AdapterFactory<unknown>>;
  if (typeof f.kind !== 'string' || !f.kind) return 'missing kind';
  if (!Array.isArray(f.domains)) return 'missing domains list';
  if (!f.settingsSchema || typeof (f.settingsSchema as { safeParse?: unknown }).safeParse !== 'function') return 'settingsSchema is not a zod schema';
  if (typeof f.create !== 'function') return 'missing create()';
  return undefined;
}

function describeSource(config: AdapterConfig): string {
  return config.builtin !== undefined ? `built-in "${config.builtin}"` : `module ${JSON.stringify(config.module)}`;
}
