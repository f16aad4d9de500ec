/**
 * `ovsdb`: transport services as Open vSwitch configuration through the OVSDB management protocol
 * (RFC 7047). One service = one Port on the configured bridge, named after the service, with its
 * VLAN `tag`, an internal Interface, and a linux-htb QoS whose single Queue caps the ordered
 * bandwidth (`other_config:max-rate`, bit/s). Rows carry `external_ids:junction-service-id` so
 * discover can tell Junction's ports from others.
 */
import { z } from 'zod';
import {
  defineAdapter,
  permanent,
  succeeded,
  transient,
  type AdapterDeps,
  type AdapterFailure,
  type AdapterResult,
  type CallContext,
  type DiscoverResult,
  type HealthReport,
  type ReadContext,
  type ResourceAction,
  type SouthboundAdapter,
  type VerifyResult,
  type VerifyTarget,
} from '../contract.js';
import { OvsdbClient, OvsdbConnectionError, OvsdbRpcError } from './json-rpc.js';

export const ovsdbSettingsSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(6640),
  database: z.string().min(1).default('Open_vSwitch'),
  /** Bridge the service ports go on; created when missing. */
  bridge: z.string().min(1).max(15).default('br-junction'),
  /** Port names are `<prefix><service id>` (truncated to `maxPortName`). */
  portPrefix: z.string().default('jn-'),
  maxPortName: z.number().int().min(4).max(64).default(32),
});
export type OvsdbSettings = z.infer<typeof ovsdbSettingsSchema>;

const serviceParametersSchema = z.object({
  /** 802.1Q VLAN id; the OVSDB schema itself bounds it (0-4095), so the server has the last word. */
  vlan: z.number().int(),
  bandwidthMbps: z.number().positive(),
});
type ServiceParameters = z.infer<typeof serviceParametersSchema>;

const SERVICE_KEY = 'junction-service-id';
type Op = Record<string, unknown>;
type Row = Record<string, unknown>;

const map = (entries: Record<string, string>) => ['map', Object.entries(entries)];
const namedUuid = (name: string) => ['named-uuid', name];
const byService = (id: string) => [['external_ids', 'includes', map({ [SERVICE_KEY]: id })]];

/** Reads an OVSDB map column value (`["map", [[k, v]...]]`) into an object. */
function readMap(value: unknown): Record<string, string> {
  if (Array.isArray(value) && value[0] === 'map' && Array.isArray(value[1])) {
    return Object.fromEntries((value[1] as [string, string][]).map(([k, v]) => [k, v]));
  }
  return {};
}
/** Reads an optional scalar (`["set", []]` when empty). */
function readOptional(value: unknown): unknown {
  if (Array.isArray(value) && value[0] === 'set') return (value[1] as unknown[])[0];
  return value;
}
function readUuid(value: unknown): string | undefined {
  const v = readOptional(value);
  return Array.isArray(v) && v[0] === 'uuid' ? String(v[1]) : undefined;
}

interface ObservedPort {
  name: string;
  serviceId: string;
  vlan: number | undefined;
  bandwidthMbps: number | undefined;
  portUuid: string;
  qosUuid: string | undefined;
}

export class OvsdbAdapter implements SouthboundAdapter {
  readonly domains = ['transport'] as const;
  /** TCP connections opened (tests use it to see retries). */
  connects = 0;

  constructor(
    readonly name: string,
    private readonly settings: OvsdbSettings,
    private readonly deps: AdapterDeps,
  ) {}

  portName(serviceId: string): string {
    return `${this.settings.portPrefix}${serviceId}`.slice(0, this.settings.maxPortName);
  }

  async apply(action: ResourceAction, ctx: CallContext): Promise<AdapterResult> {
    return this.guard('apply', ctx, (client) => this.applyWith(client, action.operation, action.target, action.parameters, ctx));
  }

