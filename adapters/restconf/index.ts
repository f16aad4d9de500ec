/**
 * `restconf`: a generic RFC 8040 client for SDN controllers. What to configure comes entirely
 * from the action's `restconf` binding (paths and payload templates in the catalog):
 *   create → POST on `createPath` (201; 409 data-exists → compare with what is there) or PUT on `path`
 *   modify → GET for the ETag, then PATCH (merge) with If-Match (412 → transient, retried)
 *   delete → DELETE on `path` (404 → already absent)
 * verify reads `path` back and compares the rendered payload as a subset of what it finds.
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
  type RestconfBinding,
  type SouthboundAdapter,
  type VerifyResult,
  type VerifyTarget,
} from '../contract.js';
import { failureFor, retryAfterMs } from './errors.js';
import { renderPath, renderPayload, subsetDifferences, TemplateError, type TemplateContext } from './template.js';

export const restconfSettingsSchema = z
  .object({
    /** The RESTCONF root ({+restconf}), e.g. `https://controller:8443/restconf`. */
    baseUrl: z.url().transform((u) => u.replace(/\/+$/, '')),
    username: z.string().optional(),
    password: z.string().optional(),
    bearerToken: z.string().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** Data paths listed by `discover` (each becomes one resource). */
    discoverPaths: z.array(z.string().min(1)).default([]),
    domains: z.array(z.string()).min(1).default(['transport']),
  })
  .refine((s) => (s.username === undefined) === (s.password === undefined), { message: 'give both username and password, or neither', path: ['password'] });
export type RestconfSettings = z.infer<typeof restconfSettingsSchema>;

const MEDIA_TYPE = 'application/yang-data+json';

interface Reply {
  status: number;
  statusText: string;
  etag: string | null;
  body: unknown;
  retryAfter: string | null;
}

export class RestconfAdapter implements SouthboundAdapter {
  readonly domains: readonly string[];
  /** HTTP requests sent, by method (tests use it to see retries). */
  readonly requests: Record<string, number> = {};

  constructor(
    readonly name: string,
    private readonly settings: RestconfSettings,
    private readonly deps: AdapterDeps,
  ) {
    this.domains = settings.domains;
  }

  async apply(action: ResourceAction, ctx: CallContext): Promise<AdapterResult> {
    return this.guard(action.restconf, ctx.signal, async (binding) => this.run(action.operation, binding, contextOf(action, action.parameters), action.target, ctx));
  }

  async rollback(action: ResourceAction, ctx: CallContext): Promise<AdapterResult> {
    return this.guard(action.restconf, ctx.signal, async (binding) => {
      if (action.operation === 'create') return this.run('delete', binding, contextOf(action, action.parameters), action.target, ctx);
      const previous = action.rollback?.parameters;
      if (!previous) return permanent(`cannot roll back ${action.operation} of "${action.target.id}" without rollback.parameters`, 'unsupported');
      return this.run(action.operation === 'modify' ? 'modify' : 'create', binding, contextOf(action, previous), action.target, ctx);
    });
  }

  async verify(target: VerifyTarget, ctx: ReadContext): Promise<VerifyResult> {
    return this.guard(target.restconf, ctx.signal, async (binding) => {
      const context = { target: target.target, domain: target.domain, parameters: target.expected ?? {} };
      const path = renderPath(binding.path, context);
      const reply = await this.request('GET', path, undefined, ctx.signal);
      if (reply.status === 404) return { status: 'absent', reason: `${path} does not exist` };
      if (reply.status !== 200) return this.failure('GET', path, reply);
      const resource = this.resourceOf(target.target, path, reply);
      if (binding.payload === undefined || target.expected === undefined) return { status: 'in-sync', reason: `${path} exists`, resource };
      const differences = subsetDifferences(renderPayload(binding.payload, context), reply.body);
      return differences.length
        ? { status: 'drifted', reason: `${path} differs in ${differences.map((d) => d.field).join(', ')}`, resource, differences }
        : { status: 'in-sync', reason: `${path} matches`, resource };
    });
  }

  async discover(ctx: ReadContext): Promise<DiscoverResult> {
    const resources = [];
    for (const path of this.settings.discoverPaths) {
      try {
        const reply = await this.request('GET', path, undefined, ctx.signal);
        if (reply.status === 404) continue;
        if (reply.status !== 200) return this.failure('GET', path, reply);
        resources.push({ id: path, type: 'restconf-data', domain: this.domains[0]!, externalIds: { restconfPath: path }, state: asRecord(reply.body) });
      } catch (error) {
        return this.networkFailure(error, ctx.signal);
      }
    }
    return { status: 'success', resources };
  }

