# The seed's example: production requires approval except for named, trusted workflows on
# non-sensitive targets; everything outside production auto-approves.
package aianalysis.approval

default require_approval := true

require_approval := false if not is_production

require_approval := false if {
	is_production
	input.remediation_target.kind != "Node"
	input.remediation_target.kind != "StatefulSet"
	input.detected_labels.workflow_name in trusted_production_workflows
}

trusted_production_workflows := {
	"crashloop-rollback-v1",
	"restart-pod-v1",
	"increase-memory-limits-v1",
}

is_production if lower(input.environment) == "production"

reason := "production: the workflow is not in the trusted list" if require_approval

reason := "trusted workflow or non-production target" if not require_approval
