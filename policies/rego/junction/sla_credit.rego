# SLA credit: what a breach that was not avoided is worth to the customer.
# Input (built by orchestrator/assurance/sla.ts when a breach ends unavoided):
#   { "service": {id, specification, slaTier, monthlyCharge?},
#     "breach": {metric, target, observed, durationMs},
#     "period": {id: "YYYY-MM"} }   the billing month (UTC) the breach started in; credits are stored per service and period
# Output: decision := {credit, percent, amount, currency, reasons}
package junction.sla_credit

import rego.v1

# Monthly charge when the service does not carry one.
list_price := {"broadband": 40, "enterprise-5g-slice": 2000}

# Percent of the monthly charge per started 10 minutes of breach, and the cap, by SLA tier.
rate_by_tier := {"platinum": 5, "gold": 4, "silver": 2, "standard": 1}

cap_by_tier := {"platinum": 50, "gold": 40, "silver": 25, "standard": 10}

currency := "EUR"

tier := t if {
	t := input.service.slaTier
	rate_by_tier[t]
} else := "standard"

charge := c if {
	c := input.service.monthlyCharge
	is_number(c)
} else := c if {
	c := list_price[input.service.specification]
} else := 0

blocks := ceil(input.breach.durationMs / 600000)

percent := min({blocks * rate_by_tier[tier], cap_by_tier[tier]})

amount := round((charge * percent) / 100 * 100) / 100

default credit := false

credit if {
	input.breach.durationMs > 0
	amount > 0
}

reasons contains sprintf("%s breach of %v minutes: %v%% of the monthly %v %s (%s tier, capped at %v%%)", [
	input.breach.metric, round(input.breach.durationMs / 60000), percent, charge, currency, tier, cap_by_tier[tier],
]) if credit

reasons contains "no monthly charge known for the service" if charge == 0

decision := {"credit": credit, "percent": percent, "amount": amount, "currency": currency, "reasons": reasons}
