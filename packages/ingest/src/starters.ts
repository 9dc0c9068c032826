import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";

/**
 * Starts the one Step Functions execution of a remediation. The execution name is the remediation id,
 * so starting twice is harmless: Step Functions answers an identical StartExecution with the existing
 * execution, and a name clash can only be this same remediation.
 */
export interface RemediationStarter {
  start(remediation: { id: string; executionName: string }): Promise<{ executionArn: string }>;
}

export class StepFunctionsStarter implements RemediationStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(remediation: { id: string; executionName: string }): Promise<{ executionArn: string }> {
    try {
      const result = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: remediation.executionName,
          input: JSON.stringify({ remediationId: remediation.id }),
        }),
      );
      return { executionArn: result.executionArn ?? "" };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) {
        return { executionArn: executionArnFor(this.stateMachineArn, remediation.executionName) };
      }
      throw error;
    }
  }
}

/** arn:aws:states:r:a:stateMachine:N → arn:aws:states:r:a:execution:N:<name> */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${executionName}`;
}

/** Starts the intake execution of a request; named by the intake id, so starting twice is harmless. */
export interface IntakeStarter {
  start(intakeId: string): Promise<void>;
}

export class StepFunctionsIntakeStarter implements IntakeStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(intakeId: string): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: intakeId,
          input: JSON.stringify({ intakeId }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }
}
