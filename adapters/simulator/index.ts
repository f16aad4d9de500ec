/**
 * `simulator`: an in-process network (RAN, transport, core, access; NFV when the topology has
 * VIMs) for the demo, tests and
 * benchmarks. Capacity-checked apply/rollback, per-operation latency and failure injection,
 * drift injection, alarms (incl. a scripted fibre cut), KPI and usage emission.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  defineAdapter,
  permanent,
  succeeded,
  transient,
  type AdapterDeps,
  type AdapterResult,
  type AlarmEvent,
  type CallContext,
  type DiscoverResult,
  type HealthReport,
  type NetworkEvent,
  type ReadContext,
  type ResourceAction,
  type SouthboundAdapter,
  type VerifyResult,
  type VerifyTarget,
} from '../contract.js';
import { FaultInjector, faultSpecSchema, latencySpecSchema, seededRandom, type FaultSpec, type LatencySpec, type SimulatedOperation } from './faults.js';
import { compareParameters, SimulatedNetwork, SIMULATED_DOMAINS, type Refusal, type SimulatedDomain, type SimulatedService } from './network.js';
import { loadTopology } from './topology.js';

/** The topology shipped with Junction, used when settings name none. */
export const DEMO_TOPOLOGY = join(dirname(fileURLToPath(import.meta.url)), 'topology.demo.json');

const perOperation = <T extends z.ZodType>(schema: T) =>
  z.object({ apply: schema.optional(), rollback: schema.optional(), verify: schema.optional(), discover: schema.optional(), health: schema.optional() }).default({});

export const simulatorSettingsSchema = z.object({
  /** Path (relative to the configuration file) or inline topology object. */
  topology: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).default(DEMO_TOPOLOGY),
  /** Seed of the PRNG behind fault draws, latencies and KPI noise. */
  seed: z.number().int().default(1),
  faults: perOperation(faultSpecSchema),
  latency: perOperation(latencySpecSchema),
  /** Emit KPIs for every gNB and transport service at this period (off when absent). */
  kpiIntervalMs: z.number().int().positive().optional(),
  /** Scripted faults, relative to `start()`. */
  scenario: z
    .array(
      z.object({
        atMs: z.number().int().nonnegative(),
        event: z.literal('fibre-cut'),
        linkId: z.string().min(1),
        /** Repair the link this long after the cut (never when absent). */
        repairAfterMs: z.number().int().positive().optional(),
      }),
    )
    .default([]),
});
export type SimulatorSettings = z.infer<typeof simulatorSettingsSchema>;

export class SimulatorAdapter implements SouthboundAdapter {
  readonly domains: readonly SimulatedDomain[];
  readonly network: SimulatedNetwork;
  private readonly injector: FaultInjector;
  private readonly random: () => number;
  private readonly log: Logger;
  /** Parameters before the last modify / of the last deleted service, for rollback without hints. */
  private readonly previous = new Map<string, { type: string; domain: SimulatedService['domain']; params: Record<string, unknown> }>();
  /** Open alarms by alarmed object id. */
  private readonly openAlarms = new Map<string, AlarmEvent[]>();
  private readonly timers: Array<() => void> = [];
  private alarmSeq = 0;
  /** How far the simulated network's event clock runs ahead of the real one (advanceClock). */
  private clockOffsetMs = 0;
  /** Calls that reached the simulated network, per operation (tests use it to see retries and replays). */
  readonly calls: Record<SimulatedOperation, number> = { apply: 0, rollback: 0, verify: 0, discover: 0, health: 0 };

