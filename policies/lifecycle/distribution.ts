// Carries activations to every running instance: the active revision (with the digests and
// signature it must match) is one key in a namespaced NATS KV bucket; every instance watches it,
// including the one that wrote it, and a new instance gets the current value when it starts.
import { Kvm, type KV } from '@nats-io/kv';
import type { Bus } from '../../platform/bus/bus.js';
import { bucketName } from '../../platform/bus/subjects.js';
import type { Logger } from '../../platform/logger.js';

export const POLICY_BUCKET = 'policy';
const ACTIVE_KEY = 'active';

export interface ActivationNotice {
  revision: string;
  sourceDigest: string;
  signature: string;
  compiledDigest: string;
  activatedBy: string;
  at: string;
}

/** Start (with the digests the candidate must match) or stop (revision null) shadow mode everywhere. */
export type ShadowNotice = { revision: string; sourceDigest: string; signature: string; compiledDigest: string } | { revision: null };

export interface PolicyDistribution {
  announce(notice: ActivationNotice): Promise<void>;
  announceShadow(notice: ShadowNotice): Promise<void>;
  close(): Promise<void>;
}

const SHADOW_KEY = 'shadow';

function parseShadow(bytes: Uint8Array): ShadowNotice | undefined {
  try {
    const n = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    if (n.revision === null) return { revision: null };
    const fields = ['revision', 'sourceDigest', 'signature', 'compiledDigest'] as const;
    return fields.every((f) => typeof n[f] === 'string') ? (n as ShadowNotice) : undefined;
  } catch {
    return undefined;
  }
}

function parseNotice(bytes: Uint8Array): ActivationNotice | undefined {
  try {
    const n = JSON.parse(new TextDecoder().decode(bytes)) as Partial<ActivationNotice>;
    const fields = ['revision', 'sourceDigest', 'signature', 'compiledDigest', 'activatedBy', 'at'] as const;
    return fields.every((f) => typeof n[f] === 'string') ? (n as ActivationNotice) : undefined;
  } catch {
    return undefined;
  }
}

export async function startPolicyDistribution(deps: {
  bus: Pick<Bus, 'js' | 'namespace'>;
  logger: Logger;
  /** Called for the current notice at start and for every later one. */
  onNotice: (notice: ActivationNotice) => Promise<void>;
  /** Called for the current shadow notice at start and every later one. */
  onShadow?: (notice: ShadowNotice) => Promise<void>;
}): Promise<PolicyDistribution> {
  const kv: KV = await new Kvm(deps.bus.js).create(bucketName(deps.bus.namespace, POLICY_BUCKET), { history: 10 });
  const watch = await kv.watch({ key: ACTIVE_KEY });
  const watching = (async () => {
    for await (const entry of watch) {
      if (entry.operation !== 'PUT') continue;
      const notice = parseNotice(entry.value);
      if (!notice) {
        deps.logger.error({ key: entry.key, revision: entry.revision }, 'ignoring a malformed policy activation notice');
        continue;
      }
      await deps.onNotice(notice).catch((err) => deps.logger.error({ err, revision: notice.revision }, 'applying a policy activation failed'));
    }
  })();
  const shadowWatch = await kv.watch({ key: SHADOW_KEY });
  const shadowing = (async () => {
    for await (const entry of shadowWatch) {
      if (entry.operation !== 'PUT') continue;
      const notice = parseShadow(entry.value);
      if (!notice) {
        deps.logger.error({ key: entry.key, revision: entry.revision }, 'ignoring a malformed shadow notice');
        continue;
      }
      await deps.onShadow?.(notice).catch((err) => deps.logger.error({ err, revision: notice.revision }, 'applying a shadow notice failed'));
    }
  })();
  return {
    async announce(notice) {
      await kv.put(ACTIVE_KEY, JSON.stringify(notice));
    },
    async announceShadow(notice) {
      await kv.put(SHADOW_KEY, JSON.stringify(notice));
    },
    async close() {
      watch.stop();
      shadowWatch.stop();
      await Promise.all([watching, shadowing]);
    },
  };
}
