/**
 * Who may call what: the ONE place that decides authentication and authorization at the edge.
 *
 * Authentication: a bearer credential is tried against the bootstrap keys (JUNCTION_API_KEYS),
 * then against the authenticators given (database API keys, JWTs: gateway/auth/).
 * Authorization: with an `authorizer` (the Rego policy data.junction.authz, see
 * gateway/auth/policy-authorizer.ts) every request is decided by policy from the principal, its
 * roles and tenant, the method, the route pattern and the tenant the request targets; the roles
 * a route names in `requireRoles` are then not consulted. Without one (unit tests of other
 * parts), the route's named roles decide, as before.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes, routePath } from 'hono/route';
import type { ApiKey, Role } from '../platform/config.js';
import type { GatewayEnv } from './context.js';
import { jsonError } from './errors.js';
import { tokenBuckets, type RateLimitSettings, type TokenBuckets } from './hardening/rate-limit.js';

export interface Principal {
  name: string;
  roles: Role[];
  tenant: string | undefined;
}

export type Decision =
  | { allow: true; principal: Principal }
  | { allow: false; status: 401 | 403; error: 'unauthorized' | 'forbidden'; message: string };

/** Resolves a presented bearer credential to a principal; undefined when it does not recognise it. */
export type Authenticator = (credential: string) => Promise<Principal | undefined>;

/** The input of data.junction.authz (see policies/rego/junction/authz.rego). */
export interface AuthzInput {
  principal: string | null;
  roles: Role[];
  tenant: string | null;
  method: string;
  route: string;
  target_tenant: string | null;
}

export interface AuthzVerdict {
  allow: boolean;
  reasons: string[];
}

export interface Authorizer {
  authorize(input: AuthzInput, context: { requestId?: string }): Promise<AuthzVerdict>;
}

export interface AccessOptions {
  /** Tried in order after the bootstrap keys. */
  authenticators?: readonly Authenticator[];
  /** When set, policy decides every request (the routes' named roles are not consulted). */
  authorizer?: Authorizer;
  /**
   * Failed authentications allowed per client address (gateway/hardening DEFAULT_AUTH_FAILURE_RATE
   * in a running Junction); unset or false: no limit.
   */
  authFailureLimit?: RateLimitSettings | false;
}

export interface AccessRequest {
  authorization: string | undefined;
  method: string;
  /** Route pattern, e.g. /tmf-api/serviceOrdering/v4/serviceOrder/:id. */
  route: string;
  /** The tenant the request addresses, when it names one. */
  targetTenant?: string;
  /** Roles the route names (used only without an authorizer). */
  roles: readonly Role[];
  requestId?: string;
}

export interface AccessControl {
  /** The principal behind an Authorization header, or why there is none. */
  authenticate(authorization: string | undefined): Promise<{ principal: Principal } | { status: 401; message: string }>;
  /** Authenticates and authorizes one request. */
  decide(request: AccessRequest): Promise<Decision>;
  /** Authorizes an authenticated principal for a request (e.g. again once the target's tenant is known). */
  authorize(principal: Principal, request: Omit<AccessRequest, 'authorization'>): Promise<Decision>;
  /** True when policy decides (an authorizer is configured). */
  readonly policyDecides: boolean;
  /** Failed authentications per client address, when limited (charged and checked by requireRoles). */
  readonly authFailures?: TokenBuckets;
}

const digest = (key: string) => createHash('sha256').update(key).digest();

