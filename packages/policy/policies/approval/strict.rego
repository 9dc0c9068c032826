# The strictest Level 3: every remediation requires approval, whatever it is.
package aianalysis.approval

default require_approval := true

reason := "strict policy: every remediation requires approval"
