# Signal classification (DESIGN §3.2), evaluated like the approval policy so operators can change it:
# edit this file (or point signalProcessing.classificationPolicy at your own) and the next remediation
# uses it, no restart. Input: {alert: {labels, severity}, namespace: {name, labels}, target: {kind, name, labels}}.
package signalprocessing.classification

environment_words := {
	"prod": "Production", "production": "Production", "prd": "Production", "live": "Production",
	"staging": "Staging", "stage": "Staging", "stg": "Staging", "preprod": "Staging",
	"dev": "Development", "development": "Development", "develop": "Development",
	"test": "Test", "testing": "Test", "qa": "Test", "uat": "Test",
}

# Where the environment comes from, in order: the namespace's kubernaut.ai/environment, env or
# environment label (Kubernaut reads the first two), then the alert's env / environment labels.
# Namespace names are not guessed from (`payments-prod` may be a test of the payments product) unless
# the operator says so: signalProcessing.environmentFromNamespaceName: true, which reaches this policy
# as input.options.environment_from_namespace_name (or write your own rule here).
labelled_sources := [
	["namespace label kubernaut.ai/environment", object.get(input, ["namespace", "labels", "kubernaut.ai/environment"], "")],
	["namespace label env", object.get(input, ["namespace", "labels", "env"], "")],
	["namespace label environment", object.get(input, ["namespace", "labels", "environment"], "")],
	["alert label env", object.get(input, ["alert", "labels", "env"], "")],
	["alert label environment", object.get(input, ["alert", "labels", "environment"], "")],
]

name_sources := [[sprintf("namespace name %s", [input.namespace.name]), part] |
	input.options.environment_from_namespace_name == true
	some part in regex.split(`[-_.]`, input.namespace.name)
]

environment_sources := array.concat(labelled_sources, name_sources)

environment_matches := [[source, env] |
	some pair in environment_sources
	env := environment_words[lower(pair[1])]
	source := pair[0]
]

default environment := "Unknown"

environment := environment_matches[0][1] if count(environment_matches) > 0

default environment_source := "no environment marker"

environment_source := environment_matches[0][0] if count(environment_matches) > 0

severity_words := {
	"critical": "critical", "crit": "critical", "sev1": "critical", "sev-1": "critical", "p0": "critical", "emergency": "critical", "fatal": "critical",
	"high": "high", "error": "high", "major": "high", "sev2": "high", "sev-2": "high", "p1": "high",
	"warning": "warning", "warn": "warning", "medium": "warning", "minor": "warning", "sev3": "warning", "sev-3": "warning", "p2": "warning",
	"info": "info", "informational": "info", "low": "info", "notice": "info", "sev4": "info", "sev-4": "info", "p3": "info", "none": "info",
}

default severity := "unknown"

severity := severity_words[lower(object.get(input, ["alert", "severity"], ""))]

default priority := "P3"

priority := "P0" if {
	environment == "Production"
	severity == "critical"
}

priority := "P1" if {
	environment == "Production"
	severity == "high"
}

priority := "P1" if {
	environment == "Staging"
	severity == "critical"
}

priority := "P2" if {
	environment == "Staging"
	severity != "critical"
}

# Team and tier: the workload's labels first, then the namespace's, then the alert's.
label_of(key) := v if {
	v := object.get(input, ["target", "labels", sprintf("kubernaut.ai/%s", [key])], "")
	v != ""
} else := v if {
	v := object.get(input, ["namespace", "labels", sprintf("kubernaut.ai/%s", [key])], "")
	v != ""
} else := object.get(input, ["alert", "labels", key], "")

custom_labels := {k: v | some k in ["team", "tier"]; v := label_of(k); v != ""}

business_classification := {
	"businessUnit": object.get(input, ["namespace", "labels", "kubernaut.ai/business-unit"], ""),
	"serviceOwner": object.get(input, ["namespace", "labels", "kubernaut.ai/service-owner"], ""),
	"criticality": object.get(input, ["namespace", "labels", "kubernaut.ai/criticality"], ""),
	"slaRequirement": object.get(input, ["namespace", "labels", "kubernaut.ai/sla"], ""),
}

# Managed scope: kubernaut.ai/managed=true on the workload or its namespace. When the cluster could
# not be read (no namespace labels at all), nothing says the target is unmanaged.
default managed := false

managed if object.get(input, ["target", "labels", "kubernaut.ai/managed"], "") == "true"

managed if object.get(input, ["namespace", "labels", "kubernaut.ai/managed"], "") == "true"

managed if not input.namespace.labels
