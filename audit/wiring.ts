// How a Junction process runs the decision log: its migrations, its writer (on orchestrator
// processes: one durable consumer shared by all of them) and the auditor routes (on gateways).
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { AccessControl } from '../gateway/access.js';
import type { GatewayEnv } from '../gateway/context.js';
import type { Bus } from '../platform/bus/bus.js';
import type { Logger } from '../platform/logger.js';
import { createCheckpointSigner } from './checkpoint.js';
import { loadSigningKey } from './keys.js';
import { applyAuditMigrations } from './migrations/index.js';
import type { ReplayEvaluator } from './replay.js';
import { auditRoutes } from './routes.js';
import { ensureAuditConsumer, startAuditWriter, type AuditWriter } from './writer.js';

export interface AuditSettings {
  keyFile: string | undefined;
  redact: string[];
  checkpointIntervalMs: number;
  dataDir: string;
}

export interface PreparedAudit {
  routes: Array<(app: Hono<GatewayEnv>, access: AccessControl) => void>;
  close(): Promise<void>;
}

export async function prepareAudit(
  deps: { db: Kysely<any>; bus: Bus; logger: Logger; writer: boolean; evaluate?: ReplayEvaluator },
  settings: AuditSettings,
): Promise<PreparedAudit> {
  await applyAuditMigrations(deps.db);
  const keyFile = settings.keyFile ?? join(settings.dataDir, 'audit-signing-key.pem');
  const { key, created } = await loadSigningKey(keyFile, { create: settings.keyFile === undefined });
  if (created) deps.logger.warn({ keyFile }, 'created a new audit checkpoint signing key; provision JUNCTION_AUDIT_KEY_FILE in production');
  const signer = createCheckpointSigner(key);

  let writer: AuditWriter | undefined;
  if (deps.writer) {
    const consumer = await ensureAuditConsumer(deps.bus.jsm, deps.bus.js, {
      stream: deps.bus.topology.streams.decisions.name,
      durableName: `${deps.bus.namespace}_audit_writer`,
      filterSubject: deps.bus.subjects.decisions.recorded,
    });
    writer = await startAuditWriter(
      { db: deps.db, consumer, logger: deps.logger.child({ component: 'audit-writer' }), signer, redaction: settings.redact },
      { checkpointIntervalMs: settings.checkpointIntervalMs },
    );
  }
  return {
    routes: [
      (app, access) => {
        app.route('/audit/v1', auditRoutes({ db: deps.db, access, publicKey: signer.publicKey, ...(deps.evaluate ? { evaluate: deps.evaluate } : {}) }));
      },
    ],
    close: async () => {
      await writer?.stop();
    },
  };
}