/** The bearer credential in an Authorization header, if it has that form. */
export function bearerCredential(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

export function createAccessControl(keys: readonly ApiKey[], options: AccessOptions = {}): AccessControl {
  // Compare fixed-length digests in constant time so response timing says nothing about a key.
  const entries = keys.map((k) => ({ digest: digest(k.key), principal: { name: k.principal, roles: k.roles, tenant: k.tenant } }));
  const authenticators = options.authenticators ?? [];
  const authorizer = options.authorizer;

  const bootstrap = (credential: string): Principal | undefined => {
    const presented = digest(credential);
    let found: Principal | undefined;
    for (const e of entries) if (timingSafeEqual(e.digest, presented)) found = e.principal;
    return found;
  };

  const authenticate: AccessControl['authenticate'] = async (authorization) => {
    if (!authorization) return { status: 401, message: 'missing Authorization: Bearer <key> header' };
    const credential = bearerCredential(authorization);
    if (!credential) return { status: 401, message: 'invalid API key' };
    let principal = bootstrap(credential);
    for (const a of authenticators) {
      if (principal) break;
      principal = await a(credential);
    }
    return principal ? { principal } : { status: 401, message: 'invalid API key' };
  };

  const authorize: AccessControl['authorize'] = async (principal, request) => {
    if (!authorizer) {
      const { roles } = request;
      if (roles.length > 0 && !roles.some((r) => principal.roles.includes(r))) {
        return { allow: false, status: 403, error: 'forbidden', message: `principal ${principal.name} lacks a required role (one of: ${roles.join(', ')})` };
      }
      return { allow: true, principal };
    }
    const verdict = await authorizer.authorize(
      {
        principal: principal.name,
        roles: principal.roles,
        tenant: principal.tenant ?? null,
        method: request.method,
        route: request.route,
        target_tenant: request.targetTenant ?? null,
      },
      { requestId: request.requestId },
    );
    if (verdict.allow) return { allow: true, principal };
    return { allow: false, status: 403, error: 'forbidden', message: verdict.reasons.join('; ') || 'denied by policy' };
  };

  return {
    policyDecides: authorizer !== undefined,
    ...(options.authFailureLimit ? { authFailures: tokenBuckets(options.authFailureLimit) } : {}),
    authenticate,
    authorize,
    async decide(request) {
      const who = await authenticate(request.authorization);
      if (!('principal' in who)) {
        // Unauthenticated requests are decided (and so audited) by policy too.
        if (authorizer) {
          await authorizer.authorize(
            { principal: null, roles: [], tenant: null, method: request.method, route: request.route, target_tenant: request.targetTenant ?? null },
            { requestId: request.requestId },
          );
        }
        return { allow: false, status: 401, error: 'unauthorized', message: who.message };
      }
      return authorize(who.principal, request);
    },
  };
}

/** Header or query parameter a caller uses to name the tenant it addresses. */
export const TARGET_TENANT_HEADER = 'Junction-Tenant';

function targetTenantOf(c: Context<GatewayEnv>): string | undefined {
  return c.req.header(TARGET_TENANT_HEADER) ?? c.req.query('tenant') ?? undefined;
}

/** The pattern of the route that will answer this request; undefined when only middleware matched. */
function answeringRoute(c: Context<GatewayEnv>): string | undefined {
  const routes = matchedRoutes(c).filter((r) => r.method !== 'ALL' && r.path !== '*' && r.path !== '/*');
  return routes.at(-1)?.path;
}

/**
 * The peer address of the connection (@hono/node-server puts the socket in c.env); forwarding
 * headers are not trusted, a client could write anything there.
 */
export function clientAddress(c: Context<GatewayEnv>): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

// Requests already decided by the gateway-wide middleware; route-level middleware skips them.
const decidedRequests = new WeakMap<AccessControl, WeakSet<Request>>();

function deny(c: Context<GatewayEnv>, decision: Extract<Decision, { allow: false }>) {
  if (decision.status === 401) c.header('WWW-Authenticate', 'Bearer realm="junction"');
  c.get('log').info({ status: decision.status, reason: decision.message }, 'access denied');
  return jsonError(c, decision.status, decision.error, decision.message);
}

/**
 * Route middleware: admits callers the policy allows (or, without an authorizer, callers holding
 * one of `roles`; none given = any authenticated caller). Mounted once gateway-wide with no roles,
 * it decides each request against the route that will answer it.
 */
export function requireRoles(access: AccessControl, ...roles: Role[]): MiddlewareHandler<GatewayEnv> {
  let decided = decidedRequests.get(access);
  if (!decided) decidedRequests.set(access, (decided = new WeakSet()));
  const done = decided;
  return async (c, next) => {
    if (done.has(c.req.raw) && c.get('principal')) return next();
    // An address that keeps presenting bad credentials is slowed down before its next credential
    // is even tried, so guessing keys costs time however the guesses are spread over principals.
    const failures = access.authFailures;
    const address = failures ? clientAddress(c) : '';
    const wait = failures?.wait(address) ?? 0;
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      c.get('log').info({ address }, 'too many failed authentications');
      return jsonError(c, 429, 'rate_limited', `too many failed authentications from ${address}; retry in ${wait} s`);
    }
    const current = routePath(c);
    const gatewayWide = current === '*' || current === '/*';
    const route = gatewayWide ? answeringRoute(c) : current;
    let decision: Decision;
    if (route === undefined || !access.policyDecides && gatewayWide && roles.length === 0) {
      // Nothing to authorize against (an unknown path answers 404 to a known caller) or the
      // legacy gateway-wide check: authentication only.
      const who = await access.authenticate(c.req.header('authorization'));
      decision = 'principal' in who ? { allow: true, principal: who.principal } : { allow: false, status: 401, error: 'unauthorized', message: who.message };
    } else {
      decision = await access.decide({
        authorization: c.req.header('authorization'),
        method: c.req.method,
        route,
        targetTenant: targetTenantOf(c),
        roles,
        requestId: c.get('requestId'),
      });
      if (decision.allow && access.policyDecides) done.add(c.req.raw);
    }
    if (!decision.allow) {
      if (decision.status === 401) failures?.take(address);
      return deny(c, decision);
    }
    c.set('principal', decision.principal);
    c.set('log', c.get('log').child({ principal: decision.principal.name }));
    await next();
  };
}

/**
 * For a route that has loaded a record: may this request's principal reach the record's tenant?
 * Asks the policy again with the target tenant (a denial is audited like any other).
 */
export async function mayReachTenant(access: AccessControl, c: Context<GatewayEnv>, tenant: string): Promise<boolean> {
  const principal = c.get('principal');
  if (!principal) return false;
  if (!access.policyDecides) return principal.tenant === undefined || principal.tenant === tenant;
  const decision = await access.authorize(principal, {
    method: c.req.method,
    route: routePath(c),
    targetTenant: tenant,
    roles: [],
    requestId: c.get('requestId'),
  });
  return decision.allow;
}

/**
 * Whose records a request may see, for routes over tenant-owned records (one rule for every route):
 * - a principal bound to a tenant: that tenant, always, whatever the request names;
 * - an unbound operator reading (the policy's "unbound operators oversee every tenant"): every
 *   tenant, or just the one it names with the Junction-Tenant header / `tenant` query parameter;
 * - anyone else unbound (e.g. a bss key without a tenant): none, the route answers noTenant.
 */
export type TenantScope = { kind: 'tenant'; tenant: string } | { kind: 'all' } | { kind: 'none' };

export function tenantScope(c: Context<GatewayEnv>): TenantScope {
  const principal = c.get('principal');
  if (!principal) return { kind: 'none' };
  if (principal.tenant !== undefined) return { kind: 'tenant', tenant: principal.tenant };
  const reading = c.req.method === 'GET' || c.req.method === 'HEAD';
  if (!reading || !principal.roles.includes('operator')) return { kind: 'none' };
  const named = targetTenantOf(c);
  return named ? { kind: 'tenant', tenant: named } : { kind: 'all' };
}
