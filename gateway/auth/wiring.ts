/**
 * Assembles access control for a running Junction: bootstrap keys, database keys and JWTs for
 * identity; the Rego authorization policy on its own engine; the policy lifecycle (upload,
 * activation, distribution over NATS KV) feeding every engine of the process.
 * `platform/runtime.ts` calls `prepareAccess` once and uses `access`, `routes` and `close`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyObject } from 'node:crypto';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Bus } from '../../platform/bus/bus.js';
import type { ApiKey } from '../../platform/config.js';
import type { Database } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/logger.js';
import type { PolicyBundle } from '../../policies/bundle.js';
import type { PolicyEngine } from '../../policies/engine/index.js';
import { startPolicyDistribution, type PolicyDistribution } from '../../policies/lifecycle/distribution.js';
import { createPolicyLifecycle, type PolicyLifecycle } from '../../policies/lifecycle/lifecycle.js';
import { policyLifecycleRoutes } from '../../policies/lifecycle/routes.js';
import { shadowedEngine, type ShadowedEngine } from '../../policies/lifecycle/shadow.js';
import { parsePublicKey } from '../../policies/lifecycle/signing.js';
import { bundleStore } from '../../policies/lifecycle/store.js';
import { createAccessControl, type AccessControl, type Authenticator } from '../access.js';
import { authFailureLimitFromEnv, type RateLimitSettings } from '../hardening/index.js';
import type { GatewayEnv } from '../context.js';
import { databaseKeyAuthenticator } from './api-keys.js';
import { jwtAuthenticator, jwtSettingsFromEnv, type JwtSettings } from './jwt.js';
import { AUTHZ_ENTRYPOINT, buildAuthzBundle, createAuthzEngine, policyAuthorizer } from './policy-authorizer.js';
import { busDecisionPublisher } from '../../policies/engine/publish.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_POLICY_DIR = resolve(ROOT, 'policies/rego');

export interface AccessSettings {
  /** JUNCTION_API_KEYS: the bootstrap keys. */
  apiKeys: readonly ApiKey[];
  jwt?: JwtSettings;
  /** Compliance public keys trusted to sign policy bundles. */
  complianceKeys: readonly KeyObject[];
  policyDir?: string;
  /** Failed authentications per client address (JUNCTION_AUTH_FAILURE_LIMIT); false: unlimited. */
  authFailureLimit?: RateLimitSettings | false;
}

