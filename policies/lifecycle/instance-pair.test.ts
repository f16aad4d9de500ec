// Activation reaches a second running Junction: two real instances (own HTTP listeners, own NATS
// connections) share Postgres and a namespace; compliance activates on A, B swaps and decides with
// the new revision. The time it took is measured and reported (annotation), not asserted:
// `npm run bench:policy-propagation` measures it over many activations.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDITOR_KEY, startInstancePair, type InstancePair } from './instance-pair.js';

describe('policy activation across two running instances', () => {
  let pair: InstancePair;
  let rev1: string;

  beforeAll(async () => {
    pair = await startInstancePair();
    rev1 = await pair.upload('one');
  }, 180_000);
  afterAll(async () => {
    await pair?.stop();
  });

  /** A request B's gateway denies; its decision in the audit log names the bundle revision B decided with. */
  async function revisionBDecidesWith(requestId: string): Promise<string | undefined> {
    const res = await fetch(`${pair.b.url}/policy/v1/bundles`, { headers: { Authorization: `Bearer ${AUDITOR_KEY}`, 'X-Request-Id': requestId } });
    expect(res.status).toBe(403);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await sql<{ bundles: Record<string, { revision: string }> }>`SELECT bundles FROM audit_decisions WHERE request_id = ${requestId}`.execute(pair.database.db);
      if (rows[0] || Date.now() > deadline) return rows[0]?.bundles.junction?.revision;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('swaps B to the revision activated on A, and B then decides with it', async ({ annotate }) => {
    expect(await revisionBDecidesWith('pair-before')).not.toBe(rev1);
    const { activatedMs, propagatedMs } = await pair.activate(rev1);
    expect(propagatedMs).toBeDefined();
    expect(await revisionBDecidesWith('pair-after')).toBe(rev1);
    await annotate(`activation on A → applied on instance B: ${propagatedMs!.toFixed(0)} ms (A answered after ${activatedMs.toFixed(0)} ms)`);
  }, 120_000);
});
