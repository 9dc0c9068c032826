package aianalysis.approval_test

import data.aianalysis.approval

test_trusted_workflow_in_production_auto_approves if {
	not approval.require_approval with input as {"environment": "Production", "remediation_target": {"kind": "Deployment"}, "detected_labels": {"workflow_name": "restart-pod-v1"}}
}

test_untrusted_workflow_in_production_requires_approval if {
	approval.require_approval with input as {"environment": "production", "remediation_target": {"kind": "Deployment"}, "detected_labels": {"workflow_name": "scale-replicas-v1"}}
}

test_trusted_workflow_on_a_node_requires_approval if {
	approval.require_approval with input as {"environment": "Production", "remediation_target": {"kind": "Node"}, "detected_labels": {"workflow_name": "restart-pod-v1"}}
}

test_non_production_auto_approves if {
	not approval.require_approval with input as {"environment": "Staging", "remediation_target": {"kind": "Node"}, "detected_labels": {}}
}
