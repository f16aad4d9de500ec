import type { ApiKey } from '../../platform/config.js';

/** One bootstrap key per role a gateway test needs (the bss one bound to tenant acme). */
export const ROLE_KEYS = {
  operator: { key: 'operator-0123456789', principal: 'noc', roles: ['operator'] },
  bss: { key: 'bss-acme-0123456789', principal: 'crm', roles: ['bss'], tenant: 'acme' },
  auditor: { key: 'auditor-0123456789a', principal: 'aud', roles: ['auditor'] },
  network: { key: 'network-0123456789a', principal: 'probe', roles: ['network'] },
} satisfies Record<string, ApiKey>;
