/**
 * TMF641 CancelServiceOrder for role `bss`, tenant-scoped: POST accepts the request and hands it
 * to the orchestrator (orders.intake.cancel_requested), which stops the saga, compensates and cancels
 * the order; GET shows where the request is (accepted → inProgress → done | terminatedWithError).
 */
import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { cancelHref, type CancelServiceOrderBody } from '../../orchestrator/cancellation.js';
import { orderHref, SERVICE_ORDERING_BASE, TERMINAL_ORDER_STATES } from '../../orchestrator/order-model.js';
import type { Bus } from '../../platform/bus/bus.js';
import type { Database } from '../../platform/db/schema.js';
import { requireRoles, tenantScope, type AccessControl } from '../access.js';
import type { GatewayEnv } from '../context.js';
import { tmfError, parseTmfBody } from './errors.js';
import { listResponse, parsePaging, project } from './list.js';

export const cancelServiceOrderCreateSchema = z
  .object({
    serviceOrder: z.object({ id: z.string().min(1) }).passthrough(),
    cancellationReason: z.string().max(1000).optional(),
    requestedCancellationDate: z.iso.datetime({ offset: true }).optional(),
  })
  .passthrough();

/** TMF641 declares these hrefs `format: uri`: answer them absolute, from the request's origin. */
function absolute(body: CancelServiceOrderBody, origin: string): CancelServiceOrderBody {
  const abs = (href: string) => (href.startsWith('/') ? `${origin}${href}` : href);
  return { ...body, href: abs(body.href), serviceOrder: { ...body.serviceOrder, href: abs(body.serviceOrder.href) } };
}

export function cancelServiceOrderRoutes(deps: { db: Kysely<Database>; bus: Pick<Bus, 'subjects'> }) {
  return (app: Hono<GatewayEnv>, access: AccessControl) => {
    const bss = requireRoles(access, 'bss');
    const base = `${SERVICE_ORDERING_BASE}/cancelServiceOrder`;

    app.post(base, bss, async (c) => {
      const tenant = c.get('principal')?.tenant;
      if (!tenant) return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      const parsed = await parseTmfBody(c, cancelServiceOrderCreateSchema);
      if (!parsed.ok) return parsed.response;
      const req = parsed.data;
      const order = await deps.db
        .selectFrom('service_orders')
        .select(['id', 'state'])
        .where('tenant', '=', tenant)
        .where('id', '=', req.serviceOrder.id)
        .executeTakeFirst();
      if (!order) return tmfError(c, 400, 'invalidField', 'invalid field serviceOrder.id', `serviceOrder.id: no service order ${req.serviceOrder.id}`);
      if (TERMINAL_ORDER_STATES.has(order.state)) {
        return tmfError(c, 409, 'orderTerminal', `service order ${order.id} is already ${order.state} and cannot be cancelled`);
      }
      const id = randomUUID();
      const body: CancelServiceOrderBody = {
        id,
        href: cancelHref(id),
        state: 'accepted',
        ...(req.cancellationReason ? { cancellationReason: req.cancellationReason } : {}),
        ...(req.requestedCancellationDate ? { requestedCancellationDate: req.requestedCancellationDate } : {}),
        serviceOrder: { id: order.id, href: orderHref(order.id), '@referredType': 'ServiceOrder', '@type': 'ServiceOrderRef' },
        '@type': 'CancelServiceOrder',
      };
      await deps.db.insertInto('cancel_service_orders').values({ id, tenant, order_id: order.id, state: 'accepted', body: JSON.stringify(body) }).execute();
      await c.get('publish')(deps.bus.subjects.orders.cancelRequested, { orderId: order.id, cancellationId: id }, { messageId: `cancel:${id}` });
      c.header('Location', body.href);
      return c.json(absolute(body, new URL(c.req.url).origin), 201);
    });

    app.get(base, bss, async (c) => {
      const scope = tenantScope(c);
      if (scope.kind === 'none') return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      const paging = parsePaging(c);
      if ('error' in paging) return tmfError(c, 400, 'invalidQuery', paging.error);
      let q = deps.db.selectFrom('cancel_service_orders');
      if (scope.kind === 'tenant') q = q.where('tenant', '=', scope.tenant);
      const state = c.req.query('state');
      const orderId = c.req.query('serviceOrder.id');
      if (state) q = q.where('state', 'in', state.split(','));
      if (orderId) q = q.where('order_id', '=', orderId);
      const { total } = await q.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
      const rows = await q.select(['body']).orderBy('created_at', 'desc').orderBy('id').offset(paging.offset).limit(paging.limit).execute();
      const fields = c.req.query('fields');
      const origin = new URL(c.req.url).origin;
      return listResponse(c, rows.map((r) => project(absolute(r.body as CancelServiceOrderBody, origin) as CancelServiceOrderBody & Record<string, unknown>, fields)), Number(total));
    });

    app.get(`${base}/:id`, bss, async (c) => {
      const scope = tenantScope(c);
      if (scope.kind === 'none') return tmfError(c, 403, 'noTenant', 'the API key is not bound to a tenant');
      let q = deps.db.selectFrom('cancel_service_orders').select('body').where('id', '=', c.req.param('id'));
      if (scope.kind === 'tenant') q = q.where('tenant', '=', scope.tenant);
      const row = await q.executeTakeFirst();
      if (!row) return tmfError(c, 404, 'notFound', `no cancel service order ${c.req.param('id')}`);
      const body = absolute(row.body as CancelServiceOrderBody, new URL(c.req.url).origin);
      return c.json(project(body as CancelServiceOrderBody & Record<string, unknown>, c.req.query('fields')), 200);
    });
  };
}
