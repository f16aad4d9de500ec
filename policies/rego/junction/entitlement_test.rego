package junction.entitlement_test

import rego.v1

import data.junction.entitlement

consumer := {"id": "CUST-1001", "type": "consumer", "status": "active", "slaTier": "standard", "sites": ["SITE-A", "SITE-B"]}

enterprise := {"id": "CUST-2001", "type": "enterprise", "status": "active", "slaTier": "gold", "sites": ["SITE-A", "SITE-B"]}

broadband_at(site) := {"id": "1", "action": "add", "specification": "broadband", "site": site}

slice_at(site) := {"id": "1", "action": "add", "specification": "enterprise-5g-slice", "site": site}

test_active_consumer_may_order_broadband if {
	entitlement.allow with input as {"customer": consumer, "item": broadband_at("SITE-A")}
	entitlement.decision == {"allow": true, "reasons": set()} with input as {"customer": consumer, "item": broadband_at("SITE-A")}
}

test_suspended_customer_is_refused_with_the_reason if {
	suspended := object.union(consumer, {"id": "CUST-3001", "status": "suspended"})
	d := entitlement.decision with input as {"customer": suspended, "item": broadband_at("SITE-A")}
	d.allow == false
	d.reasons == {"customer CUST-3001 is suspended, not active"}
}

test_consumer_may_not_order_a_slice if {
	reasons := entitlement.deny with input as {"customer": consumer, "item": slice_at("SITE-A")}
	"consumer customers may not order enterprise-5g-slice" in reasons
}

test_enterprise_gold_may_order_a_slice if {
	entitlement.allow with input as {"customer": enterprise, "item": slice_at("SITE-A")}
}

test_slice_needs_gold_or_better if {
	silver := object.union(enterprise, {"slaTier": "silver"})
	reasons := entitlement.deny with input as {"customer": silver, "item": slice_at("SITE-A")}
	"enterprise-5g-slice requires SLA tier gold or platinum; customer CUST-2001 has silver" in reasons
}

test_product_must_be_offered_at_the_site if {
	reasons := entitlement.deny with input as {"customer": object.union(consumer, {"sites": ["SITE-Z"]}), "item": broadband_at("SITE-Z")}
	"broadband is not offered at site SITE-Z" in reasons
}

test_site_must_belong_to_the_customer if {
	only_a := object.union(consumer, {"sites": ["SITE-A"]})
	reasons := entitlement.deny with input as {"customer": only_a, "item": broadband_at("SITE-B")}
	reasons == {"site SITE-B is not a site of customer CUST-1001"}
}

test_unknown_specification_is_named if {
	item := {"id": "1", "action": "add", "specification": "carrier-pigeon", "site": "SITE-A"}
	reasons := entitlement.deny with input as {"customer": consumer, "item": item}
	"unknown service specification carrier-pigeon" in reasons
}

test_products_come_from_data if {
	not entitlement.allow with input as {"customer": consumer, "item": broadband_at("SITE-A")}
		with data.entitlement.products.broadband.customerTypes as ["enterprise"]
}

test_overdue_limit_comes_from_data if {
	late := object.union(consumer, {"overdueDays": 10})
	entitlement.allow with input as {"customer": late, "item": broadband_at("SITE-A")}
	reasons := entitlement.deny with input as {"customer": late, "item": broadband_at("SITE-A")} with data.entitlement.max_overdue_days as 5
	reasons == {"account overdue for 10 days"}
}