  async rollback(action: ResourceAction, ctx: CallContext): Promise<AdapterResult> {
    return this.guard('rollback', ctx, async (client) => {
      switch (action.operation) {
        case 'create':
          return this.applyWith(client, 'delete', action.target, {}, ctx);
        case 'modify':
        case 'delete':
          if (!action.rollback?.parameters) {
            return permanent(`cannot roll back ${action.operation} of "${action.target.id}" without rollback.parameters (the previous vlan and bandwidthMbps)`, 'unsupported');
          }
          return this.applyWith(client, action.operation === 'modify' ? 'modify' : 'create', action.target, action.rollback.parameters, ctx);
      }
    });
  }

  async verify(target: VerifyTarget, ctx: ReadContext): Promise<VerifyResult> {
    return this.guard('verify', ctx, async (client) => {
      const observed = await this.observe(client, target.target.id, ctx.signal);
      if (!observed) return { status: 'absent', reason: `no port ${this.portName(target.target.id)} on bridge ${this.settings.bridge}` };
      const resource = this.resourceOf(target.target.type, observed);
      const actual: Record<string, unknown> = { vlan: observed.vlan, bandwidthMbps: observed.bandwidthMbps };
      const differences = Object.entries(target.expected ?? {})
        .filter(([field]) => field in actual)
        .filter(([field, value]) => actual[field] !== value)
        .map(([field, expected]) => ({ field, expected, actual: actual[field] }));
      return differences.length
        ? { status: 'drifted', reason: `port ${observed.name} differs in ${differences.map((d) => d.field).join(', ')}`, resource, differences }
        : { status: 'in-sync', reason: `port ${observed.name} matches`, resource };
    });
  }

  async discover(ctx: ReadContext): Promise<DiscoverResult> {
    return this.guard('discover', ctx, async (client) => {
      const [ports] = await this.transact(client, [{ op: 'select', table: 'Port', where: [], columns: ['_uuid', 'name', 'tag', 'qos', 'external_ids'] }], ctx.signal);
      const ours = ((ports as { rows: Row[] }).rows ?? []).filter((r) => readMap(r.external_ids)[SERVICE_KEY]);
      const resources = [];
      for (const row of ours) {
        const observed = await this.observe(client, readMap(row.external_ids)[SERVICE_KEY]!, ctx.signal);
        if (observed) resources.push({ ...this.resourceOf('transport-service', observed), domain: 'transport' });
      }
      return { status: 'success', resources };
    });
  }

  async health(ctx: ReadContext): Promise<HealthReport> {
    const result = await this.guard('health', ctx, async (client) => {
      const dbs = (await client.request('list_dbs', [], ctx.signal)) as string[];
      return dbs.includes(this.settings.database)
        ? succeeded('ok', { id: this.settings.database, type: 'ovsdb' })
        : permanent(`database ${this.settings.database} not served (has: ${dbs.join(', ')})`);
    });
    return result.status === 'success' ? { status: 'up' } : { status: 'down', detail: result.reason };
  }

  // --- internals -------------------------------------------------------------------------------

