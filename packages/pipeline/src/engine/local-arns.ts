/** The ARNs the local engine registers its machines under (an account of zeros, as AWS examples use). */
export const LOCAL_STATE_MACHINE_ARN =
  "arn:aws:states:us-east-1:000000000000:stateMachine:kubernaut-local-pipeline";

export const LOCAL_NOTIFY_STATE_MACHINE_ARN =
  "arn:aws:states:us-east-1:000000000000:stateMachine:kubernaut-local-notify";

export const LOCAL_INTAKE_STATE_MACHINE_ARN =
  "arn:aws:states:us-east-1:000000000000:stateMachine:kubernaut-local-intake";
