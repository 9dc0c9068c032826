import { buildIntakeDefinition, INTAKE_FUNCTIONS, type IntakeFunction } from "@kubernaut/intake/definition";
import { type FunctionContext, lambdaFunction } from "./functions";
import { stateMachine } from "./state-machine";

/**
 * The intake state machine (DESIGN §2): free text → structured signal (the model, in its own function
 * so the ingest function never loads an LLM client) → the ingest logic, which starts remediations on the
 * pipeline machine. Same JSONPath ASL as the local engine, deployed with the raw `aws.sfn.StateMachine`.
 */
export async function createIntake(context: FunctionContext) {
  const functions = Object.fromEntries(
    await Promise.all(INTAKE_FUNCTIONS.map(async (fn) => [fn, await lambdaFunction(fn, context)] as const)),
  ) as Record<IntakeFunction, sst.aws.Function>;

  const machine = await stateMachine("Intake", {
    name: `kubernaut-${$app.stage}-intake`,
    functions,
    definition: (functionArn) =>
      buildIntakeDefinition({
        functionArn,
        // The Lambda's own 5-minute timeout bounds the model's budget (at most 15 minutes in config).
        interpretTimeoutSeconds: 300,
      }),
  });
  return { machine, functions };
}
