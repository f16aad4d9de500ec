/**
 * Two real Junctions (startJunction, each with its own HTTP listener and NATS connection) sharing
 * one Postgres database and one NATS namespace, as two replicas behind a balancer would: for the
 * propagation test (instance-pair.test.ts) and `npm run bench:policy-propagation`.
 * Test and benchmark support only; nothing in a running Junction imports it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectNats, createBus } from '../../platform/bus/bus.js';
import type { Logger } from '../../platform/logger.js';
import { startJunction, type RunningJunction } from '../../platform/runtime.js';
import { createTestDatabase, deleteNamespace, silentLogger, testConfig, testNamespace, TEST_NATS_URL, type TestDatabase } from '../../test/support/index.js';
import { generateComplianceKey, signBundle } from './signing.js';
import { packSourceBundle } from './source-bundle.js';

export const COMPLIANCE_KEY = 'compliance-pair-0123456789';
export const AUDITOR_KEY = 'auditor-pair-0123456789';

const POLICY_DIR = resolve(import.meta.dirname, '../rego');

export interface InstancePair {
  a: RunningJunction;
  b: RunningJunction;
  database: TestDatabase;
  /** Packs the shipped policies plus a marker package, signs it with the trusted key, uploads it to A; returns its revision. */
  upload(marker: string): Promise<string>;
  /** Asks A to activate `revision`, then polls B's /policy/v1/status until B runs it. */
  activate(revision: string, timeoutMs?: number): Promise<Propagation>;
  stop(): Promise<void>;
}

export interface Propagation {
  /** From sending the activation to A until A answered (A swapped and announced it). */
  activatedMs: number;
  /** From sending the activation to A until B's status showed the revision applied; undefined if it never did. */
  propagatedMs: number | undefined;
  /** B's /policy/v1/status when it never applied the revision. */
  stuck?: unknown;
}

function shippedFiles(): Record<string, string> {
  const files: Record<string, string> = { 'data.json': readFileSync(resolve(POLICY_DIR, 'data.json'), 'utf8') };
  for (const f of readdirSync(resolve(POLICY_DIR, 'junction'))) {
    if (f.endsWith('.rego')) files[`junction/${f}`] = readFileSync(resolve(POLICY_DIR, 'junction', f), 'utf8');
  }
  return files;
}

const marker = (answer: string) => ({
  'junction/marker.rego': `package junction.marker\n\nimport rego.v1\n\ndecision := "${answer}"\n`,
  'junction/marker_test.rego': `package junction.marker_test\n\nimport rego.v1\n\nimport data.junction.marker\n\ntest_answer if marker.decision == "${answer}"\n`,
});

export async function startInstancePair(logger: Logger = silentLogger()): Promise<InstancePair> {
  const database = await createTestDatabase({ migrate: false });
  const namespace = testNamespace();
  const keys = generateComplianceKey();
  const keyDir = mkdtempSync(join(tmpdir(), 'junction-pair-'));
  const keyFile = join(keyDir, 'compliance.pub.pem');
  writeFileSync(keyFile, keys.publicKey.export({ type: 'spki', format: 'pem' }));
  // The access settings (trusted compliance keys) come from the environment given to startJunction.
  const env = { ...process.env, JUNCTION_COMPLIANCE_PUBLIC_KEYS: keyFile };
  const config = (roles: string) =>
    testConfig({
      DATABASE_URL: database.url,
      NATS_URL: TEST_NATS_URL,
      JUNCTION_NAMESPACE: namespace,
      JUNCTION_ROLES: roles,
      JUNCTION_API_KEYS: JSON.stringify([
        { key: COMPLIANCE_KEY, principal: 'cmp', roles: ['compliance'] },
        { key: AUDITOR_KEY, principal: 'aud', roles: ['auditor'] },
      ]),
    });
  const started: RunningJunction[] = [];
  const stop = async () => {
    for (const j of started.reverse()) await j.stop().catch(() => undefined);
    const cleaner = await createBus(await connectNats(TEST_NATS_URL), namespace, silentLogger());
    await deleteNamespace(cleaner, namespace).catch(() => undefined);
    await cleaner.nc.close();
    await database.drop();
    rmSync(keyDir, { recursive: true, force: true });
  };
  try {
    started.push(await startJunction(config('gateway,orchestrator'), logger.child({ instance: 'A' }), {}, { policyWorkers: 1 }, env));
    started.push(await startJunction(config('gateway'), logger.child({ instance: 'B' }), {}, { policyWorkers: 1 }, env));
  } catch (err) {
    await stop();
    throw err;
  }
  const [a, b] = started as [RunningJunction, RunningJunction];
  const auth = { Authorization: `Bearer ${COMPLIANCE_KEY}` };

  const status = async (j: RunningJunction) => {
    const res = await fetch(`${j.url}/policy/v1/status`, { headers: auth });
    return (await res.json()) as { applied: string | null; lastRefusal: unknown };
  };

  return {
    a,
    b,
    database,
    async upload(answer) {
      const bytes = await packSourceBundle({ ...shippedFiles(), ...marker(answer) });
      const res = await fetch(`${a.url}/policy/v1/bundles`, {
        method: 'POST',
        body: new Uint8Array(bytes),
        headers: { ...auth, 'Content-Type': 'application/gzip', 'Junction-Bundle-Signature': signBundle(bytes, keys.privateKey) },
      });
      const body = (await res.json()) as { revision?: string; status?: string; message?: string };
      if (!body.revision || body.status !== 'ready') throw new Error(`upload answered ${res.status}: ${JSON.stringify(body)}`);
      return body.revision;
    },
    async activate(revision, timeoutMs = 10_000) {
      const t0 = performance.now();
      const res = await fetch(`${a.url}/policy/v1/bundles/${revision}/activate`, { method: 'POST', headers: auth });
      const activatedMs = performance.now() - t0;
      if (res.status !== 200) throw new Error(`activation answered ${res.status}: ${await res.text()}`);
      for (;;) {
        const seen = await status(b);
        if (seen.applied === revision) return { activatedMs, propagatedMs: performance.now() - t0 };
        if (performance.now() - t0 > timeoutMs) return { activatedMs, propagatedMs: undefined, stuck: seen };
        await new Promise((r) => setTimeout(r, 2));
      }
    },
    stop,
  };
}
