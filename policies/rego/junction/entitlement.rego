# Entitlement: may this customer order this service item, at this site, with this SLA?
# Input (built by the orchestrator per order item):
#   { "customer": {id, type, status, slaTier, sites}, "item": {id, action, specification, site}, "order": {id} }
package junction.entitlement

import rego.v1

default allow := false

allow if count(deny) == 0

# One decision the orchestrator evaluates: the verdict and every reason, for the BSS.
decision := {"allow": allow, "reasons": deny}

# Every reason to refuse, so the BSS can tell the customer why.
deny contains msg if {
	input.customer.status != "active"
	msg := sprintf("customer %s is %s, not active", [input.customer.id, input.customer.status])
}

deny contains msg if {
	spec := input.item.specification
	not data.entitlement.products[spec]
	msg := sprintf("unknown service specification %s", [spec])
}

deny contains msg if {
	product := data.entitlement.products[input.item.specification]
	not input.customer.type in product.customerTypes
	msg := sprintf("%s customers may not order %s", [input.customer.type, input.item.specification])
}

deny contains msg if {
	product := data.entitlement.products[input.item.specification]
	not input.item.site in product.sites
	msg := sprintf("%s is not offered at site %s", [input.item.specification, input.item.site])
}

deny contains msg if {
	input.item.action == "add"
	not input.item.site in input.customer.sites
	msg := sprintf("site %s is not a site of customer %s", [input.item.site, input.customer.id])
}

deny contains msg if {
	product := data.entitlement.products[input.item.specification]
	count(product.slaTiers) > 0
	not input.customer.slaTier in product.slaTiers
	msg := sprintf(
		"%s requires SLA tier %s; customer %s has %v",
		[input.item.specification, concat(" or ", product.slaTiers), input.customer.id, input.customer.slaTier],
	)
}

# Accounts overdue past the limit in data may not order (the BSS passes overdueDays when it knows it).
deny contains msg if {
	input.customer.overdueDays > data.entitlement.max_overdue_days
	msg := sprintf("account overdue for %d days", [input.customer.overdueDays])
}
