package junction.authz_test

import rego.v1

import data.junction.authz

req(principal, roles, tenant, method, route, target) := {
	"principal": principal, "roles": roles, "tenant": tenant,
	"method": method, "route": route, "target_tenant": target,
}

orders := "/tmf-api/serviceOrdering/v4/serviceOrder"

test_bss_orders_for_its_tenant if {
	authz.allow with input as req("crm", ["bss"], "acme", "POST", orders, null)
	authz.allow with input as req("crm", ["bss"], "acme", "GET", orders, "acme")
}

test_bss_may_not_reach_another_tenant if {
	d := authz.decision with input as req("crm", ["bss"], "acme", "GET", orders, "globex")
	d.allow == false
	d.reasons == {"principal crm of tenant acme may not reach tenant globex"}
}

test_bss_without_tenant_is_refused if {
	d := authz.decision with input as req("crm", ["bss"], null, "GET", orders, null)
	d.allow == false
	d.reasons == {"principal crm is not bound to a tenant, which orders requires"}
}

test_bss_may_not_read_audit_or_policy if {
	not authz.allow with input as req("crm", ["bss"], "acme", "GET", "/audit/v1/decisions", null)
	not authz.allow with input as req("crm", ["bss"], "acme", "POST", "/policy/v1/bundles", null)
}

test_auditor_reads_audit_only if {
	authz.allow with input as req("aud", ["auditor"], null, "GET", "/audit/v1/decisions", null)
	authz.allow with input as req("aud", ["auditor"], null, "POST", "/audit/v1/verify", null)
	not authz.allow with input as req("aud", ["auditor"], null, "GET", orders, null)
	not authz.allow with input as req("aud", ["auditor"], null, "POST", "/policy/v1/bundles", null)
}

test_compliance_manages_bundles_and_is_audited if {
	d := authz.decision with input as req("cmp", ["compliance"], null, "POST", "/policy/v1/bundles/:rev/activate", null)
	d == {"allow": true, "reasons": set(), "audit": true}
	authz.allow with input as req("cmp", ["compliance"], null, "POST", "/audit/v1/replay", null)
	not authz.allow with input as req("cmp", ["compliance"], null, "GET", "/audit/v1/decisions", null)
}

test_operator_reads_operations_and_handles_dead_letters if {
	authz.allow with input as req("noc", ["operator"], null, "GET", orders, null)
	authz.allow with input as req("noc", ["operator"], null, "GET", "/metrics", null)
	authz.allow with input as req("noc", ["operator"], null, "POST", "/operations/v1/dead-letters/:id/retry", null)
	not authz.allow with input as req("noc", ["operator"], null, "POST", orders, null)
}

test_operator_writes_resources_audited_and_bss_may_not if {
	resource := "/tmf-api/resourceInventory/v4/resource/:id"
	d := authz.decision with input as req("noc", ["operator"], null, "PATCH", resource, null)
	d == {"allow": true, "reasons": set(), "audit": true}
	authz.allow with input as req("noc", ["operator"], null, "POST", "/tmf-api/resourceInventory/v4/resource", null)
	not authz.audit with input as req("noc", ["operator"], null, "GET", resource, null)
	not authz.allow with input as req("crm", ["bss"], "acme", "PATCH", resource, null)
	not authz.allow with input as req("crm", ["bss"], "acme", "POST", "/tmf-api/resourceInventory/v4/resource", null)
	not authz.allow with input as req("probe", ["network"], null, "PATCH", resource, null)
	not authz.allow with input as req("aud", ["auditor"], null, "POST", "/operations/v1/dead-letters/:id/retry", null)
	not authz.allow with input as req("crm", ["bss"], "acme", "GET", "/operations/v1/dead-letters", null)
}

test_network_ingests_events_only if {
	authz.allow with input as req("probe", ["network"], null, "POST", "/network/v1/events", null)
	not authz.allow with input as req("probe", ["network"], null, "GET", "/network/v1/events", null)
	not authz.allow with input as req("probe", ["network"], null, "GET", "/tmf-api/resourceInventory/v4/resource", null)
}

test_hub_routes_are_subscriptions if {
	authz.family == "subscriptions" with input as req("crm", ["bss"], "acme", "POST", "/tmf-api/serviceOrdering/v4/hub", null)
	authz.allow with input as req("crm", ["bss"], "acme", "POST", "/tmf-api/serviceOrdering/v4/hub", null)
}

test_unauthenticated_and_unknown_routes_are_denied_with_reasons if {
	d := authz.decision with input as req(null, [], null, "GET", orders, null)
	d.reasons == {"authentication required"}
	e := authz.decision with input as req("crm", ["bss"], "acme", "GET", "/secret", null)
	e.reasons == {"route /secret is not part of any API this policy knows"}
}

test_assurance_routes if {
	authz.allow with input as req("probe", ["network"], null, "POST", "/assurance/v1/alarms", null)
	not authz.allow with input as req("probe", ["network"], null, "GET", "/assurance/v1/alarms", null)
	authz.allow with input as req("noc", ["operator"], null, "GET", "/assurance/v1/alarms", null)
	not authz.allow with input as req("noc", ["operator"], null, "POST", "/assurance/v1/alarms", null)
	authz.allow with input as req("crm", ["bss"], "acme", "GET", "/assurance/v1/serviceProblem/:id", null)
	authz.allow with input as req("crm", ["bss"], "acme", "GET", "/assurance/v1/credits", null)
	not authz.allow with input as req("crm", ["bss"], "acme", "GET", "/assurance/v1/summary", null)
}
