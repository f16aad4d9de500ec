package junction.provisioning_test

import rego.v1

import data.junction.provisioning

order := {"id": "o-1", "itemId": "1", "contractedBandwidthMbps": 1000, "slaTier": "gold", "qosClass": "premium"}

transport(bw) := {"domain": "transport", "operation": "create", "parameters": {"bandwidthMbps": bw}}

test_transport_within_contract_is_allowed if {
	provisioning.allow with input as {"action": transport(1000), "order": order, "resources": [], "window": {"hour_utc": 12}}
}

test_bandwidth_above_contract_is_refused if {
	d := provisioning.decision with input as {"action": transport(1001), "order": order, "resources": [], "window": {"hour_utc": 12}}
	d.allow == false
	d.reasons == {"bandwidth 1001 Mb/s above the contracted 1000 Mb/s"}
}

test_qos_class_must_match_the_sla if {
	wrong := object.union(order, {"qosClass": "best-effort"})
	v := provisioning.violations with input as {"action": transport(100), "order": wrong, "resources": [], "window": {"hour_utc": 12}}
	v == {"QoS class best-effort does not match SLA tier gold (expects premium)"}
}

test_resources_in_maintenance_are_not_touched if {
	v := provisioning.violations with input as {
		"action": transport(100), "order": order,
		"resources": [{"id": "uplink-SITE-A", "state": "maintenance"}, {"id": "x", "state": "available"}],
		"window": {"hour_utc": 12},
	}
	v == {"resource uplink-SITE-A is in maintenance"}
}

test_core_create_any_time_modify_only_in_window if {
	create := {"domain": "core", "operation": "create", "parameters": {}}
	modify := {"domain": "core", "operation": "modify", "parameters": {}}
	provisioning.allow with input as {"action": create, "order": order, "resources": [], "window": {"hour_utc": 14}}
	not provisioning.allow with input as {"action": modify, "order": order, "resources": [], "window": {"hour_utc": 14}}
	provisioning.allow with input as {"action": modify, "order": order, "resources": [], "window": {"hour_utc": 3}}
}

test_unknown_operation_is_refused if {
	v := provisioning.violations with input as {"action": {"domain": "core", "operation": "reboot", "parameters": {}}, "order": order, "resources": [], "window": {"hour_utc": 3}}
	"operation reboot is not permitted in domain core" in v
}

test_ran_slice_type_is_checked if {
	bad := {"domain": "ran", "operation": "create", "parameters": {"sliceId": "party"}}
	not provisioning.allow with input as {"action": bad, "order": order, "resources": [], "window": {"hour_utc": 3}}
	good := {"domain": "ran", "operation": "create", "parameters": {"sliceId": "urllc"}}
	provisioning.allow with input as {"action": good, "order": order, "resources": [], "window": {"hour_utc": 3}}
}

test_bandwidth_above_ceiling_is_refused if {
	requested := {"bandwidth_mbps": 40000}
	action := {"domain": "transport", "operation": "create", "parameters": {"bandwidthMbps": requested.bandwidth_mbps}}
	generous := object.union(order, {"contractedBandwidthMbps": 50000})
	v := provisioning.violations with input as {"action": action, "order": generous, "resources": [], "window": {"hour_utc": 12}}
	v == {"bandwidth 40000 Mb/s above the 10000 Mb/s ceiling"}
}
