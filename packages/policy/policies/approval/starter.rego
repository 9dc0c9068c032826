# The typical starter approval policy (Kubernaut's trust ladder, Level 3 → 4). Not active unless
# configured: `aianalysis.rego.policy: packages/policy/policies/approval/starter.rego`.
#
# Approval is required for production (case-insensitive) and Unknown environments, sensitive targets
# (Node, StatefulSet), a missing remediation target, confidence below the configured threshold, any
# warnings, and GitOps-managed targets. Everything else auto-approves. A workflow graduated to
# `automate` (its trust level, set from the graduation report) auto-approves even in production, as long
# as nothing else above applies — so graduating takes effect without editing this file.
package aianalysis.approval

default require_approval := true

require_approval := false if count(approval_reasons) == 0

reason := concat("; ", sort(approval_reasons)) if count(approval_reasons) > 0

reason := sprintf("auto-approved: %s", [auto_approval_basis]) if count(approval_reasons) == 0

auto_approval_basis := "workflow graduated to automate" if trusted_automation

auto_approval_basis := "non-production target with high confidence" if not trusted_automation

approval_reasons contains "production environment" if {
	is_production
	not trusted_automation
}

approval_reasons contains "environment unknown (treated like production)" if {
	is_unknown_environment
	not trusted_automation
}

approval_reasons contains sprintf("sensitive target kind %s", [input.remediation_target.kind]) if {
	input.remediation_target.kind in sensitive_kinds
}

approval_reasons contains "no remediation target" if not has_target

approval_reasons contains sprintf("confidence %v below threshold %v", [input.confidence, threshold]) if {
	input.confidence < threshold
}

approval_reasons contains sprintf("warnings: %s", [concat(", ", input.warnings)]) if {
	count(input.warnings) > 0
}

approval_reasons contains "GitOps-managed target" if input.detected_labels.gitOpsManaged == true

sensitive_kinds := {"Node", "StatefulSet"}

threshold := object.get(input, "confidence_threshold", 0.8)

is_production if lower(input.environment) == "production"

is_unknown_environment if lower(object.get(input, "environment", "unknown")) == "unknown"

trusted_automation if input.workflow_trust_level == "automate"

has_target if {
	input.remediation_target.kind != ""
	input.remediation_target.name != ""
}