  constructor(
    readonly name: string,
    network: SimulatedNetwork,
    private readonly settings: SimulatorSettings,
    private readonly deps: AdapterDeps,
  ) {
    this.network = network;
    // `nfv` only with VIMs to host it: a topology without them must not claim the domain from an
    // NFVO adapter (sol005) configured beside the simulator.
    this.domains = network.topology.nfv.vims.length ? SIMULATED_DOMAINS : SIMULATED_DOMAINS.filter((d) => d !== 'nfv');
    this.random = seededRandom(settings.seed);
    this.injector = new FaultInjector(this.random);
    for (const [op, spec] of Object.entries(settings.faults)) if (spec) this.injector.setFault(op as SimulatedOperation, spec);
    for (const [op, spec] of Object.entries(settings.latency)) if (spec) this.injector.setLatency(op as SimulatedOperation, spec);
    this.log = deps.logger;
  }

  // --- controls for tests, demo and benchmarks -------------------------------------------------

  setFault(op: SimulatedOperation, spec: FaultSpec | undefined): void {
    this.injector.setFault(op, spec);
  }

  setLatency(op: SimulatedOperation, spec: LatencySpec | undefined): void {
    this.injector.setLatency(op, spec);
  }

  /** Changes the device state behind Junction's back: new field values, or `'remove'` to delete it. */
  injectDrift(resourceId: string, change: Record<string, unknown> | 'remove'): void {
    if (!this.network.services.has(resourceId)) throw new Error(`simulator ${this.name}: no service "${resourceId}" to drift`);
    if (change === 'remove') this.network.remove(resourceId);
    else this.network.drift(resourceId, change);
  }

  /**
   * Changes a link's latency (congestion, a degraded span): the latency KPIs of services routed over
   * it follow, and path computation (a re-route) weighs the new value.
   */
  setLinkLatency(linkId: string, latencyMs: number): void {
    const link = this.network.topology.transport.links.find((l) => l.id === linkId);
    if (!link) throw new Error(`simulator ${this.name}: no link "${linkId}"`);
    link.latencyMs = latencyMs;
  }

  /**
   * Fast-forwards the simulated network's clock: events emitted afterwards carry event times `ms`
   * later, so windows measured in event time (SLA: minutes) pass in a test's seconds.
   */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  /** Cuts a transport link: raises a critical alarm on it and a major one on every service over it. */
  async cutFibre(linkId: string): Promise<AlarmEvent[]> {
    if (!this.network.topology.transport.links.some((l) => l.id === linkId)) throw new Error(`simulator ${this.name}: no link "${linkId}"`);
    if (this.network.downLinks.has(linkId)) return [];
    this.network.downLinks.add(linkId);
    const now = this.isoNow();
    const affected = this.network.transportServicesOver(linkId);
    const root: AlarmEvent = {
      kind: 'alarm',
      id: this.nextAlarmId(linkId),
      source: this.name,
      eventTime: now,
      state: 'raised',
      alarmedObject: { id: linkId, type: 'transport-link' },
      alarmType: 'communicationsAlarm',
      perceivedSeverity: 'critical',
      probableCause: 'lossOfSignal',
      specificProblem: `fibre cut on ${linkId}`,
      alarmRaisedTime: now,
      isRootCause: true,
      affectedService: affected.map((s) => ({ id: s.id })),
    };
    const followers: AlarmEvent[] = affected.map((s) => ({
      kind: 'alarm',
      id: this.nextAlarmId(s.id),
      source: this.name,
      eventTime: now,
      state: 'raised',
      alarmedObject: { id: s.id, type: s.type },
      alarmType: 'qualityOfServiceAlarm',
      perceivedSeverity: 'major',
      probableCause: 'lossOfSignal',
      specificProblem: `path broken by fibre cut on ${linkId}`,
      alarmRaisedTime: now,
      isRootCause: false,
      parentAlarmId: root.id,
      affectedService: [{ id: s.id }],
    }));
    const raised = [root, ...followers];
    for (const alarm of raised) this.openAlarms.set(alarm.alarmedObject.id, [...(this.openAlarms.get(alarm.alarmedObject.id) ?? []), alarm]);
    await this.publishAll([...raised, ...affected.map((s) => this.kpi(s.id, s.type, 'availability', 0, 'ratio'))]);
    return raised;
  }