  async health(ctx: ReadContext): Promise<HealthReport> {
    try {
      const reply = await this.request('GET', '', undefined, ctx.signal, '/yang-library-version');
      return reply.status === 200 ? { status: 'up' } : { status: 'down', detail: `yang-library-version answered ${reply.status}` };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message };
    }
  }

  // --- internals -------------------------------------------------------------------------------

  private async run(operation: ResourceAction['operation'], binding: RestconfBinding, context: TemplateContext, target: ResourceAction['target'], ctx: ReadContext): Promise<AdapterResult> {
    const path = renderPath(binding.path, context);
    if (operation === 'delete') {
      const reply = await this.request('DELETE', path, undefined, ctx.signal);
      if (reply.status === 404) return succeeded(`${path} is already absent`, { id: target.id, type: target.type, state: { deleted: true } }, true);
      if (!ok(reply)) return this.failure('DELETE', path, reply);
      return succeeded(`deleted ${path}`, { id: target.id, type: target.type, externalIds: { restconfPath: path }, state: { deleted: true } });
    }
    if (binding.payload === undefined) return permanent(`restconf binding of "${target.id}" has no payload template for ${operation}`, 'invalid-action');
    const payload = renderPayload(binding.payload, context);

    if (operation === 'create') {
      if (binding.createPath) {
        const parent = renderPath(binding.createPath, context);
        const reply = await this.request('POST', parent, payload, ctx.signal);
        if (reply.status === 409 && isDataExists(reply.body)) {
          // Already created (e.g. by an earlier attempt whose answer was lost): fine if it matches.
          const existing = await this.request('GET', path, undefined, ctx.signal);
          if (existing.status === 200 && subsetDifferences(payload, existing.body).length === 0) {
            return succeeded(`${path} already configured as requested`, this.resourceOf(target, path, existing), true);
          }
          return this.failure('POST', parent, reply);
        }
        if (!ok(reply)) return this.failure('POST', parent, reply);
      } else {
        const reply = await this.request('PUT', path, payload, ctx.signal);
        if (!ok(reply)) return this.failure('PUT', path, reply);
      }
    } else {
      const current = await this.request('GET', path, undefined, ctx.signal);
      if (current.status === 404) return permanent(`cannot modify ${path}: it does not exist`, 'not-found');
      if (current.status !== 200) return this.failure('GET', path, current);
      const reply = await this.request('PATCH', path, payload, ctx.signal, undefined, current.etag ? { 'If-Match': current.etag } : {});
      if (!ok(reply)) return this.failure('PATCH', path, reply);
    }
    const after = await this.request('GET', path, undefined, ctx.signal);
    if (after.status !== 200) return transient(`${path} was ${operation}d but reading it back answered ${after.status}`, 'conflict');
    return succeeded(`${operation === 'create' ? 'created' : 'modified'} ${path}`, this.resourceOf(target, path, after));
  }

  private resourceOf(target: { id: string; type: string }, path: string, reply: Reply) {
    return {
      id: target.id,
      type: target.type,
      externalIds: { restconfPath: path, ...(reply.etag ? { etag: reply.etag } : {}) },
      state: asRecord(reply.body),
    };
  }

  private async request(method: string, path: string, body: unknown, signal: AbortSignal, rootSuffix?: string, extraHeaders: Record<string, string> = {}): Promise<Reply> {
    const url = rootSuffix !== undefined ? `${this.settings.baseUrl}${rootSuffix}` : `${this.settings.baseUrl}/data/${path.replace(/^\/+/, '')}`;
    const headers: Record<string, string> = { Accept: MEDIA_TYPE, ...this.settings.headers, ...extraHeaders };
    if (body !== undefined) headers['Content-Type'] = MEDIA_TYPE;
    if (this.settings.bearerToken) headers.Authorization = `Bearer ${this.settings.bearerToken}`;
    else if (this.settings.username !== undefined) headers.Authorization = `Basic ${Buffer.from(`${this.settings.username}:${this.settings.password}`).toString('base64')}`;
    this.requests[method] = (this.requests[method] ?? 0) + 1;
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    const text = await response.text();
    let parsed: unknown = text;
    if (text && (response.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, statusText: response.statusText, etag: response.headers.get('etag'), body: parsed, retryAfter: response.headers.get('retry-after') };
  }

  private failure(method: string, path: string, reply: Reply): AdapterFailure {
    return failureFor(method, `${this.settings.baseUrl}/data/${path}`, reply.status, reply.statusText, reply.body, retryAfterMs(reply.retryAfter, this.deps.clock.now()));
  }

  private networkFailure(error: unknown, signal: AbortSignal): AdapterFailure {
    if (signal.aborted) return transient(`RESTCONF request to ${this.settings.baseUrl} aborted at the deadline`, 'timeout');
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return transient(`cannot reach RESTCONF server ${this.settings.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, 'unreachable');
  }

  /** Binding presence, template errors and network errors become results. */
  private async guard<T>(binding: RestconfBinding | undefined, signal: AbortSignal, work: (binding: RestconfBinding) => Promise<T>): Promise<T | AdapterFailure> {
    if (!binding) return permanent('the action has no restconf binding (path, payload) from the catalog', 'invalid-action');
    try {
      return await work(binding);
    } catch (error) {
      if (error instanceof TemplateError) return permanent(error.message, 'invalid-action');
      return this.networkFailure(error, signal);
    }
  }
}

const ok = (reply: Reply) => reply.status >= 200 && reply.status < 300;

function isDataExists(body: unknown): boolean {
  return JSON.stringify(body ?? '').includes('data-exists');
}

function asRecord(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : { value: body };
}

function contextOf(action: ResourceAction, parameters: Record<string, unknown>): TemplateContext {
  return { target: action.target, domain: action.domain, parameters };
}

export const restconfAdapter = defineAdapter({
  kind: 'restconf',
  description: 'Generic RESTCONF (RFC 8040) client; paths and payloads come from the catalog',
  domains: ['ran', 'transport', 'core', 'access', 'nfv'],
  settingsSchema: restconfSettingsSchema,
  create: (name, settings, deps) => new RestconfAdapter(name, settings, deps),
});
export default restconfAdapter;
