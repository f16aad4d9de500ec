// Ed25519 signatures over policy bundles. The signature covers the bundle's digest string
// ("sha256:<hex>" of the uploaded bytes), so a signer signs exactly the bytes it built and any
// change to them — a single flipped bit — is refused.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export function bundleDigest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A short stable id for a public key: the first 16 hex digits of sha256 of its SPKI DER. */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function signBundle(bytes: Uint8Array, privateKey: KeyObject): string {
  return sign(null, Buffer.from(bundleDigest(bytes), 'utf8'), privateKey).toString('base64');
}

export type Verification =
  | { ok: true; digest: string; keyId: string }
  | { ok: false; reason: string };

/**
 * Checks a signature against every trusted compliance key. `expectedDigest`, when given, is the
 * digest the bundle was recorded with; bytes that hash to anything else are refused first.
 */
export function verifyBundle(bytes: Uint8Array, signature: string, trusted: readonly KeyObject[], expectedDigest?: string): Verification {
  const digest = bundleDigest(bytes);
  if (expectedDigest !== undefined && digest !== expectedDigest) {
    return { ok: false, reason: `bundle digest ${digest} does not match the recorded digest ${expectedDigest}` };
  }
  if (trusted.length === 0) return { ok: false, reason: 'no compliance public key is configured, so no bundle can be trusted' };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return { ok: false, reason: 'the bundle signature is not base64' };
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return { ok: false, reason: `the bundle signature is ${sig.length} bytes; an Ed25519 signature has 64` };
  for (const key of trusted) {
    if (verify(null, Buffer.from(digest, 'utf8'), key, sig)) return { ok: true, digest, keyId: keyId(key) };
  }
  return { ok: false, reason: `the bundle signature does not verify against any trusted compliance key (bundle digest ${digest})` };
}

export function parsePublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`compliance key must be Ed25519, got ${key.asymmetricKeyType}`);
  return key;
}

export function parsePrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`compliance key must be Ed25519, got ${key.asymmetricKeyType}`);
  return key;
}

export function generateComplianceKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}
