// tenantScope: the one rule routes over tenant-owned records use to pick whose records to show.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../platform/config.js';
import { silentLogger } from '../../test/support/index.js';
import { tenantScope, type Principal } from '../access.js';
import type { GatewayEnv } from '../context.js';

async function scopeFor(principal: Principal | undefined, method = 'GET', headers: Record<string, string> = {}, query = '') {
  const app = new Hono<GatewayEnv>();
  app.use('*', async (c, next) => {
    c.set('log', silentLogger());
    c.set('principal', principal);
    await next();
  });
  app.on(method, '/records', (c) => c.json(tenantScope(c)));
  return (await app.request(`/records${query}`, { method, headers })).json();
}

const p = (roles: Role[], tenant?: string): Principal => ({ name: 'x', roles, tenant });

describe('tenantScope', () => {
  it('keeps a bound principal to its tenant, whatever it names', async () => {
    expect(await scopeFor(p(['bss'], 'acme'))).toEqual({ kind: 'tenant', tenant: 'acme' });
    expect(await scopeFor(p(['bss'], 'acme'), 'GET', { 'Junction-Tenant': 'globex' })).toEqual({ kind: 'tenant', tenant: 'acme' });
    expect(await scopeFor(p(['operator'], 'acme'), 'GET', {}, '?tenant=globex')).toEqual({ kind: 'tenant', tenant: 'acme' });
  });

  it('lets an unbound operator read every tenant, or the one it names', async () => {
    expect(await scopeFor(p(['operator']))).toEqual({ kind: 'all' });
    expect(await scopeFor(p(['operator']), 'GET', { 'Junction-Tenant': 'globex' })).toEqual({ kind: 'tenant', tenant: 'globex' });
    expect(await scopeFor(p(['operator']), 'GET', {}, '?tenant=acme')).toEqual({ kind: 'tenant', tenant: 'acme' });
  });

  it('gives no tenant to unbound writers, unbound non-operators and strangers', async () => {
    expect(await scopeFor(p(['operator']), 'POST')).toEqual({ kind: 'none' });
    expect(await scopeFor(p(['bss']))).toEqual({ kind: 'none' });
    expect(await scopeFor(p(['auditor', 'network']))).toEqual({ kind: 'none' });
    expect(await scopeFor(undefined)).toEqual({ kind: 'none' });
  });
});
