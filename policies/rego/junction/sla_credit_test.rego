package junction.sla_credit_test

import rego.v1

import data.junction.sla_credit

period := {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z", "minutes": 43200}

test_gold_slice_thirty_minutes_of_latency if {
	d := sla_credit.decision with input as {
		"service": {"id": "svc-1", "specification": "enterprise-5g-slice", "slaTier": "gold"},
		"breach": {"metric": "latency", "target": 20, "observed": 35, "durationMs": 1800000},
		"period": period,
	}
	d.credit == true
	d.percent == 12
	d.amount == 240
	d.currency == "EUR"
}

test_credit_is_capped_per_tier if {
	d := sla_credit.decision with input as {
		"service": {"id": "svc-2", "specification": "broadband", "slaTier": "standard", "monthlyCharge": 39.99},
		"breach": {"metric": "availability", "target": 0.999, "observed": 0, "durationMs": 36000000},
		"period": period,
	}
	d.percent == 10
	d.amount == 4
}

test_unknown_product_gets_no_credit if {
	d := sla_credit.decision with input as {
		"service": {"id": "svc-3", "specification": "mystery", "slaTier": "gold"},
		"breach": {"metric": "latency", "target": 20, "observed": 35, "durationMs": 600000},
		"period": period,
	}
	d.credit == false
	d.reasons == {"no monthly charge known for the service"}
}
