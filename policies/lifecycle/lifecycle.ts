// The policy lifecycle: signed uploads stored with their history, tested and compiled before they
// can be activated; activation verified and swapped atomically on every engine of the instance.
import type { KeyObject } from 'node:crypto';
import type { Logger } from '../../platform/logger.js';
import { readBundle } from '../bundle.js';
import type { PolicyEngine } from '../engine/index.js';
import { compileUpload } from './compile.js';
import type { ActivationNotice, ShadowNotice } from './distribution.js';
import { bundleDigest, verifyBundle } from './signing.js';
import { SourceBundleError, unpackSourceBundle } from './source-bundle.js';
import type { ShadowedEngine, ShadowReport } from './shadow.js';
import type { BundleStore, BundleSummary } from './store.js';

export type UploadResult =
  | { outcome: 'stored'; bundle: BundleSummary }
  | { outcome: 'exists'; bundle: BundleSummary }
  | { outcome: 'refused'; reason: string };

export type ActivateResult =
  | { outcome: 'activated'; revision: string; previous: string | null }
  | { outcome: 'not_found' | 'not_ready' | 'refused'; reason: string };

export type ApplyResult = { ok: true; revision: string } | { ok: false; reason: string };

export interface PolicyLifecycleDeps {
  store: BundleStore;
  /** Compliance public keys whose signatures are trusted. */
  trustedKeys: readonly KeyObject[];
  /** Engines of this instance that take activated bundles (e.g. the gateway's and the orchestrator's). */
  engines: ReadonlyArray<Pick<PolicyEngine, 'activate'>>;
  /** Sends an activation to every instance (policies/lifecycle/distribution.ts); unset: this instance only. */
  announce?: (notice: ActivationNotice) => Promise<void>;
  /** Engines of this instance that can run a candidate bundle in shadow mode. */
  shadows?: readonly ShadowedEngine[];
  /** Sends shadow start/stop to every instance; unset: this instance only. */
  announceShadow?: (notice: ShadowNotice) => Promise<void>;
  /** Entrypoints this instance's callers use: a bundle without one of them is refused. */
  requiredEntrypoints?: readonly string[];
  logger: Logger;
}

export interface PolicyLifecycle {
  upload(bytes: Uint8Array, signature: string, principal: string): Promise<UploadResult>;
  activate(revision: string, principal: string): Promise<ActivateResult>;
  /** Activates the revision active before the current one. */
  rollback(principal: string): Promise<ActivateResult>;
  /** Verifies and loads an announced activation on this instance's engines. */
  apply(notice: ActivationNotice): Promise<ApplyResult>;
  /** Runs a stored, tested revision beside the active one on this instance's live decisions; null stops. */
  shadow(revision: string | null): Promise<ApplyResult | { ok: true; revision: null }>;
  /** Applies an announced shadow start/stop on this instance. */
  applyShadow(notice: ShadowNotice): Promise<ApplyResult | { ok: true; revision: null }>;
  shadowReport(): ShadowReport[];
  /** The revision this instance's engines run (undefined: the bundle they started with). */
  readonly appliedRevision: string | undefined;
  /** The last refusal to load an announced bundle, for /policy/v1/status. */
  readonly lastRefusal: { revision: string; reason: string; at: string } | undefined;
  store: BundleStore;
}

/** Revision of an upload: the start of its digest, so the same bytes are the same revision. */
const revisionOf = (digest: string) => digest.slice('sha256:'.length, 'sha256:'.length + 16);

