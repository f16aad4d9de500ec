package junction.notification_test

import rego.v1

import data.junction.notification

problem(severity) := {"id": "p-1", "severity": severity, "probableCause": "lossOfSignal", "rootResource": {"id": "link-1", "type": "transport-link"}}

gold := {"tenant": "acme", "customerType": "enterprise", "slaTier": "gold", "area": "SITE-A", "customers": 3, "services": 5}

consumers := {"tenant": "acme", "customerType": "consumer", "slaTier": "standard", "area": "SITE-A", "customers": 800, "services": 800}

test_gold_enterprise_immediately_and_individually if {
	d := notification.decision with input as {"event": "raised", "problem": problem("critical"), "group": gold}
	d.notify == true
	d.mode == "individual"
	d.priority == "critical"
	d.delayMs == 0
}

test_consumers_batched_per_area_at_once_for_an_outage if {
	d := notification.decision with input as {"event": "raised", "problem": problem("critical"), "group": consumers}
	d.notify == true
	d.mode == "batched"
	d.priority == "high"
	d.delayMs == 0
	d.reasons == {"standard consumer customers are notified per area"}
}

test_consumers_get_minor_trouble_in_a_digest if {
	d := notification.decision with input as {"event": "raised", "problem": problem("minor"), "group": consumers}
	d.mode == "batched"
	d.priority == "low"
	d.delayMs == 300000
}

test_warnings_only_reach_premium_enterprise if {
	not notification.notify with input as {"event": "raised", "problem": problem("warning"), "group": consumers}
	notification.notify with input as {"event": "raised", "problem": problem("warning"), "group": gold}
}

test_resolution_is_always_told_without_delay if {
	d := notification.decision with input as {"event": "resolved", "problem": problem("minor"), "group": consumers}
	d.notify == true
	d.delayMs == 0
}
