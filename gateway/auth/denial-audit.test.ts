// "A denied request is in the audit log with its reason": the gateway's authorizer publishes the
// denial to the decisions stream and the real audit writer stores it in the hash-chained log.
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpointSigner, ensureAuditConsumer, generateSigningKey, startAuditWriter, type AuditWriter } from '../../audit/index.js';
import { createAuditTestDatabase, type AuditTestDatabase } from '../../audit/testing/fixtures.js';
import { createMetrics } from '../../platform/metrics.js';
import { createTestBus, silentLogger, type TestBus } from '../../test/support/index.js';
import { createAccessControl, requireRoles } from '../access.js';
import { createGatewayApp } from '../app.js';
import { buildAuthzBundle, createAuthzEngine, policyAuthorizer } from './policy-authorizer.js';
import { busDecisionPublisher } from '../../policies/engine/publish.js';

describe('denials in the audit log', () => {
  let t: AuditTestDatabase;
  let tb: TestBus;
  let writer: AuditWriter;

  beforeAll(async () => {
    [t, tb] = await Promise.all([createAuditTestDatabase(), createTestBus()]);
    const { bus } = tb;
    const consumer = await ensureAuditConsumer(bus.jsm, bus.js, {
      stream: bus.topology.streams.decisions.name,
      durableName: `${tb.namespace}_audit_writer`,
      filterSubject: bus.subjects.decisions.recorded,
      ackWaitMs: 2_000,
    });
    writer = await startAuditWriter({ db: t.db, consumer, logger: silentLogger(), signer: createCheckpointSigner(generateSigningKey()) }, { checkpointIntervalMs: 100 });
  }, 60_000);
  afterAll(async () => {
    await writer?.stop();
    await tb?.cleanup();
    await t?.drop();
  });

  it('stores the denied request with principal, request id, route and the policy reason', async () => {
    const engine = await createAuthzEngine(await buildAuthzBundle(resolve(import.meta.dirname, '../../policies/rego')));
    const access = createAccessControl([{ key: 'bss-acme-0123456789', principal: 'crm', roles: ['bss'], tenant: 'acme' }], {
      authorizer: policyAuthorizer({ engine, publish: busDecisionPublisher(tb.bus), logger: silentLogger() }),
    });
    const app = createGatewayApp({
      logger: silentLogger(),
      access,
      metrics: createMetrics({ processMetrics: false }),
      bus: tb.bus,
      readiness: async () => ({ ready: true, checks: {} }),
      routes: [(a, acc) => void a.get('/audit/v1/decisions', requireRoles(acc, 'auditor'), (c) => c.json({}))],
    });
    const res = await app.request('/audit/v1/decisions', { headers: { Authorization: 'Bearer bss-acme-0123456789' } });
    expect(res.status).toBe(403);
    const { requestId } = (await res.json()) as { requestId: string };

    let row: { principal: string; component: string; path: string; result: { allow: boolean; reasons: string[] }; input: { route: string } } | undefined;
    const deadline = Date.now() + 10_000;
    while (!row && Date.now() < deadline) {
      const r = await sql<NonNullable<typeof row>>`SELECT principal, component, path, result, input FROM audit_decisions WHERE request_id = ${requestId}`.execute(t.db);
      row = r.rows[0];
      if (!row) await new Promise((r) => setTimeout(r, 50));
    }
    expect(row).toMatchObject({
      principal: 'crm',
      component: 'gateway',
      path: 'junction/authz/decision',
      result: { allow: false, reasons: ['no role of principal crm (bss) may read audit'] },
      input: { route: '/audit/v1/decisions' },
    });
    await engine.close();
  }, 30_000);
});
