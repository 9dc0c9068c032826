import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";

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