  /** Repairs a cut link and clears its alarms and those of the services over it. */
  async repairFibre(linkId: string): Promise<AlarmEvent[]> {
    if (!this.network.downLinks.delete(linkId)) return [];
    const now = this.isoNow();
    const objects = [linkId, ...this.network.transportServicesOver(linkId).map((s) => s.id)];
    const cleared: AlarmEvent[] = [];
    for (const objectId of objects) {
      const open = this.openAlarms.get(objectId) ?? [];
      const [fromThisCut, others] = partition(open, (a) => a.alarmedObject.id === linkId || a.specificProblem?.endsWith(` ${linkId}`) === true);
      for (const alarm of fromThisCut) {
        cleared.push({ ...alarm, state: 'cleared', perceivedSeverity: 'cleared', eventTime: now, alarmClearedTime: now });
      }
      if (others.length) this.openAlarms.set(objectId, others);
      else this.openAlarms.delete(objectId);
    }
    await this.publishAll(cleared);
    return cleared;
  }

  /** Open alarms, for inspection. */
  alarms(): AlarmEvent[] {
    return [...this.openAlarms.values()].flat();
  }

  /** One round of KPIs: PRB utilisation per gNB, vCPU utilisation per VIM; latency, throughput, availability per transport service. */
  async emitKpis(): Promise<NetworkEvent[]> {
    const events: NetworkEvent[] = [];
    for (const gnb of this.network.topology.ran.gnbs) {
      const used = [...this.network.services.values()]
        .filter((s) => s.domain === 'ran' && (s.device.gnbIds as string[]).includes(gnb.id))
        .reduce((sum, s) => sum + Number(s.device.prbs), 0);
      events.push(this.kpi(gnb.id, 'gnb', 'prb_utilisation', round((used / gnb.prbCapacity) * 100), 'percent'));
    }
    for (const vim of this.network.topology.nfv.vims) {
      events.push(this.kpi(vim.id, 'vim', 'vcpu_utilisation', round((this.network.vcpusUsed(vim.id) / vim.vcpuCapacity) * 100), 'percent'));
    }
    for (const s of this.network.services.values()) {
      if (s.domain !== 'transport') continue;
      const path = s.allocation.path ?? [];
      const up = !path.some((l) => this.network.downLinks.has(l));
      // Jitter of up to 10 % on latency and a load factor of 60-95 % on throughput, from the seeded PRNG.
      events.push(this.kpi(s.id, s.type, 'latency', round(this.network.pathLatencyMs(path) * (1 + this.random() * 0.1)), 'ms'));
      events.push(this.kpi(s.id, s.type, 'throughput', up ? round(Number(s.device.bandwidthMbps) * (0.6 + this.random() * 0.35)) : 0, 'Mbit/s'));
      events.push(this.kpi(s.id, s.type, 'availability', up ? 1 : 0, 'ratio'));
    }
    for (const s of this.network.services.values()) {
      if (s.domain !== 'core') continue;
      const now = this.isoNow();
      events.push({
        kind: 'usage',
        id: randomUUID(),
        source: this.name,
        eventTime: now,
        resource: { id: s.id, type: s.type },
        periodStart: new Date(this.deps.clock.now() + this.clockOffsetMs - (this.settings.kpiIntervalMs ?? 60_000)).toISOString(),
        periodEnd: now,
        usageType: 'sessions',
        quantity: Math.floor(Number(s.device.sessions) * this.random()),
        unit: 'sessions',
      });
    }
    await this.publishAll(events);
    return events;
  }

  // --- SouthboundAdapter --------------------------------------------------------------------------

