/**
 * Adapter configuration: which adapters run, where their code comes from, their settings and
 * call policy. Settings stay `unknown` here; each adapter's own schema validates them at load.
 *
 * File form (JSON or YAML), e.g. `adapters.yaml`:
 *   adapters:
 *     - name: sim
 *       builtin: simulator
 *       settings: { topology: ./topology.demo.json }
 *     - name: acme
 *       module: ./plugins/acme-olt/index.js
 *       domains: [access]
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { domainSchema } from '../contract.js';
import { DEFAULT_CALL_POLICY } from './guarded-adapter.js';

const positiveInt = z.number().int().positive();

export const callPolicySchema = z
  .object({
    timeoutMs: positiveInt.default(DEFAULT_CALL_POLICY.timeoutMs),
    attemptTimeoutMs: positiveInt.optional(),
    retry: z
      .object({
        maxAttempts: positiveInt.default(DEFAULT_CALL_POLICY.retry.maxAttempts),
        baseDelayMs: z.number().int().nonnegative().default(DEFAULT_CALL_POLICY.retry.baseDelayMs),
        maxDelayMs: z.number().int().nonnegative().default(DEFAULT_CALL_POLICY.retry.maxDelayMs),
      })
      .default(DEFAULT_CALL_POLICY.retry),
    breaker: z
      .object({
        failureThreshold: positiveInt.default(DEFAULT_CALL_POLICY.breaker.failureThreshold),
        coolDownMs: z.number().int().nonnegative().default(DEFAULT_CALL_POLICY.breaker.coolDownMs),
      })
      .default(DEFAULT_CALL_POLICY.breaker),
  })
  .default({
    timeoutMs: DEFAULT_CALL_POLICY.timeoutMs,
    retry: DEFAULT_CALL_POLICY.retry,
    breaker: DEFAULT_CALL_POLICY.breaker,
  });

export const adapterConfigSchema = z
  .object({
    /** Instance name: unique, used in logs, events (`source`) and "adapter <name> unavailable". */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter'),
    /** A built-in adapter kind: simulator, ovsdb, restconf, sol005. */
    builtin: z.string().min(1).optional(),
    /** A module path (relative to the configuration file) or package name exporting an AdapterFactory. */
    module: z.string().min(1).optional(),
    /** Narrow (or, for third-party adapters, set) the domains this instance serves. */
    domains: z.array(domainSchema).min(1).optional(),
    settings: z.unknown().default({}),
    call: callPolicySchema,
  })
  .refine((c) => (c.builtin === undefined) !== (c.module === undefined), {
    message: 'give exactly one of "builtin" (a built-in adapter kind) or "module" (a module path or package name)',
    path: ['builtin'],
  });
export type AdapterConfig = z.infer<typeof adapterConfigSchema>;
export type AdapterConfigInput = z.input<typeof adapterConfigSchema>;

export const adaptersFileSchema = z.object({ adapters: z.array(adapterConfigSchema) });

/** Reads an adapters file (JSON or YAML); returns the raw entries and the folder relative paths resolve against. */
export async function readAdaptersFile(path: string): Promise<{ entries: unknown; baseDir: string }> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new Error(`cannot read adapters configuration ${absolute}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = absolute.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`adapters configuration ${absolute} is not valid ${absolute.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  const entries = parsed && typeof parsed === 'object' && 'adapters' in parsed ? (parsed as { adapters: unknown }).adapters : undefined;
  if (!Array.isArray(entries)) throw new Error(`adapters configuration ${absolute} must have a top-level "adapters" list`);
  return { entries, baseDir: dirname(absolute) };
}
