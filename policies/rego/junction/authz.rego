# Authorization of every API request at the gateway (gateway/access.ts asks for
# data.junction.authz.decision once per request, after authentication).
# Input (built by gateway/access.ts):
#   { "principal": "crm" | null,        # null: the caller did not authenticate
#     "roles": ["bss"],
#     "tenant": "acme" | null,          # the tenant the principal is bound to
#     "method": "GET",
#     "route": "/tmf-api/serviceOrdering/v4/serviceOrder/:id",   # Hono route pattern
#     "target_tenant": "acme" | null }  # the tenant the request addresses, when known
# Output: decision := {allow, reasons, audit}
#   reasons: why it was denied (empty when allowed); audit: also log an allowed request.
package junction.authz

import rego.v1

# API families by route-pattern prefix. Hub (subscription) routes are found first: they sit
# under the API they subscribe to; then network event ingestion, which shares a path with reads.
family := "subscriptions" if {
	contains(input.route, "/hub")
} else := "network_events" if {
	input.method == "POST"
	input.route in ingest_routes
} else := f if {
	some f, prefixes in family_prefixes
	some prefix in prefixes
	startswith(input.route, prefix)
}

ingest_routes := {"/assurance/v1/alarms", "/assurance/v1/kpis", "/assurance/v1/usage"}

family_prefixes := {
	"orders": {"/tmf-api/serviceOrdering/"},
	"services": {"/tmf-api/serviceInventory/"},
	"resources": {"/tmf-api/resourceInventory/"},
	"problems": {"/tmf-api/serviceProblemManagement/", "/assurance/v1/serviceProblem"},
	"credits": {"/assurance/v1/credits"},
	"alarms": {"/tmf-api/alarmManagement/", "/assurance/v1/alarms", "/assurance/v1/drift", "/assurance/v1/summary"},
	"audit": {"/audit/"},
	"policy": {"/policy/"},
	"network_events": {"/network/"},
	"dead_letters": {"/operations/v1/dead-letters"},
	"metrics": {"/metrics"},
}

read_methods := {"GET", "HEAD"}

action := "read" if input.method in read_methods

action := "write" if not input.method in read_methods

# What each role may do, per family and action.
permissions := {
	"bss": {
		"orders": {"read", "write"},
		"services": {"read"},
		"problems": {"read"},
		"credits": {"read"},
		"subscriptions": {"read", "write"},
	},
	"compliance": {"policy": {"read", "write"}},
	"auditor": {"audit": {"read"}},
	"operator": {
		"orders": {"read"},
		"services": {"read"},
		# Writes: TMF639 POST/PATCH (maintenance, capacity); the gateway keeps reservations intact.
		"resources": {"read", "write"},
		"problems": {"read"},
		"alarms": {"read"},
		"credits": {"read"},
		"subscriptions": {"read"},
		"dead_letters": {"read", "write"},
		"metrics": {"read"},
	},
	"network": {"network_events": {"write"}},
}

# The audit API's POST routes compute answers from the log without changing anything.
audit_read_only_posts := {"/audit/v1/verify", "/audit/v1/checkpoints/consistency"}

# Replaying decisions against a candidate bundle belongs to compliance's bundle work.
replay_routes := {"/audit/v1/replay"}

# Families whose records belong to a tenant.
tenant_scoped := {"orders", "services", "problems", "credits", "subscriptions"}

authenticated if is_string(input.principal)

role_permits if {
	some role in input.roles
	action in permissions[role][family]
}

role_permits if {
	input.route in audit_read_only_posts
	"auditor" in input.roles
}

role_permits if {
	input.route in replay_routes
	some role in input.roles
	role in {"compliance", "auditor"}
}

# A principal bound to a tenant reaches that tenant only.
tenant_permits if not family in tenant_scoped

tenant_permits if {
	family in tenant_scoped
	is_string(input.tenant)
	not other_tenant_targeted
}

# Unbound operators oversee every tenant.
tenant_permits if {
	family in tenant_scoped
	not is_string(input.tenant)
	"operator" in input.roles
	action == "read"
}

other_tenant_targeted if {
	is_string(input.target_tenant)
	input.target_tenant != input.tenant
}

default allow := false

allow if {
	authenticated
	role_permits
	tenant_permits
}

reasons contains "authentication required" if not authenticated

reasons contains sprintf("route %s is not part of any API this policy knows", [input.route]) if {
	authenticated
	not family
}

reasons contains sprintf("no role of principal %s (%s) may %s %s", [input.principal, concat(", ", input.roles), action, family]) if {
	authenticated
	family
	not role_permits
}

reasons contains sprintf("principal %s is not bound to a tenant, which %s requires", [input.principal, family]) if {
	authenticated
	role_permits
	family in tenant_scoped
	not is_string(input.tenant)
	not tenant_permits
}

reasons contains sprintf("principal %s of tenant %s may not reach tenant %s", [input.principal, input.tenant, input.target_tenant]) if {
	authenticated
	role_permits
	is_string(input.tenant)
	family in tenant_scoped
	other_tenant_targeted
}

# Changing policy or the resource inventory is audited even when allowed; denials are always audited by the gateway.
default audit := false

audit if {
	family == "policy"
	action == "write"
}

# Operators changing the resource inventory (capacity, maintenance) are audited even when allowed.
audit if {
	family == "resources"
	action == "write"
}

decision := {"allow": allow, "reasons": reasons, "audit": audit}
