/**
 * `sol005`: network-service lifecycle on an NFVO (e.g. OSM) through ETSI GS NFV-SOL 005 NS LCM:
 *   create  → POST ns_instances, POST …/instantiate (202 + LCM op occurrence), poll the
 *             occurrence until COMPLETED / FAILED / FAILED_TEMP / ROLLED_BACK within the deadline
 *   modify  → POST …/scale (SCALE_NS to the given level per scaling aspect), poll
 *   delete  → POST …/terminate, poll, DELETE the instance
 * The NFVO does not know Junction's idempotency key, so the NS instance name carries the
 * resource id: a retry after a crash or timeout finds the instance and its running operation and
 * continues polling instead of instantiating twice. FAILED_TEMP is retried with …/retry.
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

export const sol005SettingsSchema = z
  .object({
    /** The NFVO's API root, e.g. `https://osm:9999/osm`. */
    apiRoot: z.url().transform((u) => u.replace(/\/+$/, '')),
    /** Path of the NS LCM interface below the API root. */
    nslcmPath: z.string().default('nslcm/v1'),
    /** Value of the SOL013 `Version` header. */
    apiVersion: z.string().default('1.0.0'),
    bearerToken: z.string().optional(),
    /** NS instance names are `<prefix><resource id>`. */
    namePrefix: z.string().default('junction-'),
    pollIntervalMs: z.number().int().positive().default(1_000),
  });
export type Sol005Settings = z.infer<typeof sol005SettingsSchema>;

const nsParametersSchema = z.object({
  nsdId: z.string().min(1),
  nsFlavourId: z.string().min(1),
  nsInstantiationLevelId: z.string().optional(),
  nsDescription: z.string().optional(),
  additionalParamsForNs: z.record(z.string(), z.unknown()).optional(),
  /** Extra fields for the CreateNsRequest that an NFVO requires beyond SOL005 (e.g. OSM's `vimAccountId`). */
  createNsExtras: z.record(z.string(), z.unknown()).optional(),
});

const nsScaleInfoSchema = z.object({ nsScalingAspectId: z.string().min(1), nsScaleLevelId: z.string().min(1) });
type NsScaleInfo = z.infer<typeof nsScaleInfoSchema>;

/**
 * `modify` scales the NS to a level per scaling aspect (SOL005 ScaleNsToLevelData.nsScaleInfo).
 * Only this form, because the NsInstance reports it back (`nsScaleStatus`): that is what makes a
 * replay idempotent and lets verify compare. An instantiation level is not reported back.
 */
const scaleParametersSchema = z.object({
  nsScaleInfo: z.array(nsScaleInfoSchema).min(1),
  additionalParamsForNs: z.record(z.string(), z.unknown()).optional(),
});

interface NsInstance {
  id: string;
  nsInstanceName: string;
  nsdId?: string;
  nsState: 'NOT_INSTANTIATED' | 'INSTANTIATED';
  nsScaleStatus?: NsScaleInfo[];
}
interface NsLcmOpOcc {
  id: string;
  nsInstanceId: string;
  lcmOperationType: string;
  operationState: string;
  error?: { title?: string; detail?: string; status?: number };
}
const RUNNING_STATES = new Set(['STARTING', 'PROCESSING', 'ROLLING_BACK']);

/** An HTTP answer that is not what the flow needed, carried to the top as a failure result. */
class NfvoFailure extends Error {
  constructor(readonly failure: AdapterFailure) {
    super(failure.reason);
  }
}

export class Sol005Adapter implements SouthboundAdapter {
  readonly domains = ['nfv'] as const;
  readonly requests: string[] = [];

  constructor(
    readonly name: string,
    private readonly settings: Sol005Settings,
    private readonly deps: AdapterDeps,
  ) {}

  instanceName(resourceId: string): string {
    return `${this.settings.namePrefix}${resourceId}`;
  }

  async apply(action: ResourceAction, ctx: CallContext): Promise<AdapterResult> {
    return this.guard(ctx.signal, () => this.run(action.operation, action.target, action.parameters, ctx));
  }

  async rollback(action: ResourceAction, ctx: CallContext): Promise<AdapterResult> {
    return this.guard(ctx.signal, async () => {
      if (action.operation === 'create') return this.run('delete', action.target, {}, ctx);
      // modify → scale back to the previous levels; delete → re-create: both need the previous values.
      if (action.rollback?.parameters) return this.run(action.operation === 'delete' ? 'create' : 'modify', action.target, action.rollback.parameters, ctx);
      return permanent(`cannot roll back ${action.operation} of "${action.target.id}" without rollback.parameters`, 'unsupported');
    });
  }

