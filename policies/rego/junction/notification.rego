# Notification: whether, how fast and with what priority the BSS hears about a service problem.
# Evaluated once per group of affected customers that share tenant, customer type, SLA tier and
# area, so a 10,000-service outage needs a handful of decisions, not 10,000.
# Input (built by orchestrator/assurance/notify.ts):
#   { "event": "raised" | "resolved",
#     "problem": {id, severity, probableCause, rootResource: {id, type}},
#     "group": {tenant, customerType, slaTier, area, customers, services} }
# Output: decision := {notify, mode: "individual" | "batched", priority, delayMs, reasons}
package junction.notification

import rego.v1

premium_tiers := {"gold", "platinum"}

priority_by_severity := {"critical": "critical", "major": "high", "minor": "normal", "warning": "low", "indeterminate": "low"}

# Consumers hear about minor trouble in a digest; outages reach them at once (batched per area).
consumer_delay_ms := {"critical": 0, "major": 0, "minor": 300000, "warning": 900000, "indeterminate": 900000}

default notify := false

notify if {
	input.problem.severity != "warning"
}

# Warnings matter to premium enterprise customers only.
notify if {
	input.problem.severity == "warning"
	premium_enterprise
}

# A resolution is always told to whoever may have heard about the problem.
notify if input.event == "resolved"

premium_enterprise if {
	input.group.customerType == "enterprise"
	input.group.slaTier in premium_tiers
}

default mode := "batched"

mode := "individual" if premium_enterprise

default priority := "normal"

priority := p if {
	premium_enterprise
	p := priority_by_severity[input.problem.severity]
}

priority := p if {
	not premium_enterprise
	input.problem.severity in {"minor", "warning", "indeterminate"}
	p := "low"
}

priority := "high" if {
	not premium_enterprise
	input.problem.severity in {"critical", "major"}
}

default delay_ms := 0

delay_ms := d if {
	not premium_enterprise
	input.event == "raised"
	d := consumer_delay_ms[input.problem.severity]
}

reasons contains "premium enterprise customers are notified immediately and individually" if premium_enterprise

reasons contains sprintf("%s %s customers are notified per area", [input.group.slaTier, input.group.customerType]) if not premium_enterprise

decision := {"notify": notify, "mode": mode, "priority": priority, "delayMs": delay_ms, "reasons": reasons}
