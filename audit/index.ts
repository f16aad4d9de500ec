/**
 * The audit log's public API. See audit/README.md for the record format,
 * hashing, proofs and how the platform wires the writer and routes.
 */
export { auditMigrations, applyAuditMigrations, AUDIT_MIGRATION_TABLE } from './migrations/index.js';
export { startAuditWriter, ensureAuditConsumer, auditConsumerConfig } from './writer.js';
export type { AuditWriter, AuditWriterDeps, AuditWriterOptions, CommitReport } from './writer.js';
export { auditRoutes } from './routes.js';
export type { AuditRoutesDeps } from './routes.js';
export type { ReplayEvaluator, ReplayReport } from './replay.js';
export { createCheckpointSigner, generateSigningKey, privateKeyFromPem, publicKeyFromPem, publicKeyPem, verifyCheckpointSignature } from './checkpoint.js';
export type { Checkpoint, CheckpointSigner } from './checkpoint.js';
export { loadSigningKey } from './keys.js';
export { newDecisionId, decodeDecisionMessage, toPendingDecision, InvalidDecisionError } from './decision.js';
export type { DecisionEvent, AuditRecord, RecordBody } from './record.js';
export type { RedactionRule } from './redaction.js';
export { verifyStoredLog } from './verify-db.js';
export type { VerifyReport } from './verify-db.js';
export { verifyExport, runAuditVerify, AUDIT_VERIFY_USAGE } from './cli.js';
export { LogVerifier } from './verifier.js';
export { verifyInclusion, verifyConsistency } from './merkle.js';