  private async applyWith(client: OvsdbClient, operation: ResourceAction['operation'], target: ResourceAction['target'], raw: Record<string, unknown>, ctx: ReadContext): Promise<AdapterResult> {
    const existing = await this.observe(client, target.id, ctx.signal);
    if (operation === 'delete') {
      if (!existing) return succeeded(`port ${this.portName(target.id)} is already absent`, { id: target.id, type: target.type, state: { deleted: true } }, true);
      await this.transact(client, [
        { op: 'mutate', table: 'Bridge', where: [['name', '==', this.settings.bridge]], mutations: [['ports', 'delete', ['set', [['uuid', existing.portUuid]]]]] },
        // Delete the Port explicitly so its QoS reference is gone in this transaction (the
        // Interface is garbage-collected with it); QoS and Queue are root tables.
        { op: 'delete', table: 'Port', where: [['_uuid', '==', ['uuid', existing.portUuid]]] },
        { op: 'delete', table: 'QoS', where: byService(target.id) },
        { op: 'delete', table: 'Queue', where: byService(target.id) },
      ], ctx.signal);
      return succeeded(`removed port ${existing.name} from ${this.settings.bridge}`, { id: target.id, type: target.type, state: { deleted: true } });
    }

    const parsed = serviceParametersSchema.safeParse(raw);
    if (!parsed.success) {
      return permanent(`invalid transport parameters: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, 'invalid-action');
    }
    const params = parsed.data;
    if (operation === 'create') {
      if (existing) {
        if (existing.vlan === params.vlan && existing.bandwidthMbps === params.bandwidthMbps) {
          return succeeded(`port ${existing.name} already configured as requested`, this.resourceOf(target.type, existing), true);
        }
        return permanent(`port ${existing.name} already exists with vlan ${existing.vlan} and ${existing.bandwidthMbps} Mbit/s; use modify`, 'conflict');
      }
      await this.ensureBridge(client, ctx.signal);
      await this.transact(client, this.createOps(target.id, params), ctx.signal);
    } else {
      if (!existing) return permanent(`cannot modify "${target.id}": no port ${this.portName(target.id)}`, 'not-found');
      const rate = map({ 'max-rate': bitsPerSecond(params.bandwidthMbps) });
      await this.transact(client, [
        { op: 'update', table: 'Port', where: [['_uuid', '==', ['uuid', existing.portUuid]]], row: { tag: params.vlan } },
        { op: 'update', table: 'QoS', where: byService(target.id), row: { other_config: rate } },
        { op: 'update', table: 'Queue', where: byService(target.id), row: { other_config: rate } },
      ], ctx.signal);
    }
    const now = await this.observe(client, target.id, ctx.signal);
    if (!now) return transient(`port ${this.portName(target.id)} vanished right after ${operation}`, 'conflict');
    return succeeded(`${operation === 'create' ? 'created' : 'modified'} port ${now.name} vlan ${now.vlan} at ${now.bandwidthMbps} Mbit/s`, this.resourceOf(target.type, now));
  }

  private createOps(serviceId: string, params: ServiceParameters): Op[] {
    const name = this.portName(serviceId);
    const ids = map({ [SERVICE_KEY]: serviceId });
    const rate = map({ 'max-rate': bitsPerSecond(params.bandwidthMbps) });
    return [
      // Refuse if another writer created the port since we looked (until "==" an empty row set).
      { op: 'wait', table: 'Port', where: [['name', '==', name]], columns: ['name'], until: '==', rows: [], timeout: 0 },
      { op: 'insert', table: 'Queue', row: { other_config: rate, external_ids: ids }, 'uuid-name': 'queue' },
      { op: 'insert', table: 'QoS', row: { type: 'linux-htb', other_config: rate, queues: ['map', [[0, namedUuid('queue')]]], external_ids: ids }, 'uuid-name': 'qos' },
      { op: 'insert', table: 'Interface', row: { name, type: 'internal', external_ids: ids }, 'uuid-name': 'iface' },
      { op: 'insert', table: 'Port', row: { name, tag: params.vlan, interfaces: namedUuid('iface'), qos: namedUuid('qos'), external_ids: ids }, 'uuid-name': 'port' },
      { op: 'mutate', table: 'Bridge', where: [['name', '==', this.settings.bridge]], mutations: [['ports', 'insert', ['set', [namedUuid('port')]]]] },
    ];
  }

  /** Creates the Open_vSwitch root row and the bridge when a fresh database lacks them. */
  private async ensureBridge(client: OvsdbClient, signal: AbortSignal): Promise<void> {
    const [root, bridge] = (await this.transact(client, [
      { op: 'select', table: 'Open_vSwitch', where: [], columns: ['_uuid'] },
      { op: 'select', table: 'Bridge', where: [['name', '==', this.settings.bridge]], columns: ['_uuid'] },
    ], signal)) as [{ rows: Row[] }, { rows: Row[] }];
    if (bridge.rows.length) return;
    const insertBridge = { op: 'insert', table: 'Bridge', row: { name: this.settings.bridge }, 'uuid-name': 'bridge' };
    if (root.rows.length === 0) {
      await this.transact(client, [insertBridge, { op: 'insert', table: 'Open_vSwitch', row: { bridges: namedUuid('bridge') } }], signal);
    } else {
      await this.transact(client, [
        insertBridge,
        { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['bridges', 'insert', ['set', [namedUuid('bridge')]]]] },
      ], signal);
    }
    this.deps.logger.info({ bridge: this.settings.bridge }, 'created bridge');
  }

  private async observe(client: OvsdbClient, serviceId: string, signal: AbortSignal): Promise<ObservedPort | undefined> {
    const name = this.portName(serviceId);
    const [ports, queues] = (await this.transact(client, [
      { op: 'select', table: 'Port', where: [['name', '==', name]], columns: ['_uuid', 'name', 'tag', 'qos', 'external_ids'] },
      { op: 'select', table: 'Queue', where: byService(serviceId), columns: ['other_config'] },
    ], signal)) as [{ rows: Row[] }, { rows: Row[] }];
    const port = ports.rows[0];
    if (!port) return undefined;
    const maxRate = queues.rows[0] ? readMap(queues.rows[0].other_config)['max-rate'] : undefined;
    const tag = readOptional(port.tag);
    return {
      name,
      serviceId,
      vlan: typeof tag === 'number' ? tag : undefined,
      bandwidthMbps: maxRate !== undefined ? Number(maxRate) / 1_000_000 : undefined,
      portUuid: readUuid(port._uuid)!,
      qosUuid: readUuid(port.qos),
    };
  }

  private resourceOf(type: string, p: ObservedPort) {
    return {
      id: p.serviceId,
      type,
      externalIds: { ovsdbPortUuid: p.portUuid, ovsdbPortName: p.name, ...(p.qosUuid ? { ovsdbQosUuid: p.qosUuid } : {}) },
      state: { bridge: this.settings.bridge, port: p.name, vlan: p.vlan, bandwidthMbps: p.bandwidthMbps },
    };
  }

  /** Runs a transaction; any per-operation error fails it with the server's error and details. */
  private async transact(client: OvsdbClient, ops: Op[], signal: AbortSignal): Promise<unknown[]> {
    const results = (await client.request('transact', [this.settings.database, ...ops], signal)) as Array<Row | null>;
    const failed = results.find((r) => r && typeof r === 'object' && 'error' in r && r.error);
    if (failed) throw new OvsdbRpcError('transact', { error: failed.error, details: failed.details });
    for (const [i, op] of ops.entries()) {
      if (op.op === 'mutate' && op.table === 'Bridge' && (results[i] as { count?: number })?.count === 0) {
        throw new OvsdbRpcError('transact', { error: 'not found', details: `bridge ${this.settings.bridge} does not exist` });
      }
    }
    return results;
  }

  /** One connection per call, so an aborted call cannot leave a half-read connection for the next. */
  private async guard<T>(op: string, ctx: ReadContext, work: (client: OvsdbClient) => Promise<T>): Promise<T | AdapterFailure> {
    let client: OvsdbClient | undefined;
    try {
      this.connects += 1;
      client = await OvsdbClient.connect(this.settings.host, this.settings.port, ctx.signal);
      return await work(client);
    } catch (error) {
      if (error instanceof OvsdbConnectionError) return transient(`${op}: ${error.message}`, ctx.signal.aborted ? 'timeout' : 'unreachable');
      if (error instanceof OvsdbRpcError) {
        const detail = error.error as { error?: string; details?: string };
        // Constraint and syntax errors will repeat; anything else (e.g. "timed out" wait) may not.
        const final = ['constraint violation', 'referential integrity violation', 'syntax error', 'unknown database', 'not found'];
        const kind = final.includes(String(detail?.error)) ? 'permanent' : 'transient';
        const reason = `${op}: OVSDB refused: ${detail?.error ?? 'error'}${detail?.details ? ` (${detail.details})` : ''}`;
        return kind === 'permanent' ? permanent(reason, 'rejected') : transient(reason, 'conflict');
      }
      throw error;
    } finally {
      client?.close();
    }
  }
}

const bitsPerSecond = (mbps: number) => String(Math.round(mbps * 1_000_000));

export const ovsdbAdapter = defineAdapter({
  kind: 'ovsdb',
  description: 'Open vSwitch through OVSDB (RFC 7047): per-service port, VLAN tag and QoS max-rate',
  domains: ['transport'],
  settingsSchema: ovsdbSettingsSchema,
  create: (name, settings, deps) => new OvsdbAdapter(name, settings, deps),
});
export default ovsdbAdapter;
