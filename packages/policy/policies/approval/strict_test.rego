package aianalysis.approval_test

import data.aianalysis.approval

test_everything_requires_approval if {
	approval.require_approval with input as {"environment": "Development", "confidence": 1, "workflow_trust_level": "automate"}
	approval.require_approval with input as {}
}
