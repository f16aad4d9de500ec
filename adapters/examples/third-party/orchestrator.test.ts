/**
 * The third-party example adapter used by the real orchestrator, loaded by configuration alone
 * (the adapters.yaml beside this file, as JUNCTION_ADAPTERS would name it): an `ip-vpn` order goes
 * through gateway, saga, policies, Postgres and NATS; its transport action goes to the simulator
 * and its `ipam` action to the example adapter.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_DIR } from '../../../orchestrator/wiring.js';
import { startTestJunction, type TestJunction } from '../../../orchestrator/testing.js';

const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The shipped policies, with data that offers `ip-vpn` and lets `ipam` actions create but not
 * delete — the provisioning rule is driven by `data.provisioning.operations`, so no Rego changes.
 */
function policyDirAllowingIpamCreate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'junction-policies-'));
  cpSync(DEFAULT_POLICY_DIR, dir, { recursive: true });
  const data = JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8'));
  data.entitlement.products['ip-vpn'] = { customerTypes: ['enterprise'], sites: ['SITE-A', 'SITE-B'], slaTiers: [] };
  data.provisioning.operations.ipam = ['create'];
  writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
  return dir;
}

const ipVpnOrder = (bandwidthMbps: number) => ({
  relatedParty: [{ id: 'CUST-2001', role: 'customer', '@referredType': 'Customer' }],
  serviceOrderItem: [
    {
      id: '1',
      action: 'add',
      service: {
        serviceSpecification: { id: 'ip-vpn' },
        serviceCharacteristic: [{ name: 'bandwidthMbps', value: bandwidthMbps }],
        place: [{ id: 'SITE-A', role: 'installationAddress' }],
      },
    },
  ],
});

async function actionsOf(t: TestJunction, orderId: string) {
  const rows = await t.database.db
    .selectFrom('order_actions')
    .select(['action_id', 'status', 'action', 'result'])
    .where('order_id', '=', orderId)
    .orderBy('seq')
    .execute();
  return rows as Array<{ action_id: string; status: string; action: any; result: any }>;
}

describe('third-party adapter used by the orchestrator, loaded by configuration alone', () => {
  let t: TestJunction;
  let policyDir: string;
  beforeAll(async () => {
    policyDir = policyDirAllowingIpamCreate();
    t = await startTestJunction({
      adaptersFile: here('./adapters.yaml'),
      catalogDir: here('./catalog'),
      policyDir,
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    if (policyDir) rmSync(policyDir, { recursive: true, force: true });
  });

  it('completes an ip-vpn order: transport on the simulator, the subnet allocated by the example adapter', async () => {
    const created = await t.call('POST', ORDERS, ipVpnOrder(300));
    expect(created.status).toBe(201);
    // The first order also waits for the policy bundle to compile; give a busy machine room.
    const done = await t.waitFor(created.body.id, ['completed', 'failed', 'rejected'], 80_000);
    expect(done.errorMessage).toBeUndefined();
    expect(done.state).toBe('completed');
    const serviceId = done.serviceOrderItem[0].service.id;

    const actions = await actionsOf(t, done.id);
    expect(actions.map((a) => [a.action_id, a.action.domain, a.status])).toEqual([
      ['transport', 'transport', 'applied'],
      ['subnet', 'ipam', 'applied'],
    ]);
    // The example adapter's own answer: the first /24 of its configured supernet (10.20.0.0/16).
    expect(actions[1]!.result).toMatchObject({
      status: 'success',
      reason: `allocated 10.20.0.0/24 to ${serviceId}-subnet`,
      resource: { id: `${serviceId}-subnet`, type: 'subnet', externalIds: { subnet: '10.20.0.0/24' } },
    });
    expect(actions[0]!.result).toMatchObject({ status: 'success', resource: { id: `${serviceId}-transport` } });
    const service = await t.call('GET', `/tmf-api/serviceInventory/v4/service/${serviceId}`);
    expect(service.body.state).toBe('active');
  }, 90_000);

  it('a denied ipam action never reaches the adapter: the subnet stays allocated', async () => {
    const add = await t.call('POST', ORDERS, ipVpnOrder(100));
    const added = await t.waitFor(add.body.id, ['completed', 'failed', 'rejected']);
    expect(added.state).toBe('completed');
    const first = (await actionsOf(t, added.id))[1]!.result.resource.externalIds.subnet as string;
    const serviceId = added.serviceOrderItem[0].service.id;

    // Disconnect: the policy data permits ipam create only, so the subnet's delete is denied.
    const del = await t.call('POST', ORDERS, {
      relatedParty: [{ id: 'CUST-2001', role: 'customer' }],
      serviceOrderItem: [{ id: '1', action: 'delete', service: { id: serviceId } }],
    });
    expect(del.status).toBe(201);
    const refused = await t.waitFor(del.body.id, ['completed', 'failed', 'rejected']);
    expect(refused.state).toBe('failed');
    expect(refused.errorMessage.map((e: { reason: string }) => e.reason)).toEqual(['subnet: operation delete is not permitted in domain ipam']);
    const delActions = await actionsOf(t, del.body.id);
    expect(delActions.find((a) => a.action_id === 'subnet')).toMatchObject({ status: 'denied', result: { reasons: ['operation delete is not permitted in domain ipam'] } });
    expect(delActions.find((a) => a.action_id === 'transport')?.status).toBe('pending');

    // Had the delete reached the adapter, it would have released `first` and handed it out again.
    const next = await t.call('POST', ORDERS, ipVpnOrder(100));
    const nextDone = await t.waitFor(next.body.id, ['completed', 'failed', 'rejected']);
    expect(nextDone.state).toBe('completed');
    const nextSubnet = (await actionsOf(t, nextDone.id))[1]!.result.resource.externalIds.subnet as string;
    expect(nextSubnet).not.toBe(first);
    expect(nextSubnet).toMatch(/^10\.20\.\d+\.0\/24$/);
  });
});
