/**
 * Order-to-activation KPIs on the process's Prometheus registry: order-to-activation time,
 * fallout by reason, orders needing manual handling, policy denials by rule.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface OrderMetrics {
  activation: Histogram<'outcome'>;
  fallout: Counter<'code'>;
  manual: Counter<'reason'>;
  policyDenials: Counter<'policy' | 'rule'>;
}

export function createOrderMetrics(registry: Registry): OrderMetrics {
  return {
    activation: new Histogram({
      name: 'junction_order_to_activation_seconds',
      help: 'Time from order acceptance to a terminal state, by outcome (completed, failed, rejected)',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    fallout: new Counter({
      name: 'junction_order_fallout_total',
      help: 'Orders that did not complete, by reason code (entitlement, infeasible, provisioning-denied, capacity, verification...)',
      labelNames: ['code'],
      registers: [registry],
    }),
    manual: new Counter({
      name: 'junction_orders_manual_handling_total',
      help: 'Orders an operator must look at (a rollback that failed)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    policyDenials: new Counter({
      name: 'junction_policy_denials_total',
      help: 'Policy denials by policy and rule (the reason with identifiers and numbers masked)',
      labelNames: ['policy', 'rule'],
      registers: [registry],
    }),
  };
}

/** "customer CUST-3001 is suspended, not active" → "customer * is suspended, not active": one series per rule, not per customer. */
export function ruleOf(reason: string): string {
  return reason
    .split(' ')
    .map((w) => (/\d/.test(w) || /^[A-Z]+-/.test(w) ? '*' : w))
    .join(' ');
}