  async verify(target: VerifyTarget, ctx: ReadContext): Promise<VerifyResult> {
    return this.guard(ctx.signal, async () => {
      const ns = await this.findInstance(target.target.id, ctx.signal);
      if (!ns) return { status: 'absent', reason: `no NS instance named ${this.instanceName(target.target.id)}` };
      const resource = this.resourceOf(target.target, ns);
      const differences = [];
      if (ns.nsState !== 'INSTANTIATED') differences.push({ field: 'nsState', expected: 'INSTANTIATED', actual: ns.nsState });
      const expectedNsd = target.expected?.nsdId;
      if (expectedNsd !== undefined && ns.nsdId !== expectedNsd) differences.push({ field: 'nsdId', expected: expectedNsd, actual: ns.nsdId });
      const expectedScale = z.array(nsScaleInfoSchema).safeParse(target.expected?.nsScaleInfo);
      for (const want of expectedScale.success ? expectedScale.data : []) {
        const actual = levelOf(ns, want.nsScalingAspectId);
        if (actual !== want.nsScaleLevelId) differences.push({ field: `nsScaleStatus.${want.nsScalingAspectId}`, expected: want.nsScaleLevelId, actual });
      }
      return differences.length
        ? { status: 'drifted', reason: `NS ${ns.id} differs in ${differences.map((d) => d.field).join(', ')}`, resource, differences }
        : { status: 'in-sync', reason: `NS ${ns.id} is instantiated`, resource };
    });
  }

  async discover(ctx: ReadContext): Promise<DiscoverResult> {
    return this.guard(ctx.signal, async () => {
      const all = (await this.expect('GET', 'ns_instances', undefined, [200], ctx.signal)).body as NsInstance[];
      const ours = all.filter((ns) => ns.nsInstanceName?.startsWith(this.settings.namePrefix));
      return {
        status: 'success' as const,
        resources: ours.map((ns) => ({ ...this.resourceOf({ id: ns.nsInstanceName.slice(this.settings.namePrefix.length), type: 'network-service' }, ns), domain: 'nfv' })),
      };
    });
  }

