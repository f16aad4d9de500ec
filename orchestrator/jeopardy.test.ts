import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmfSchemaCheck } from '../gateway/tmf/schema-check.js';
import { ungroup } from '../platform/bus/group-publish.js';
import { orderFor, startTestJunction, type TestJunction } from './testing.js';

const ORDERS = '/tmf-api/serviceOrdering/v4/serviceOrder';

describe('jeopardy', () => {
  let t: TestJunction;
  beforeAll(async () => {
    // A catalog whose broadband promises 300 ms, on a network taking ~1.6 s.
    const dir = mkdtempSync(path.join(tmpdir(), 'junction-catalog-'));
    const spec = JSON.parse(readFileSync(path.join(import.meta.dirname, '../catalog/specs/broadband.v1.json'), 'utf8'));
    writeFileSync(path.join(dir, 'broadband.v1.json'), JSON.stringify({ ...spec, expectedDurationMs: 300 }));
    t = await startTestJunction({
      catalogDir: dir,
      expirySweepMs: 100,
      adapterEntries: [{ name: 'sim', builtin: 'simulator', settings: { topology: './simulator/topology.demo.json', latency: { apply: { minMs: 800, maxMs: 800 } } } }],
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('raises a jeopardy alert once an order runs past its expected duration, and the alert stays', async () => {
    const created = await t.call('POST', ORDERS, orderFor('CUST-1001', 'broadband', { bandwidthMbps: 100 }));
    let seen: any;
    for (let i = 0; i < 100 && !seen; i++) {
      const r = await t.call('GET', `${ORDERS}/${created.body.id}`);
      if (r.body.jeopardyAlert) seen = r.body;
      else await new Promise((res) => setTimeout(res, 50));
    }
    expect(seen?.state).toBe('inProgress');
    expect(seen.jeopardyAlert).toHaveLength(1);
    expect(seen.jeopardyAlert[0]).toMatchObject({ jeopardyType: 'delay', name: 'expected duration exceeded' });
    const done = await t.waitFor(created.body.id, ['completed', 'failed']);
    expect(done.state).toBe('completed');
    expect(done.jeopardyAlert).toEqual(seen.jeopardyAlert); // the saga's later writes kept it
    expect(tmfSchemaCheck().errors('tmf641', 'ServiceOrder', done)).toEqual([]);
    const bus = t.junction.bus;
    const event = await bus.jsm.streams.getMessage(bus.topology.streams.notifications.name, { last_by_subj: bus.subjects.notifications.outbound });
    const all: string[] = [];
    const info = await bus.jsm.streams.info(bus.topology.streams.notifications.name);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await bus.jsm.streams.getMessage(bus.topology.streams.notifications.name, { seq });
      for (const e of ungroup(m!.json())) all.push((e as { eventType?: string }).eventType ?? 'billing');
    }
    expect(event).toBeDefined();
    expect(all.filter((e) => e === 'ServiceOrderJeopardyEvent')).toHaveLength(1);
  });
});
