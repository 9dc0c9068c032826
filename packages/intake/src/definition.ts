/**
 * The intake state machine (DESIGN §2): one execution per intake request, named by its id. Interpret
 * asks the model (slow, heavy clients — kept out of the HTTP function); Submit hands the structured
 * signal to the ingest logic; any failure records the reason on the request. States carry only the id.
 */
export const INTAKE_FUNCTIONS = ["intake-interpret", "intake-submit", "intake-failed"] as const;
export type IntakeFunction = (typeof INTAKE_FUNCTIONS)[number];

export function buildIntakeDefinition(options: {
  functionArn: (fn: IntakeFunction) => string;
  /** Seconds Interpret may take: the model's whole budget plus slack. */
  interpretTimeoutSeconds: number;
}) {
  const transient = [
    "TransientError",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
  ];
  const task = (fn: IntakeFunction, timeoutSeconds: number, next: string) => ({
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: { FunctionName: options.functionArn(fn), Payload: { "intakeId.$": "$.intakeId" } },
    ResultSelector: { "value.$": "$.Payload" },
    ResultPath: "$.result",
    TimeoutSeconds: timeoutSeconds,
    Retry: [
      { ErrorEquals: transient, IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 4, JitterStrategy: "FULL" },
    ],
    Next: next,
  });
  return {
    Comment: "Kubernaut natural-language intake: text → structured signal (model) → the ingest logic",
    StartAt: "Interpret",
    States: {
      Interpret: {
        ...task("intake-interpret", options.interpretTimeoutSeconds, "Interpreted"),
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "RecordFailure" }],
      },
      Interpreted: {
        Type: "Choice",
        Choices: [{ Variable: "$.result.value.state", StringEquals: "Interpreting", Next: "Submit" }],
        // Failed (the model could not name a workload) or already final: nothing to submit.
        Default: "Done",
      },
      Submit: {
        ...task("intake-submit", 30, "Done"),
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "RecordFailure" }],
      },
      Done: { Type: "Succeed" },
      RecordFailure: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: {
          FunctionName: options.functionArn("intake-failed"),
          Payload: { "intakeId.$": "$.intakeId", "error.$": "$.error" },
        },
        ResultPath: null,
        TimeoutSeconds: 30,
        Retry: [
          {
            ErrorEquals: transient,
            IntervalSeconds: 2,
            BackoffRate: 2,
            MaxAttempts: 4,
            JitterStrategy: "FULL",
          },
        ],
        Next: "Failed",
      },
      Failed: { Type: "Fail", Error: "IntakeFailed", Cause: "see the intake request's failure" },
    },
  };
}

/** The local engine resolves functions by name, as the pipeline's do. */
export function localIntakeFunctionArn(fn: IntakeFunction): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:kubernaut-${fn}`;
}