  async health(ctx: ReadContext): Promise<HealthReport> {
    try {
      const reply = await this.request('GET', 'api_versions', undefined, ctx.signal);
      return reply.status === 200 ? { status: 'up' } : { status: 'down', detail: `api_versions answered ${reply.status}` };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message };
    }
  }

  // --- the NS lifecycle ------------------------------------------------------------------------

  private async run(operation: ResourceAction['operation'], target: ResourceAction['target'], raw: Record<string, unknown>, ctx: ReadContext): Promise<AdapterResult> {
    if (operation === 'modify') return this.scale(target, raw, ctx);
    let ns = await this.findInstance(target.id, ctx.signal);

    if (operation === 'delete') {
      if (!ns) return succeeded(`NS ${this.instanceName(target.id)} is already absent`, { id: target.id, type: target.type, state: { deleted: true } }, true);
      if (ns.nsState === 'INSTANTIATED') {
        const op = (await this.runningOperation(ns.id, ctx.signal)) ?? (await this.startOperation(ns.id, 'terminate', {}, ctx.signal));
        await this.awaitOperation(op, ctx);
      }
      await this.expect('DELETE', `ns_instances/${ns.id}`, undefined, [204, 404], ctx.signal);
      return succeeded(`terminated and deleted NS ${ns.id}`, { id: target.id, type: target.type, externalIds: { nsInstanceId: ns.id }, state: { deleted: true } });
    }

    const parsed = nsParametersSchema.safeParse(raw);
    if (!parsed.success) {
      return permanent(`invalid network-service parameters: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, 'invalid-action');
    }
    const p = parsed.data;
    const existed = ns !== undefined;
    if (!ns) {
      const created = await this.expect('POST', 'ns_instances', { ...p.createNsExtras, nsdId: p.nsdId, nsName: this.instanceName(target.id), nsDescription: p.nsDescription ?? `Junction resource ${target.id}` }, [201], ctx.signal);
      ns = created.body as NsInstance;
    }
    if (ns.nsState === 'INSTANTIATED') {
      return succeeded(`NS ${ns.id} is already instantiated`, this.resourceOf(target, ns), existed);
    }
    const running = await this.runningOperation(ns.id, ctx.signal);
    const failedTemp = running ? undefined : await this.latestOperation(ns.id, 'FAILED_TEMP', ctx.signal);
    const op = running
      ?? (failedTemp ? await this.retryOperation(failedTemp.id, ctx.signal) : undefined)
      ?? (await this.startOperation(ns.id, 'instantiate', {
        nsFlavourId: p.nsFlavourId,
        ...(p.nsInstantiationLevelId ? { nsInstantiationLevelId: p.nsInstantiationLevelId } : {}),
        ...(p.additionalParamsForNs ? { additionalParamsForNs: p.additionalParamsForNs } : {}),
      }, ctx.signal));
    await this.awaitOperation(op, ctx);
    const now = (await this.expect('GET', `ns_instances/${ns.id}`, undefined, [200], ctx.signal)).body as NsInstance;
    return succeeded(`instantiated NS ${now.id} (${p.nsdId}, flavour ${p.nsFlavourId})`, this.resourceOf(target, now));
  }

  /**
   * Scales an instantiated NS to the requested level per aspect. A retry resumes a running scale
   * (or retries it after FAILED_TEMP); levels already reached answer `unchanged` without a call.
   */
  private async scale(target: ResourceAction['target'], raw: Record<string, unknown>, ctx: ReadContext): Promise<AdapterResult> {
    const parsed = scaleParametersSchema.safeParse(raw);
    if (!parsed.success) {
      return permanent(`invalid scale parameters: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, 'invalid-action');
    }
    const p = parsed.data;
    const ns = await this.findInstance(target.id, ctx.signal);
    if (!ns) return permanent(`cannot scale: no NS instance named ${this.instanceName(target.id)}`, 'not-found');
    if (ns.nsState !== 'INSTANTIATED') return permanent(`cannot scale NS ${ns.id}: it is ${ns.nsState}`, 'conflict');
    const levels = p.nsScaleInfo.map((s) => `${s.nsScalingAspectId}=${s.nsScaleLevelId}`).join(', ');
    const running = await this.runningOperation(ns.id, ctx.signal);
    const failedTemp = running ? undefined : await this.latestOperation(ns.id, 'FAILED_TEMP', ctx.signal);
    let op = running ?? (failedTemp?.lcmOperationType === 'SCALE' ? await this.retryOperation(failedTemp.id, ctx.signal) : undefined);
    if (!op) {
      if (p.nsScaleInfo.every((s) => levelOf(ns, s.nsScalingAspectId) === s.nsScaleLevelId)) {
        return succeeded(`NS ${ns.id} is already at ${levels}`, this.resourceOf(target, ns), true);
      }
      op = await this.startOperation(ns.id, 'scale', {
        scaleType: 'SCALE_NS',
        scaleNsData: { scaleNsToLevelData: { nsScaleInfo: p.nsScaleInfo }, ...(p.additionalParamsForNs ? { additionalParamsForNs: p.additionalParamsForNs } : {}) },
      }, ctx.signal);
    }
    await this.awaitOperation(op, ctx);
    const now = (await this.expect('GET', `ns_instances/${ns.id}`, undefined, [200], ctx.signal)).body as NsInstance;
    return succeeded(`scaled NS ${now.id} to ${levels}`, this.resourceOf(target, now));
  }

  private async findInstance(resourceId: string, signal: AbortSignal): Promise<NsInstance | undefined> {
    const name = this.instanceName(resourceId);
    const reply = await this.expect('GET', `ns_instances?filter=${encodeURIComponent(`(eq,nsInstanceName,${name})`)}`, undefined, [200], signal);
    // Filter again here: not every NFVO implements SOL013 attribute filters.
    return (reply.body as NsInstance[]).find((ns) => ns.nsInstanceName === name);
  }

  private async runningOperation(nsInstanceId: string, signal: AbortSignal): Promise<string | undefined> {
    const ops = await this.operationsOf(nsInstanceId, signal);
    return ops.find((o) => RUNNING_STATES.has(o.operationState))?.id;
  }

  private async latestOperation(nsInstanceId: string, state: string, signal: AbortSignal): Promise<NsLcmOpOcc | undefined> {
    const ops = await this.operationsOf(nsInstanceId, signal);
    const last = ops.at(-1);
    return last?.operationState === state ? last : undefined;
  }

  private async operationsOf(nsInstanceId: string, signal: AbortSignal): Promise<NsLcmOpOcc[]> {
    const reply = await this.expect('GET', `ns_lcm_op_occs?filter=${encodeURIComponent(`(eq,nsInstanceId,${nsInstanceId})`)}`, undefined, [200], signal);
    return (reply.body as NsLcmOpOcc[]).filter((o) => o.nsInstanceId === nsInstanceId);
  }

  /** Retries a FAILED_TEMP occurrence in place (the SOL005 retry task); the same occurrence goes on. */
  private async retryOperation(opId: string, signal: AbortSignal): Promise<string> {
    await this.expect('POST', `ns_lcm_op_occs/${opId}/retry`, undefined, [202], signal);
    return opId;
  }

  /** POSTs a task resource (instantiate, terminate); the 202's Location names the LCM op occurrence. */
  private async startOperation(id: string, task: string, body: unknown, signal: AbortSignal): Promise<string> {
    const reply = await this.expect('POST', `ns_instances/${id}/${task}`, body, [202], signal);
    const location = reply.location ?? '';
    const opId = /ns_lcm_op_occs\/([^/?#]+)/.exec(location)?.[1];
    if (!opId) throw new NfvoFailure(permanent(`NFVO accepted ${task} of ${id} without a Location to an ns_lcm_op_occs resource (got ${JSON.stringify(location)})`, 'rejected'));
    return decodeURIComponent(opId);
  }

  /** Polls an LCM operation occurrence until it ends. The deadline's abort ends the wait. */
  private async awaitOperation(opId: string, ctx: ReadContext): Promise<NsLcmOpOcc> {
    for (;;) {
      const op = (await this.expect('GET', `ns_lcm_op_occs/${opId}`, undefined, [200], ctx.signal)).body as NsLcmOpOcc;
      const detail = op.error ? `: ${op.error.title ?? 'error'}${op.error.detail ? ` — ${op.error.detail}` : ''}` : '';
      switch (op.operationState) {
        case 'COMPLETED':
          return op;
        case 'FAILED_TEMP':
          throw new NfvoFailure(transient(`${op.lcmOperationType} ${op.id} failed temporarily${detail}; it will be retried`, 'rejected'));
        case 'FAILED':
        case 'ROLLED_BACK':
        case 'PARTIALLY_COMPLETED':
          throw new NfvoFailure(permanent(`${op.lcmOperationType} ${op.id} ended ${op.operationState}${detail}`, 'rejected'));
      }
      await this.deps.clock.sleep(this.settings.pollIntervalMs, ctx.signal);
    }
  }

  private resourceOf(target: { id: string; type: string }, ns: NsInstance) {
    return {
      id: target.id,
      type: target.type,
      externalIds: { nsInstanceId: ns.id },
      state: { nsInstanceName: ns.nsInstanceName, nsdId: ns.nsdId, nsState: ns.nsState, ...(ns.nsScaleStatus ? { nsScaleStatus: ns.nsScaleStatus } : {}) },
    };
  }

  // --- HTTP ------------------------------------------------------------------------------------

  private async request(method: string, path: string, body: unknown, signal: AbortSignal) {
    const url = `${this.settings.apiRoot}/${this.settings.nslcmPath}/${path}`;
    const headers: Record<string, string> = { Accept: 'application/json', Version: this.settings.apiVersion };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.settings.bearerToken) headers.Authorization = `Bearer ${this.settings.bearerToken}`;
    this.requests.push(`${method} ${path.split('?')[0]}`);
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, statusText: response.statusText, body: parsed, location: response.headers.get('location'), retryAfter: response.headers.get('retry-after') };
  }

  /** A request whose status must be one of `ok`; anything else becomes a failure (ProblemDetails in the reason). */
  private async expect(method: string, path: string, body: unknown, ok: number[], signal: AbortSignal) {
    const reply = await this.request(method, path, body, signal);
    if (ok.includes(reply.status)) return reply;
    const problem = reply.body && typeof reply.body === 'object' ? (reply.body as { title?: string; detail?: string }) : undefined;
    const detail = problem ? [problem.title, problem.detail].filter(Boolean).join(' — ') : typeof reply.body === 'string' ? reply.body.slice(0, 200) : '';
    const reason = `NFVO answered ${reply.status} ${reply.statusText} to ${method} ${path.split('?')[0]}${detail ? `: ${detail}` : ''}`;
    const retryAfterMs = reply.retryAfter && /^\d+$/.test(reply.retryAfter) ? Number(reply.retryAfter) * 1000 : undefined;
    if (reply.status >= 500 || reply.status === 429 || reply.status === 408) throw new NfvoFailure(transient(reason, 'unreachable', retryAfterMs));
    // 409: the instance is busy with another operation or in the wrong state for this one; it may settle.
    if (reply.status === 409) throw new NfvoFailure(transient(reason, 'conflict'));
    throw new NfvoFailure(permanent(reason, reply.status === 404 ? 'not-found' : 'rejected'));
  }

  private async guard<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T | AdapterFailure> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof NfvoFailure) return error.failure;
      if (signal.aborted) return transient(`NFVO call aborted at the deadline; the operation may still be running there and a retry will resume it`, 'timeout');
      const cause = (error as { cause?: { code?: string } }).cause;
      return transient(`cannot reach NFVO ${this.settings.apiRoot}: ${cause?.code ?? (error as Error).message}`, 'unreachable');
    }
  }
}

const levelOf = (ns: NsInstance, aspect: string) => ns.nsScaleStatus?.find((s) => s.nsScalingAspectId === aspect)?.nsScaleLevelId;

export const sol005Adapter = defineAdapter({
  kind: 'sol005',
  description: 'ETSI NFV-SOL 005 NS lifecycle (create, instantiate, scale, terminate, delete) against an NFVO',
  domains: ['nfv'],
  settingsSchema: sol005SettingsSchema,
  create: (name, settings, deps) => new Sol005Adapter(name, settings, deps),
});
export default sol005Adapter;
