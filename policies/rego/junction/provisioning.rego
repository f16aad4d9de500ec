# Provisioning: may this resource action be sent to the network?
# Input (built by the orchestrator per action):
#   { "action": {id, domain, operation, target, parameters},
#     "order": {id, itemId, contractedBandwidthMbps, slaTier, qosClass},
#     "resources": [{id, state}],   the inventory resources the action touches
#     "window": {hour_utc} }
package junction.provisioning

import rego.v1

default allow := false

allow if count(violations) == 0

decision := {"allow": allow, "reasons": violations}

violations contains msg if {
	not input.action.operation in data.provisioning.operations[input.action.domain]
	msg := sprintf("operation %s is not permitted in domain %s", [input.action.operation, input.action.domain])
}

# Never configure more bandwidth than the customer contracted (nor above the network ceiling).
violations contains msg if {
	bw := input.action.parameters.bandwidthMbps
	bw > input.order.contractedBandwidthMbps
	msg := sprintf("bandwidth %v Mb/s above the contracted %v Mb/s", [bw, input.order.contractedBandwidthMbps])
}

violations contains msg if {
	bw := input.action.parameters.bandwidthMbps
	bw > data.provisioning.max_bandwidth_mbps
	msg := sprintf("bandwidth %v Mb/s above the %v Mb/s ceiling", [bw, data.provisioning.max_bandwidth_mbps])
}

# The QoS class configured must be the one the customer's SLA tier maps to.
violations contains msg if {
	input.order.qosClass
	expected := data.provisioning.qos_class_by_tier[input.order.slaTier]
	input.order.qosClass != expected
	msg := sprintf("QoS class %s does not match SLA tier %s (expects %s)", [input.order.qosClass, input.order.slaTier, expected])
}

violations contains msg if {
	input.action.domain == "ran"
	slice := input.action.parameters.sliceId
	not slice in data.provisioning.ran_slice_types
	msg := sprintf("slice type %v is not one of %v", [slice, concat(", ", data.provisioning.ran_slice_types)])
}

violations contains msg if {
	some r in input.resources
	r.state == "maintenance"
	msg := sprintf("resource %s is in maintenance", [r.id])
}

# Changes to shared core network functions only inside their allowed windows.
violations contains msg if {
	input.action.domain == "core"
	not core_window_open
	msg := sprintf("core %s only inside its change window", [input.action.operation])
}

core_window_open if {
	some w in data.provisioning.core_windows
	input.action.operation in w.operations
	input.window.hour_utc >= w.start_hour
	input.window.hour_utc < w.end_hour
}
