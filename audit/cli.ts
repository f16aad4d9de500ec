import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseCheckpoint, publicKeyFromPem, type Checkpoint } from './checkpoint.js';
import type { AuditRecord } from './record.js';
import { LogVerifier, type VerifyFailure } from './verifier.js';

/**
 * Offline verification of an export, for an auditor who trusts nothing
 * running: `npx junction audit verify <export.ndjson> --checkpoint <file> --public-key <file>`.
 *
 * The export must be unfiltered and start at seq 1 (GET /audit/v1/decisions
 * with Accept: application/x-ndjson and no filters). Every record's chain and
 * leaf hash is recomputed, the Merkle tree rebuilt, and each checkpoint's
 * Ed25519 signature and root checked when the tree reaches its size.
 */

export interface OfflineVerifyReport {
  ok: boolean;
  records: number;
  checkpoints_verified: number;
  first_broken_seq: number | null;
  failure: (VerifyFailure & { line?: number }) | null;
  /** Recomputed root over all verified records, and the last record's chain hash. */
  root_hash: string | null;
  head_hash: string | null;
}

export class VerifyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyInputError';
  }
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new VerifyInputError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A PEM file, or the JSON answer of GET /audit/v1/public-key. */
async function loadPublicKey(path: string) {
  const text = (await readText(path, 'public key')).trim();
  const pem = text.startsWith('{') ? (JSON.parse(text) as { public_key_pem?: string }).public_key_pem ?? '' : text;
  try {
    return publicKeyFromPem(pem);
  } catch (err) {
    throw new VerifyInputError(`${path}: ${(err as Error).message}`);
  }
}

/** One checkpoint, an array of them, or the JSON answer of GET /audit/v1/checkpoints ({ items }). */
async function loadCheckpoints(path: string): Promise<Checkpoint[]> {
  let value: unknown;
  try {
    value = JSON.parse(await readText(path, 'checkpoint'));
  } catch (err) {
    if (err instanceof VerifyInputError) throw err;
    throw new VerifyInputError(`${path} is not JSON`);
  }
  const list = Array.isArray(value) ? value : value && typeof value === 'object' && 'items' in value ? (value as { items: unknown[] }).items : [value];
  try {
    return list.map(parseCheckpoint);
  } catch (err) {
    throw new VerifyInputError(`${path}: ${(err as Error).message}`);
  }
}

export async function verifyExport(ndjsonPath: string, checkpointPath: string, publicKeyPath: string): Promise<OfflineVerifyReport> {
  const publicKey = await loadPublicKey(publicKeyPath);
  const checkpoints = await loadCheckpoints(checkpointPath);
  const verifier = new LogVerifier({ checkpoints, publicKey });
  const input = createReadStream(ndjsonPath, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', (err: NodeJS.ErrnoException) => reject(new VerifyInputError(`cannot read export ${ndjsonPath}: ${err.code ?? err.message}`)));
  });
  await opened;
  let line = 0;
  let failure: OfflineVerifyReport['failure'] = null;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let record: AuditRecord;
    try {
      record = JSON.parse(text) as AuditRecord;
    } catch {
      failure = { seq: verifier.lastSeq + 1, reason: 'malformed', detail: `line ${line} is not JSON`, line };
      break;
    }
    const f = verifier.push(record);
    if (f) {
      failure = { ...f, line };
      break;
    }
  }
  input.destroy();
  if (!failure) failure = verifier.expectNoCheckpointsBeyondEnd();
  return {
    ok: failure === null,
    records: verifier.verified,
    checkpoints_verified: verifier.checkpointsVerified,
    first_broken_seq: failure?.seq ?? null,
    failure,
    root_hash: failure ? null : verifier.root()!.toString('hex'),
    head_hash: failure ? null : verifier.headHash.toString('hex'),
  };
}

export const AUDIT_VERIFY_USAGE = 'usage: junction audit verify <export.ndjson> --checkpoint <file> --public-key <file>';

/**
 * `junction audit verify …` given the arguments after `verify`. Prints the
 * report as JSON; returns the exit code: 0 verified, 1 verification failed,
 * 2 bad usage or unreadable input.
 */
export async function runAuditVerify(args: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  let exportPath: string | undefined;
  let checkpointPath: string | undefined;
  let publicKeyPath: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--checkpoint') checkpointPath = args[++i];
    else if (a === '--public-key') publicKeyPath = args[++i];
    else if (a.startsWith('--checkpoint=')) checkpointPath = a.slice('--checkpoint='.length);
    else if (a.startsWith('--public-key=')) publicKeyPath = a.slice('--public-key='.length);
    else if (!a.startsWith('--') && exportPath === undefined) exportPath = a;
    else {
      out(`unexpected argument ${a}\n${AUDIT_VERIFY_USAGE}\n`);
      return 2;
    }
  }
  if (!exportPath || !checkpointPath || !publicKeyPath) {
    out(`${AUDIT_VERIFY_USAGE}\n`);
    return 2;
  }
  try {
    const report = await verifyExport(exportPath, checkpointPath, publicKeyPath);
    out(`${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof VerifyInputError) {
      out(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