/** JWT and compliance-key settings from JUNCTION_JWT_* and JUNCTION_COMPLIANCE_PUBLIC_KEYS (comma-separated PEM files). */
export function accessSettingsFromEnv(env: Record<string, string | undefined>, apiKeys: readonly ApiKey[]): AccessSettings {
  const files = (env.JUNCTION_COMPLIANCE_PUBLIC_KEYS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const complianceKeys = files.map((f) => {
    try {
      return parsePublicKey(readFileSync(f, 'utf8'));
    } catch (err) {
      throw new Error(`JUNCTION_COMPLIANCE_PUBLIC_KEYS: ${f}: ${(err as Error).message}`);
    }
  });
  const jwt = jwtSettingsFromEnv(env);
  return { apiKeys, complianceKeys, authFailureLimit: authFailureLimitFromEnv(env), ...(jwt ? { jwt } : {}) };
}

/**
 * An engine usable at once whose calls wait for the real one, built on first use. Activated
 * before its first decision, it starts from the activated bundle: compiling the shipped policy
 * first would only delay the swap (by seconds on a busy machine).
 */
function deferredEngine(build: () => Promise<PolicyEngine>, buildFrom: (bundle: PolicyBundle) => Promise<PolicyEngine>): PolicyEngine {
  let engine: PolicyEngine | undefined;
  let started: Promise<PolicyEngine> | undefined;
  const ready = () => (started ??= build().then((e) => (engine = e)));
  return {
    get revision() {
      return engine?.revision ?? '';
    },
    decide: async (...args) => (await ready()).decide(...args),
    activate: async (bundle) => {
      if (!started) {
        started = buildFrom(bundle).then((e) => (engine = e));
        await started;
        return;
      }
      await (await started).activate(bundle);
    },
    close: async () => (started ? (await started.catch(() => undefined))?.close() : undefined),
  };
}

const canActivate = (e: object | undefined): e is Pick<PolicyEngine, 'activate'> =>
  typeof (e as Partial<PolicyEngine> | undefined)?.activate === 'function';

export interface PreparedAccess {
  access: AccessControl;
  routes: Array<(app: Hono<GatewayEnv>, access: AccessControl) => void>;
  authzEngine: ShadowedEngine;
  lifecycle: PolicyLifecycle;
  close(): Promise<void>;
}

export async function prepareAccess(
  deps: {
    db: Kysely<Database>;
    bus: Bus;
    logger: Logger;
    /** Other engines of this process that take activated bundles (e.g. the orchestrator's); those without `activate` are skipped. */
    engines?: ReadonlyArray<object | undefined>;
    /** Other engines of this process wrapped with policies/lifecycle/shadow.ts `shadowedEngine`, for shadow mode. */
    shadows?: readonly ShadowedEngine[];
    /** Entrypoints those engines are asked for. */
    requiredEntrypoints?: readonly string[];
  },
  settings: AccessSettings,
): Promise<PreparedAccess> {
  const { db, bus, logger } = deps;
  // Compiling takes a second or two of CPU: it happens at the first request (or activation) that
  // needs it, so start-up and /ready do not wait for it.
  let building: Promise<PolicyEngine> | undefined;
  const build = () => {
    if (!building) {
      building = buildAuthzBundle(settings.policyDir ?? DEFAULT_POLICY_DIR).then((b) => createAuthzEngine(b));
      building.catch((err) => logger.error({ err }, `authorization policy failed to build: ${(err as Error).message}`));
    }
    return building;
  };
  const authzEngine = shadowedEngine(deferredEngine(build, (bundle) => createAuthzEngine(bundle)));
  const cleanups: Array<() => Promise<void>> = [() => authzEngine.close()];
  try {
    const authenticators: Authenticator[] = [databaseKeyAuthenticator(db)];
    if (settings.jwt) authenticators.push(await jwtAuthenticator(settings.jwt));
    const access = createAccessControl(settings.apiKeys, {
      authenticators,
      authorizer: policyAuthorizer({ engine: authzEngine, publish: busDecisionPublisher(bus), logger }),
      authFailureLimit: settings.authFailureLimit ?? false,
    });
    let distribution: PolicyDistribution | undefined;
    const lifecycle = createPolicyLifecycle({
      store: bundleStore(db),
      trustedKeys: settings.complianceKeys,
      engines: [authzEngine, ...(deps.engines ?? []).filter(canActivate)],
      shadows: [authzEngine, ...(deps.shadows ?? [])],
      requiredEntrypoints: [AUTHZ_ENTRYPOINT, ...(deps.requiredEntrypoints ?? [])],
      announce: (n) => distribution!.announce(n),
      announceShadow: (n) => distribution!.announceShadow(n),
      logger,
    });
    distribution = await startPolicyDistribution({
      bus,
      logger,
      onNotice: async (n) => void (await lifecycle.apply(n)),
      onShadow: async (n) => void (await lifecycle.applyShadow(n)),
    });
    cleanups.push(() => distribution!.close());
    if (settings.complianceKeys.length === 0) logger.warn('JUNCTION_COMPLIANCE_PUBLIC_KEYS is empty: policy bundle uploads are refused');
    return {
      access,
      routes: [policyLifecycleRoutes({ lifecycle })],
      authzEngine,
      lifecycle,
      close: async () => {
        for (const c of cleanups.reverse()) await c().catch((err) => logger.warn({ err }, 'access cleanup failed'));
      },
    };
  } catch (err) {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    throw err;
  }
}
