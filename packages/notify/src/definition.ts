/**
 * The notify state machine (DESIGN §2): the retry path of one notification to one receiver, started
 * by the notifying task only when its own delivery attempt did not deliver (or inline delivery is off).
 * A handed-over delivery first waits what the machine would have waited after that attempt (the first
 * backoff interval, or a 429's `retryAfterSeconds`): the task's attempt is the first. Retry does the backoff (30 s doubling to 480 s with full jitter, 5
 * attempts by default); a 429 waits its Retry-After and tries again; an open breaker hands the message to
 * the receiver's fallback (finally the log); whatever cannot be delivered becomes a dead letter with its
 * attempt history. Written once as JSONPath ASL, deployed by SST and run unchanged by the local engine.
 */
export const NOTIFY_FUNCTIONS = ["deliver", "dead-letter"] as const;
export type NotifyFunction = (typeof NOTIFY_FUNCTIONS)[number];

export interface NotifyDefinitionOptions {
  functionArn: (fn: NotifyFunction) => string;
  retry: { maxAttempts: number; initialBackoffMs: number; maxBackoffMs: number };
}

export function buildNotifyDefinition(options: NotifyDefinitionOptions) {
  const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));
  const transient = [
    "TransientDeliveryError",
    "TransientError",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
  ];
  return {
    Comment:
      "Kubernaut notification delivery: deliver with retries, honour Retry-After, fall back past open breakers, dead-letter the rest",
    StartAt: "Start",
    States: {
      Start: {
        Type: "Choice",
        Choices: [
          { Variable: "$.retryAfterSeconds", IsPresent: true, Next: "WaitRetryAfter" },
          { Variable: "$.backoff", IsPresent: true, Next: "Backoff" },
        ],
        Default: "Deliver",
      },
      WaitRetryAfter: { Type: "Wait", SecondsPath: "$.retryAfterSeconds", Next: "Deliver" },
      Backoff: { Type: "Wait", Seconds: seconds(options.retry.initialBackoffMs), Next: "Deliver" },
      Deliver: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: {
          FunctionName: options.functionArn("deliver"),
          Payload: { "notificationId.$": "$.notificationId", "receiver.$": "$.receiver", "hop.$": "$.hop" },
        },
        ResultSelector: { "value.$": "$.Payload" },
        ResultPath: "$.result",
        TimeoutSeconds: 30,
        Retry: [
          {
            ErrorEquals: transient,
            IntervalSeconds: seconds(options.retry.initialBackoffMs),
            BackoffRate: 2,
            MaxAttempts: Math.max(0, options.retry.maxAttempts - 1),
            MaxDelaySeconds: seconds(options.retry.maxBackoffMs),
            JitterStrategy: "FULL",
          },
        ],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "DeadLetter" }],
        Next: "Outcome",
      },
      Outcome: {
        Type: "Choice",
        Choices: [
          { Variable: "$.result.value.outcome", StringEquals: "rateLimited", Next: "HonourRetryAfter" },
          { Variable: "$.result.value.outcome", StringEquals: "breakerOpen", Next: "FallBack" },
        ],
        Default: "Delivered",
      },
      HonourRetryAfter: { Type: "Wait", SecondsPath: "$.result.value.retryAfterSeconds", Next: "Deliver" },
      FallBack: {
        Type: "Pass",
        Parameters: {
          "notificationId.$": "$.notificationId",
          "receiver.$": "$.result.value.fallback",
          "hop.$": "$.result.value.hop",
        },
        Next: "Deliver",
      },
      Delivered: { Type: "Succeed" },
      DeadLetter: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: {
          FunctionName: options.functionArn("dead-letter"),
          Payload: {
            "notificationId.$": "$.notificationId",
            "receiver.$": "$.receiver",
            "error.$": "$.error",
          },
        },
        ResultSelector: { "value.$": "$.Payload" },
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
        End: true,
      },
    },
  };
}

export function localNotifyFunctionArn(fn: NotifyFunction): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:kubernaut-${fn}`;
}
