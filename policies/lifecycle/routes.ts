// HTTP interface of the policy lifecycle, /policy/v1. Who may call each route is decided by
// data.junction.authz like every route (compliance; activations are audited by that policy).
import type { Hono } from 'hono';
import { requireRoles, type AccessControl } from '../../gateway/access.js';
import type { GatewayEnv } from '../../gateway/context.js';
import { jsonError } from '../../gateway/errors.js';
import type { PolicyLifecycle } from './lifecycle.js';

export const POLICY_BASE = '/policy/v1';
export const SIGNATURE_HEADER = 'Junction-Bundle-Signature';
export const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;
const REVISION = /^[0-9a-f]{16}$/;

export function policyLifecycleRoutes(deps: { lifecycle: PolicyLifecycle }) {
  return (app: Hono<GatewayEnv>, access: AccessControl) => {
    const compliance = requireRoles(access, 'compliance');
    const actor = (c: { get(k: 'principal'): { name: string } | undefined }) => c.get('principal')?.name ?? 'unknown';

    /** Upload a signed source bundle (gzipped tar of Rego, tests, data.json). */
    app.post(`${POLICY_BASE}/bundles`, compliance, async (c) => {
      const signature = c.req.header(SIGNATURE_HEADER);
      if (!signature) return jsonError(c, 400, 'unsigned_bundle', `the bundle is not signed: send its Ed25519 signature in ${SIGNATURE_HEADER}`);
      const declared = Number(c.req.header('content-length') ?? '0');
      if (declared > MAX_BUNDLE_BYTES) return jsonError(c, 413, 'too_large', `a bundle may be at most ${MAX_BUNDLE_BYTES} bytes`);
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      if (bytes.length > MAX_BUNDLE_BYTES) return jsonError(c, 413, 'too_large', `a bundle may be at most ${MAX_BUNDLE_BYTES} bytes`);
      if (bytes.length === 0) return jsonError(c, 400, 'empty_bundle', 'the request body is empty; send the bundle (.tar.gz) as the body');
      const result = await deps.lifecycle.upload(bytes, signature.trim(), actor(c));
      if (result.outcome === 'refused') return jsonError(c, 422, 'bundle_refused', result.reason);
      const status = result.outcome === 'exists' ? 200 : result.bundle.status === 'ready' ? 201 : 422;
      return c.json({ ...result.bundle, outcome: result.outcome }, status);
    });

    app.get(`${POLICY_BASE}/bundles`, compliance, async (c) => {
      const [bundles, active] = await Promise.all([deps.lifecycle.store.list(), deps.lifecycle.store.active()]);
      return c.json({ active, bundles });
    });

    app.get(`${POLICY_BASE}/bundles/:rev`, compliance, async (c) => {
      const rev = c.req.param('rev');
      const bundle = REVISION.test(rev) ? await deps.lifecycle.store.summary(rev) : undefined;
      if (!bundle) return jsonError(c, 404, 'not_found', `no bundle with revision ${rev}`);
      return c.json(bundle);
    });

    /** Activate (or roll back to) a stored, tested revision on every instance. */
    app.post(`${POLICY_BASE}/bundles/:rev/activate`, compliance, async (c) => {
      const rev = c.req.param('rev');
      if (!REVISION.test(rev)) return jsonError(c, 404, 'not_found', `no bundle with revision ${rev}`);
      const result = await deps.lifecycle.activate(rev, actor(c));
      if (result.outcome === 'activated') return c.json(result);
      const status = result.outcome === 'not_found' ? 404 : result.outcome === 'not_ready' ? 409 : 422;
      return jsonError(c, status, result.outcome, result.reason);
    });

    app.post(`${POLICY_BASE}/rollback`, compliance, async (c) => {
      const result = await deps.lifecycle.rollback(actor(c));
      if (result.outcome === 'activated') return c.json(result);
      return jsonError(c, result.outcome === 'not_found' ? 409 : 422, result.outcome, result.reason);
    });

    app.get(`${POLICY_BASE}/activations`, compliance, async (c) => c.json({ activations: await deps.lifecycle.store.activations() }));

    /** Shadow mode on this instance: the candidate decides beside the active bundle, without effect. */
    app.post(`${POLICY_BASE}/bundles/:rev/shadow`, compliance, async (c) => {
      const rev = c.req.param('rev');
      if (!REVISION.test(rev)) return jsonError(c, 404, 'not_found', `no bundle with revision ${rev}`);
      const result = await deps.lifecycle.shadow(rev);
      if (!result.ok) return jsonError(c, 422, 'shadow_refused', result.reason);
      return c.json({ shadow: rev });
    });

    app.delete(`${POLICY_BASE}/shadow`, compliance, async (c) => {
      await deps.lifecycle.shadow(null);
      return c.json({ shadow: null });
    });

    /** Differences between the active and the candidate bundle on this instance's live decisions. */
    app.get(`${POLICY_BASE}/shadow`, compliance, (c) => c.json({ engines: deps.lifecycle.shadowReport() }));

    /** This instance's view: which revision its engines run and its last refusal. */
    app.get(`${POLICY_BASE}/status`, compliance, (c) =>
      c.json({ applied: deps.lifecycle.appliedRevision ?? null, lastRefusal: deps.lifecycle.lastRefusal ?? null }),
    );
  };
}