export function createPolicyLifecycle(deps: PolicyLifecycleDeps): PolicyLifecycle {
  let applied: string | undefined;
  let lastRefusal: PolicyLifecycle['lastRefusal'];
  // Activations apply one at a time and in order, whether local or announced.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const refuse = (revision: string, reason: string): ApplyResult => {
    lastRefusal = { revision, reason, at: new Date().toISOString() };
    deps.logger.error({ revision, reason }, 'refusing a policy bundle');
    return { ok: false, reason };
  };

  /** Loads a stored bundle after checking its signature, digests, tests and entrypoints. */
  const loadVerified = async (notice: Pick<ActivationNotice, 'revision' | 'signature' | 'sourceDigest' | 'compiledDigest'>) => {
    const stored = await deps.store.get(notice.revision);
    if (!stored) return { reason: `bundle ${notice.revision} is not in the bundle store` };
    const check = verifyBundle(stored.source, notice.signature, deps.trustedKeys, notice.sourceDigest);
    if (!check.ok) return { reason: check.reason };
    if (stored.status !== 'ready' || !stored.compiled) return { reason: `bundle ${notice.revision} did not pass its tests` };
    const compiledDigest = bundleDigest(stored.compiled);
    if (compiledDigest !== notice.compiledDigest) {
      return { reason: `compiled bundle digest ${compiledDigest} does not match the announced ${notice.compiledDigest}` };
    }
    const bundle = await readBundle(stored.compiled);
    const offered = new Set(bundle.manifest.wasm.map((w) => w.entrypoint));
    const missing = (deps.requiredEntrypoints ?? []).filter((e) => !offered.has(e));
    if (missing.length) return { reason: `bundle ${notice.revision} lacks entrypoints this instance needs: ${missing.join(', ')}` };
    return { bundle };
  };

  const apply = (notice: ActivationNotice): Promise<ApplyResult> =>
    serial(async () => {
      if (applied === notice.revision) return { ok: true, revision: notice.revision };
      const loaded = await loadVerified(notice);
      if (!('bundle' in loaded) || !loaded.bundle) return refuse(notice.revision, loaded.reason!);
      for (const engine of deps.engines) await engine.activate(loaded.bundle);
      applied = notice.revision;
      deps.logger.info({ revision: notice.revision, by: notice.activatedBy }, 'policy bundle activated');
      return { ok: true, revision: notice.revision };
    });

  let shadowing: string | null = null;
  const applyShadow = (notice: ShadowNotice): Promise<ApplyResult | { ok: true; revision: null }> =>
    serial(async () => {
      if (notice.revision === shadowing) return notice.revision === null ? { ok: true, revision: null } : { ok: true, revision: notice.revision };
      if (notice.revision === null) {
        for (const e of deps.shadows ?? []) await e.shadow(null);
        shadowing = null;
        return { ok: true, revision: null };
      }
      const loaded = await loadVerified(notice);
      if (!('bundle' in loaded) || !loaded.bundle) return refuse(notice.revision, loaded.reason!);
      for (const e of deps.shadows ?? []) await e.shadow(loaded.bundle);
      shadowing = notice.revision;
      return { ok: true, revision: notice.revision };
    });

  const activate = async (revision: string, principal: string): Promise<ActivateResult> => {
    const stored = await deps.store.get(revision);
    if (!stored) return { outcome: 'not_found', reason: `no bundle with revision ${revision}` };
    if (stored.status !== 'ready' || !stored.compiled || !stored.compiledDigest) {
      return { outcome: 'not_ready', reason: `bundle ${revision} was rejected: ${stored.problems.join('; ')}` };
    }
    const notice: ActivationNotice = {
      revision,
      sourceDigest: stored.sourceDigest,
      signature: stored.signature,
      compiledDigest: stored.compiledDigest,
      activatedBy: principal,
      at: new Date().toISOString(),
    };
    // This instance first: a bundle it refuses is not announced to the others.
    const local = await apply(notice);
    if (!local.ok) return { outcome: 'refused', reason: local.reason };
    const previous = await deps.store.active();
    await deps.store.recordActivation({ revision, previousRevision: previous, activatedBy: principal });
    await deps.announce?.(notice);
    return { outcome: 'activated', revision, previous };
  };

  return {
    store: deps.store,
    get appliedRevision() {
      return applied;
    },
    get lastRefusal() {
      return lastRefusal;
    },
    apply,
    activate,

    async shadow(revision) {
      let notice: ShadowNotice = { revision: null };
      if (revision !== null) {
        const stored = await deps.store.summary(revision);
        if (!stored || !stored.compiledDigest) return { ok: false, reason: stored ? `bundle ${revision} was rejected: ${stored.problems.join('; ')}` : `no bundle with revision ${revision}` };
        notice = { revision, signature: stored.signature, sourceDigest: stored.sourceDigest, compiledDigest: stored.compiledDigest };
      }
      const local = await applyShadow(notice);
      if (local.ok) await deps.announceShadow?.(notice);
      return local;
    },

    applyShadow,

    shadowReport: () => (deps.shadows ?? []).map((e) => e.report()),

    async rollback(principal) {
      const history = await deps.store.activations();
      const current = history[0];
      if (!current?.previousRevision) return { outcome: 'not_found', reason: 'there is no earlier activation to roll back to' };
      return activate(current.previousRevision, principal);
    },

    async upload(bytes, signature, principal) {
      const check = verifyBundle(bytes, signature, deps.trustedKeys);
      if (!check.ok) return { outcome: 'refused', reason: check.reason };
      const revision = revisionOf(check.digest);
      const existing = await deps.store.summary(revision);
      if (existing) return { outcome: 'exists', bundle: existing };
      let unpacked;
      try {
        unpacked = await unpackSourceBundle(bytes);
      } catch (err) {
        if (err instanceof SourceBundleError) return { outcome: 'refused', reason: err.message };
        throw err;
      }
      const compiled = await compileUpload(unpacked, revision);
      await deps.store.insert({
        revision,
        sourceDigest: check.digest,
        signature,
        signerKeyId: check.keyId,
        source: Buffer.from(bytes),
        compiled: compiled.compiled ?? null,
        compiledDigest: compiled.compiled ? bundleDigest(compiled.compiled) : null,
        status: compiled.ok ? 'ready' : 'rejected',
        tests: compiled.tests,
        problems: compiled.problems,
        uploadedBy: principal,
      });
      const bundle = (await deps.store.summary(revision))!;
      return { outcome: 'stored', bundle };
    },
  };
}
