# Remediation: what to do about a threatened or actual SLA breach of one service.
# Input (built by orchestrator/assurance/remediation.ts):
#   { "breach": {serviceId, metric, status: "threatened" | "breached", observed, target, durationMs},
#     "service": {id, specification, slaTier, domains: [..]},   domains the service has actions in
#     "attempts": n }                                              remediations already tried for this breach
# Output: decision := {"action": {kind, domain, operation, patch} | null, "reasons": {..}}
# The chosen action then goes through data.junction.provisioning like any other action.
package junction.remediation

import rego.v1

max_attempts := 2

premium_tiers := {"gold", "platinum"}

# Metrics a new transport path can fix, and those more core capacity can.
path_metrics := {"latency", "availability", "packet_loss"}

capacity_metrics := {"session_utilisation", "upf_load"}

default act := false

act if {
	input.attempts < max_attempts
	input.breach.status == "breached"
}

# Threatened breaches are acted on ahead of time only for premium tiers.
act if {
	input.attempts < max_attempts
	input.breach.status == "threatened"
	input.service.slaTier in premium_tiers
}

reroute := {"kind": "reroute", "domain": "transport", "operation": "modify", "patch": {"linkIds": null}}

scale_upf := {"kind": "scale-upf", "domain": "core", "operation": "modify", "patch": {"sessionsFactor": 1.5}}

default action := null

action := reroute if {
	act
	input.breach.metric in path_metrics
	"transport" in input.service.domains
}

action := scale_upf if {
	act
	input.breach.metric in capacity_metrics
	"core" in input.service.domains
}

reasons contains sprintf("gave up after %d remediation attempts", [input.attempts]) if input.attempts >= max_attempts

reasons contains sprintf("threatened %s breach of a %s service is watched, not remediated", [input.breach.metric, input.service.slaTier]) if {
	input.breach.status == "threatened"
	not input.service.slaTier in premium_tiers
}

reasons contains sprintf("%s %v above target %v: re-route over another transport path", [input.breach.metric, input.breach.observed, input.breach.target]) if {
	action.kind == "reroute"
}

reasons contains sprintf("%s at %v: scale the UPF", [input.breach.metric, input.breach.observed]) if {
	action.kind == "scale-upf"
}

reasons contains sprintf("no remediation known for %s", [input.breach.metric]) if {
	act
	action == null
}

decision := {"action": action, "reasons": reasons}
