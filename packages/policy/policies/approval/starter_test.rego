package aianalysis.approval_test

import data.aianalysis.approval

base := {
	"environment": "Staging",
	"confidence": 0.9,
	"confidence_threshold": 0.8,
	"severity": "critical",
	"signal_type": "PodCrashLooping",
	"business_priority": "P1",
	"action_type": "RollbackDeployment",
	"target_resource": {"kind": "Deployment", "name": "api", "namespace": "staging"},
	"remediation_target": {"kind": "Deployment", "name": "api", "namespace": "staging"},
	"detected_labels": {"workflow_name": "crashloop-rollback-v1"},
	"custom_labels": {},
	"business_classification": {},
	"warnings": [],
	"failed_detections": [],
	"workflow_trust_level": "approve",
}

test_staging_high_confidence_auto_approves if {
	not approval.require_approval with input as base
	approval.reason == "auto-approved: non-production target with high confidence" with input as base
}

test_production_requires_approval_case_insensitively if {
	approval.require_approval with input as object.union(base, {"environment": "PRODUCTION"})
	approval.reason == "production environment" with input as object.union(base, {"environment": "production"})
}

test_unknown_environment_is_treated_like_production if {
	approval.require_approval with input as object.union(base, {"environment": "Unknown"})
}

test_sensitive_kinds_require_approval if {
	approval.require_approval with input as object.union(base, {"remediation_target": {"kind": "Node", "name": "w1"}})
	approval.require_approval with input as object.union(base, {"remediation_target": {"kind": "StatefulSet", "name": "db", "namespace": "staging"}})
}

test_missing_target_requires_approval if {
	approval.require_approval with input as object.union(base, {"remediation_target": {"kind": "", "name": ""}})
}

test_low_confidence_requires_approval_with_the_configured_threshold if {
	approval.require_approval with input as object.union(base, {"confidence": 0.85, "confidence_threshold": 0.9})
	approval.reason == "confidence 0.85 below threshold 0.9" with input as object.union(base, {"confidence": 0.85, "confidence_threshold": 0.9})
	not approval.require_approval with input as object.union(base, {"confidence": 0.85})
}

test_warnings_require_approval if {
	approval.require_approval with input as object.union(base, {"warnings": ["owner chain unverified"]})
}

test_gitops_managed_requires_approval if {
	approval.require_approval with input as object.union(base, {"detected_labels": {"gitOpsManaged": true}})
}

test_automate_trust_auto_approves_in_production if {
	prod_automate := object.union(base, {"environment": "Production", "workflow_trust_level": "automate"})
	not approval.require_approval with input as prod_automate
	approval.reason == "auto-approved: workflow graduated to automate" with input as prod_automate
}

test_automate_trust_does_not_override_sensitive_targets_or_low_confidence if {
	prod_automate := object.union(base, {"environment": "Production", "workflow_trust_level": "automate"})
	approval.require_approval with input as object.union(prod_automate, {"remediation_target": {"kind": "Node", "name": "w1"}})
	approval.require_approval with input as object.union(prod_automate, {"confidence": 0.5})
}

test_several_reasons_are_all_given if {
	approval.reason == "confidence 0.5 below threshold 0.8; production environment" with input as object.union(base, {"environment": "Production", "confidence": 0.5})
}
