import { afterEach, describe, expect, it } from 'vitest';
import { buildBundle } from '../bundle.js';
import { createPolicyEngine, type Decision, type PolicyEngine } from './index.js';

async function bundleAnswering(value: string, revision: string) {
  const source = `package svc\n\nimport rego.v1\n\nanswer := ${value}\n\nallow if input.role == "bss"\n`;
  return (await buildBundle({ sources: [{ file: 'svc.rego', source }], entrypoints: ['svc/answer', 'svc/allow'], revision })).bundle;
}

describe('policy engine', () => {
  let engine: PolicyEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('decides on worker threads and describes each decision for the audit log', async () => {
    const seen: Decision[] = [];
    engine = await createPolicyEngine({ bundle: await bundleAnswering('1', 'rev-1'), workers: 2, onDecision: (d) => void seen.push(d) });
    const allowed = await engine.decide('svc/allow', { role: 'bss' }, { principal: 'crm', orderId: 'O-1' });
    const denied = await engine.decide('data.svc.allow', { role: 'auditor' });
    expect(allowed.result).toBe(true);
    expect(denied.result).toBeUndefined();
    expect(allowed.bundles).toEqual({ junction: { revision: 'rev-1' } });
    expect(allowed.wasm_digest).toMatch(/^sha256:/);
    expect([allowed.principal, allowed.order_id, allowed.customer_id]).toEqual(['crm', 'O-1', undefined]);
    expect(allowed.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(allowed.decision_id < denied.decision_id).toBe(true); // UUIDv7: time-ordered
    expect(allowed.metrics.timer_rego_eval_ns).toBeGreaterThan(0);
    expect(seen.map((d) => d.decision_id)).toEqual([allowed.decision_id, denied.decision_id]);
  });

  it('swaps bundles atomically: decisions after activate() use the new one, in-flight ones finish', async () => {
    engine = await createPolicyEngine({ bundle: await bundleAnswering('1', 'rev-1'), workers: 2 });
    const before = Array.from({ length: 50 }, () => engine!.decide('svc/answer', {}));
    await engine.activate(await bundleAnswering('2', 'rev-2'));
    const after = await Promise.all(Array.from({ length: 50 }, () => engine!.decide('svc/answer', {})));
    for (const d of await Promise.all(before)) expect([d.result, d.bundles.junction!.revision]).toEqual([1, 'rev-1']);
    for (const d of after) expect([d.result, d.bundles.junction!.revision]).toEqual([2, 'rev-2']);
    expect(engine.revision).toBe('rev-2');
  });

  it('evaluates on the calling thread when workers is 0, with the same answers', async () => {
    engine = await createPolicyEngine({ bundle: await bundleAnswering('[1, 2]', 'r'), workers: 0 });
    expect((await engine.decide('svc/answer', null)).result).toEqual([1, 2]);
    await expect(engine.decide('svc/missing', {})).rejects.toThrow(/unknown entrypoint/);
  });
});
