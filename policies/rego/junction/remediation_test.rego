package junction.remediation_test

import rego.v1

import data.junction.remediation

slice(tier) := {"id": "svc-1", "specification": "enterprise-5g-slice", "slaTier": tier, "domains": ["ran", "transport", "core"]}

breach(metric, status) := {"serviceId": "svc-1", "metric": metric, "status": status, "observed": 35, "target": 20, "durationMs": 600000}

test_latency_breach_reroutes_over_transport if {
	d := remediation.decision with input as {"breach": breach("latency", "breached"), "service": slice("gold"), "attempts": 0}
	d.action.kind == "reroute"
	d.action.domain == "transport"
	d.reasons == {"latency 35 above target 20: re-route over another transport path"}
}

test_session_pressure_scales_the_upf if {
	d := remediation.decision with input as {"breach": breach("session_utilisation", "breached"), "service": slice("silver"), "attempts": 1}
	d.action.kind == "scale-upf"
}

test_threatened_breach_acted_on_only_for_premium if {
	gold := remediation.decision with input as {"breach": breach("latency", "threatened"), "service": slice("gold"), "attempts": 0}
	gold.action.kind == "reroute"
	standard := remediation.decision with input as {"breach": breach("latency", "threatened"), "service": slice("standard"), "attempts": 0}
	standard.action == null
	standard.reasons == {"threatened latency breach of a standard service is watched, not remediated"}
}

test_gives_up_after_two_attempts if {
	d := remediation.decision with input as {"breach": breach("latency", "breached"), "service": slice("gold"), "attempts": 2}
	d.action == null
	d.reasons == {"gave up after 2 remediation attempts"}
}

test_no_transport_no_reroute if {
	svc := object.union(slice("gold"), {"domains": ["access"]})
	d := remediation.decision with input as {"breach": breach("latency", "breached"), "service": svc, "attempts": 0}
	d.action == null
	d.reasons == {"no remediation known for latency"}
}
