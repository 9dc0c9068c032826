package signalprocessing.classification_test

import data.signalprocessing.classification as c

test_namespace_label_wins if {
	c.environment == "Production" with input as {"namespace": {"name": "shop-qa", "labels": {"kubernaut.ai/environment": "prod"}}, "alert": {"labels": {"env": "dev"}}}
	c.environment_source == "namespace label kubernaut.ai/environment" with input as {"namespace": {"name": "shop", "labels": {"kubernaut.ai/environment": "prod"}}, "alert": {"labels": {}}}
}

test_namespace_env_labels_then_alert_labels if {
	c.environment == "Staging" with input as {"namespace": {"name": "shop", "labels": {"env": "staging"}}, "alert": {"labels": {"env": "dev"}}}
	c.environment_source == "namespace label env" with input as {"namespace": {"name": "shop", "labels": {"env": "staging"}}, "alert": {"labels": {}}}
	c.environment == "Production" with input as {"namespace": {"name": "shop", "labels": {"environment": "production"}}, "alert": {"labels": {}}}
	c.environment == "Development" with input as {"namespace": {"name": "payments-prod", "labels": {}}, "alert": {"labels": {"env": "dev"}}}
}

test_namespace_names_only_when_the_operator_says_so if {
	c.environment == "Production" with input as {"namespace": {"name": "payments-prod", "labels": {}}, "alert": {"labels": {}}, "options": {"environment_from_namespace_name": true}}
	c.environment_source == "namespace name payments-prod" with input as {"namespace": {"name": "payments-prod", "labels": {}}, "alert": {"labels": {}}, "options": {"environment_from_namespace_name": true}}
	c.environment == "Staging" with input as {"namespace": {"name": "payments-prod", "labels": {"env": "staging"}}, "alert": {"labels": {}}, "options": {"environment_from_namespace_name": true}}
	c.environment == "Unknown" with input as {"namespace": {"name": "payments-prod", "labels": {}}, "alert": {"labels": {}}, "options": {"environment_from_namespace_name": false}}
}

test_namespace_names_are_not_guessed_from if {
	c.environment == "Unknown" with input as {"namespace": {"name": "payments-prod", "labels": {}}, "alert": {"labels": {}}}
	c.environment == "Unknown" with input as {"namespace": {"name": "qa", "labels": {}}, "alert": {"labels": {}}}
	c.environment_source == "no environment marker" with input as {"namespace": {"name": "production", "labels": {}}, "alert": {"labels": {}}}
}

test_severity_schemes if {
	c.severity == "critical" with input as {"alert": {"severity": "SEV1"}}
	c.severity == "high" with input as {"alert": {"severity": "p1"}}
	c.severity == "warning" with input as {"alert": {"severity": "warning"}}
	c.severity == "info" with input as {"alert": {"severity": "sev4"}}
	c.severity == "unknown" with input as {"alert": {"severity": "purple"}}
}

test_priority if {
	c.priority == "P0" with input as {"namespace": {"name": "a", "labels": {"env": "prod"}}, "alert": {"severity": "critical"}}
	c.priority == "P1" with input as {"namespace": {"name": "a", "labels": {"env": "prod"}}, "alert": {"severity": "high"}}
	c.priority == "P1" with input as {"namespace": {"name": "a", "labels": {"env": "staging"}}, "alert": {"severity": "critical"}}
	c.priority == "P2" with input as {"namespace": {"name": "a", "labels": {"env": "staging"}}, "alert": {"severity": "info"}}
	c.priority == "P3" with input as {"namespace": {"name": "a", "labels": {"env": "dev"}}, "alert": {"severity": "critical"}}
}

test_custom_labels_and_business if {
	c.custom_labels == {"team": "payments", "tier": "backend"} with input as {
		"target": {"labels": {"kubernaut.ai/team": "payments"}},
		"namespace": {"name": "x", "labels": {"kubernaut.ai/tier": "backend", "kubernaut.ai/business-unit": "retail"}},
		"alert": {"labels": {}},
	}
	c.business_classification.businessUnit == "retail" with input as {"namespace": {"name": "x", "labels": {"kubernaut.ai/business-unit": "retail"}}}
}

test_managed_scope if {
	c.managed with input as {"namespace": {"name": "x", "labels": {"kubernaut.ai/managed": "true"}}, "target": {"labels": {}}}
	c.managed with input as {"namespace": {"name": "x", "labels": {}}, "target": {"labels": {"kubernaut.ai/managed": "true"}}}
	not c.managed with input as {"namespace": {"name": "x", "labels": {}}, "target": {"labels": {}}}
	c.managed with input as {"alert": {"labels": {}}}
}