  async start(): Promise<void> {
    for (const step of this.settings.scenario) {
      this.timers.push(
        this.deps.clock.schedule(() => {
          void this.cutFibre(step.linkId).catch((e) => this.log.error({ err: e }, 'scripted fibre cut failed'));
          if (step.repairAfterMs) {
            this.timers.push(this.deps.clock.schedule(() => void this.repairFibre(step.linkId).catch(() => undefined), step.repairAfterMs));
          }
        }, step.atMs),
      );
    }
    if (this.settings.kpiIntervalMs) this.scheduleKpis(this.settings.kpiIntervalMs);
  }

  async close(): Promise<void> {
    for (const cancel of this.timers.splice(0)) cancel();
  }

  async apply(action: ResourceAction, ctx: CallContext): Promise<AdapterResult> {
    const fault = await this.before('apply', ctx);
    if (fault) return fault;
    return this.applyNow(action.domain, action.operation, action.target, action.parameters);
  }

  async rollback(action: ResourceAction, ctx: CallContext): Promise<AdapterResult> {
    const fault = await this.before('rollback', ctx);
    if (fault) return fault;
    const saved = this.previous.get(action.target.id);
    switch (action.operation) {
      case 'create':
        return this.applyNow(action.domain, 'delete', action.target, {});
      case 'modify': {
        const params = action.rollback?.parameters ?? saved?.params;
        if (!params) return permanent(`cannot roll back modify of "${action.target.id}": no rollback parameters and no saved state`, 'unsupported');
        return this.applyNow(action.domain, 'modify', action.target, params);
      }
      case 'delete': {
        const params = action.rollback?.parameters ?? saved?.params;
        if (!params) return permanent(`cannot roll back delete of "${action.target.id}": no rollback parameters and no saved state`, 'unsupported');
        return this.applyNow(action.domain, 'create', action.target, params);
      }
    }
  }

  async verify(target: VerifyTarget, ctx: ReadContext): Promise<VerifyResult> {
    const fault = await this.before('verify', ctx);
    if (fault) return fault;
    const service = this.network.services.get(target.target.id);
    if (!service) return { status: 'absent', reason: `"${target.target.id}" is not configured in the ${target.domain} network` };
    const resource = { id: service.id, type: service.type, externalIds: {}, state: this.network.stateOf(service) };
    const differences = compareParameters(target.expected ?? service.intended, service.device);
    if (differences.length) {
      return { status: 'drifted', reason: `"${service.id}" differs in ${differences.map((d) => d.field).join(', ')}`, resource, differences };
    }
    return { status: 'in-sync', reason: `"${service.id}" matches`, resource };
  }

  async discover(ctx: ReadContext): Promise<DiscoverResult> {
    const fault = await this.before('discover', ctx);
    if (fault) return fault;
    const resources = [...this.network.services.values()].map((s) => ({
      id: s.id,
      type: s.type,
      domain: s.domain,
      externalIds: {},
      state: this.network.stateOf(s),
    }));
    return { status: 'success', resources };
  }

  async health(ctx: ReadContext): Promise<HealthReport> {
    const fault = await this.before('health', ctx);
    if (fault) return { status: 'down', detail: fault.reason };
    const down = [...this.network.downLinks];
    return down.length ? { status: 'degraded', detail: `links down: ${down.join(', ')}` } : { status: 'up' };
  }

  // --- internals -------------------------------------------------------------------------------

