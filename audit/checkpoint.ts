import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { sha256 } from './record.js';

/**
 * Signed checkpoints ("signed tree heads").
 *
 * The signed message is the canonical JSON (see canonical.ts) of
 *   {"key_id":…, "root_hash":<hex>, "timestamp":<RFC 3339 UTC>, "tree_size":n,
 *    "version":"junction-audit-checkpoint/v1"}
 * signed with Ed25519 (pure Ed25519, RFC 8032, via node:crypto). `key_id` is
 * the hex SHA-256 of the public key's DER SubjectPublicKeyInfo, so a verifier
 * can tell which key signed a checkpoint after a key rotation.
 */

export const CHECKPOINT_VERSION = 'junction-audit-checkpoint/v1';

export interface Checkpoint {
  version: typeof CHECKPOINT_VERSION;
  tree_size: number;
  root_hash: string; // hex
  timestamp: string;
  key_id: string;
  signature: string; // base64
}

export interface CheckpointSigner {
  keyId: string;
  publicKey: KeyObject;
  sign(fields: Omit<Checkpoint, 'signature' | 'key_id' | 'version'>): Checkpoint;
}

export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

export class CheckpointFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointFormatError';
  }
}

export function keyIdOf(publicKey: KeyObject): string {
  return sha256(publicKey.export({ type: 'spki', format: 'der' })).toString('hex');
}

export function checkpointMessage(cp: Omit<Checkpoint, 'signature'>): Buffer {
  return Buffer.from(
    canonicalJson({ key_id: cp.key_id, root_hash: cp.root_hash, timestamp: cp.timestamp, tree_size: cp.tree_size, version: cp.version }),
    'utf8',
  );
}

export function createCheckpointSigner(privateKey: KeyObject): CheckpointSigner {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError('checkpoint signing key must be an Ed25519 private key');
  }
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  return {
    keyId,
    publicKey,
    sign(fields) {
      const unsigned = { version: CHECKPOINT_VERSION, key_id: keyId, ...fields } as const;
      const signature = sign(null, checkpointMessage(unsigned), privateKey).toString('base64');
      return { ...unsigned, signature };
    },
  };
}

export function verifyCheckpointSignature(cp: Checkpoint, publicKey: KeyObject): boolean {
  if (cp.version !== CHECKPOINT_VERSION || cp.key_id !== keyIdOf(publicKey)) return false;
  try {
    return verify(null, checkpointMessage(cp), publicKey, Buffer.from(cp.signature, 'base64'));
  } catch {
    return false;
  }
}

export function generateSigningKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

export function privateKeyFromPem(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new SigningKeyError(`cannot read checkpoint signing key: ${(err as Error).message}`);
  }
}

export function publicKeyFromPem(pem: string): KeyObject {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected ed25519, got ${key.asymmetricKeyType}`);
    return key;
  } catch (err) {
    throw new SigningKeyError(`cannot read checkpoint public key: ${(err as Error).message}`);
  }
}

export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

const checkpointShape = (value: unknown): value is Checkpoint => {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    v.version === CHECKPOINT_VERSION &&
    Number.isSafeInteger(v.tree_size) && (v.tree_size as number) >= 0 &&
    typeof v.root_hash === 'string' && /^[0-9a-f]{64}$/.test(v.root_hash) &&
    typeof v.timestamp === 'string' && typeof v.key_id === 'string' && typeof v.signature === 'string'
  );
};

export function parseCheckpoint(value: unknown): Checkpoint {
  if (!checkpointShape(value)) throw new CheckpointFormatError('not a Junction audit checkpoint (expected version, tree_size, root_hash, timestamp, key_id, signature)');
  return value;
}
