/**
 * TMF641 hub: `POST /hub` registers a callback for the caller's tenant (the answer carries the
 * signing `secret`, shown once), `DELETE /hub/{id}` removes it with its undelivered backlog.
 * Delivery is orchestrator/hub.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { SERVICE_ORDERING_BASE } from '../../orchestrator/order-model.js';
import type { Database } from '../../platform/db/schema.js';
import { requireRoles, type AccessControl } from '../access.js';
import { checkShape, type WebhookRules } from '../hardening/webhooks.js';
import type { GatewayEnv } from '../context.js';
import { tmfError, parseTmfBody } from './errors.js';

export const eventSubscriptionInputSchema = z.object({
  callback: z.url({ protocol: /^https?$/ }),
  query: z.string().max(1000).optional(),
});

export function hubRoutes(deps: { db: Kysely<Database>; rules: WebhookRules }) {
  return (app: Hono<GatewayEnv>, access: AccessControl) => {
    const bss = requireRoles(access, 'bss');
    const base = `${SERVICE_ORDERING_BASE}/hub`;

    app.post(base, bss, async (c) => {
      const tenant = c.get('principal')?.tenant;
      if (!tenant) return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      const parsed = await parseTmfBody(c, eventSubscriptionInputSchema);
      if (!parsed.ok) return parsed.response;
      // What can be judged now (scheme, credentials, host lists, literal addresses); the addresses
      // a name resolves to are checked at every delivery, on the connection itself.
      const shape = checkShape(parsed.data.callback, deps.rules);
      if (!shape.ok) return tmfError(c, 400, 'invalidField', 'invalid field callback', `callback: ${shape.reason}`);
      const id = randomUUID();
      const secret = randomBytes(32).toString('hex');
      await deps.db
        .insertInto('hub_subscriptions')
        .values({ id, tenant, callback: parsed.data.callback, query: parsed.data.query ?? null, secret })
        .execute();
      c.header('Location', `${base}/${id}`);
      return c.json({ id, callback: parsed.data.callback, ...(parsed.data.query ? { query: parsed.data.query } : {}), secret }, 201);
    });

    app.delete(`${base}/:id`, bss, async (c) => {
      const tenant = c.get('principal')?.tenant;
      if (!tenant) return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      const gone = await deps.db.deleteFrom('hub_subscriptions').where('tenant', '=', tenant).where('id', '=', c.req.param('id')).returning('id').executeTakeFirst();
      if (!gone) return tmfError(c, 404, 'notFound', `no hub subscription ${c.req.param('id')}`);
      return c.body(null, 204);
    });
  };
}