  private applyNow(domain: string, operation: ResourceAction['operation'], target: ResourceAction['target'], params: Record<string, unknown>): AdapterResult {
    if (!this.network.isSimulatedDomain(domain)) return permanent(`the simulator does not model domain "${domain}"`, 'unsupported');
    const existing = this.network.services.get(target.id);
    if (operation === 'delete') {
      if (!existing) return succeeded(`"${target.id}" is already absent`, { id: target.id, type: target.type, state: { deleted: true } }, true);
      this.previous.set(target.id, { type: existing.type, domain: existing.domain, params: existing.intended });
      this.network.remove(target.id);
      return succeeded(`deleted ${domain} resource "${target.id}"`, { id: target.id, type: target.type, state: { deleted: true } });
    }
    if (operation === 'create' && existing) {
      if (compareParameters(params, existing.device).length === 0) {
        return succeeded(`"${target.id}" already configured as requested`, this.resourceOf(existing), true);
      }
      return permanent(`"${target.id}" already exists with different parameters; use modify`, 'conflict');
    }
    if (operation === 'modify' && !existing) return permanent(`cannot modify "${target.id}": it does not exist`, 'not-found');

    const planned = this.network.plan(domain, target.id, params);
    if ('refused' in planned) return refusalResult(planned);
    if (existing) this.previous.set(target.id, { type: existing.type, domain: existing.domain, params: existing.intended });
    const service: SimulatedService = { id: target.id, type: target.type, domain, intended: { ...params }, device: { ...params }, allocation: planned.allocation };
    this.network.put(service);
    return succeeded(`${operation === 'create' ? 'created' : 'modified'} ${domain} resource "${target.id}"`, this.resourceOf(service));
  }

  private resourceOf(service: SimulatedService) {
    return {
      id: service.id,
      type: service.type,
      externalIds: { simulatorId: `${this.name}/${service.domain}/${service.id}` },
      state: this.network.stateOf(service),
    };
  }

  /** Latency, then the injected fault if one is drawn. A timeout hangs until the deadline aborts the call. */
  private async before(op: SimulatedOperation, ctx: ReadContext) {
    this.calls[op] += 1;
    const latency = this.injector.latencyFor(op);
    if (latency > 0) await this.deps.clock.sleep(latency, ctx.signal);
    const fault = this.injector.draw(op);
    if (fault === 'transient') return transient(`simulated transient failure of ${op}`, 'unreachable');
    if (fault === 'permanent') return permanent(`simulated permanent failure of ${op}`, 'rejected');
    if (fault === 'timeout') {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      return transient(`simulated timeout of ${op}`, 'timeout');
    }
    return undefined;
  }

  private scheduleKpis(every: number): void {
    this.timers.push(
      this.deps.clock.schedule(() => {
        void this.emitKpis().catch((e) => this.log.error({ err: e }, 'KPI emission failed'));
        this.scheduleKpis(every);
      }, every),
    );
  }

  private kpi(resourceId: string, type: string, metric: string, value: number, unit: string): NetworkEvent {
    return { kind: 'kpi', id: randomUUID(), source: this.name, eventTime: this.isoNow(), resource: { id: resourceId, type }, metric, value, unit };
  }

  /** Event publishing must never break configuration: failures are logged, not thrown. */
  private async publishAll(events: NetworkEvent[]): Promise<void> {
    for (const event of events) {
      try {
        await this.deps.events(event);
      } catch (error) {
        this.log.warn({ err: error, eventId: event.id, kind: event.kind }, 'could not publish network event');
      }
    }
  }

  private nextAlarmId(objectId: string): string {
    this.alarmSeq += 1;
    return `${this.name}:${objectId}:${this.alarmSeq}`;
  }

  private isoNow(): string {
    return new Date(this.deps.clock.now() + this.clockOffsetMs).toISOString();
  }
}

function refusalResult(r: Refusal): AdapterResult {
  return r.kind === 'transient' ? transient(r.reason, r.code) : permanent(r.reason, r.code);
}

function partition<T>(items: T[], test: (t: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((t) => !test(t))];
}

const round = (n: number) => Math.round(n * 100) / 100;

export const simulatorAdapter = defineAdapter({
  kind: 'simulator',
  description: 'In-process network model (RAN, transport, core, access, NFV) with fault, drift and alarm injection',
  domains: SIMULATED_DOMAINS,
  settingsSchema: simulatorSettingsSchema,
  async create(name, settings, deps) {
    const topology = await loadTopology(settings.topology, deps.baseDir);
    return new SimulatorAdapter(name, new SimulatedNetwork(topology), settings, deps);
  },
});
export default simulatorAdapter;
