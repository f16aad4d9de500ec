// Representative inputs for the shipped entrypoints the orchestrator evaluates, shared by the
// policy benchmark. Shapes follow the input comments in policies/rego/junction/*.rego.
export const SHIPPED_ENTRYPOINTS = [
  'junction/entitlement/decision',
  'junction/entitlement/allow',
  'junction/provisioning/decision',
  'junction/provisioning/allow',
];

const customer = (i: number) => ({
  id: `CUST-${1000 + i}`,
  type: i % 5 === 0 ? 'enterprise' : 'consumer',
  status: i % 17 === 0 ? 'suspended' : 'active',
  slaTier: i % 5 === 0 ? 'gold' : 'standard',
  sites: i % 2 === 0 ? ['SITE-A'] : ['SITE-A', 'SITE-B'],
  overdueDays: i % 40,
});

const entitlement = Array.from({ length: 64 }, (_, i) => ({
  customer: customer(i),
  item: { id: `${i}`, action: 'add', specification: i % 5 === 0 ? 'enterprise-5g-slice' : 'broadband', site: i % 3 === 0 ? 'SITE-B' : 'SITE-A' },
  order: { id: `ORD-${i}` },
}));

const provisioning = Array.from({ length: 64 }, (_, i) => ({
  action: {
    id: `a${i}`,
    domain: ['access', 'transport', 'ran', 'core'][i % 4],
    operation: i % 7 === 0 ? 'modify' : 'create',
    target: { id: `R-${i}`, type: 'port' },
    parameters: { bandwidthMbps: [100, 300, 1000, 5000][i % 4], sliceId: ['embb', 'urllc', 'miot', 'v2x'][i % 4] },
  },
  order: { id: `ORD-${i}`, itemId: '1', contractedBandwidthMbps: 1000, slaTier: i % 2 ? 'gold' : 'standard', qosClass: i % 2 ? 'premium' : 'best-effort' },
  resources: [{ id: `R-${i}`, state: i % 11 === 0 ? 'maintenance' : 'active' }],
  window: { hour_utc: i % 24 },
}));

export const sampleInputs: Record<string, unknown[]> = {
  'junction/entitlement/decision': entitlement,
  'junction/entitlement/allow': entitlement,
  'junction/provisioning/decision': provisioning,
  'junction/provisioning/allow': provisioning,
};
