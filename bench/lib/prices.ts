/**
 * AWS list prices, us-east-1, as published in November 2026 (DynamoDB on-demand after the
 * November 2024 reduction). No free tier is applied anywhere: the figures are what a bill would say for
 * an account whose free tier is used up. Change them here when AWS does.
 */
export const PRICES = {
  /** Step Functions Standard, per state transition ($0.025 per 1,000). */
  sfnTransition: 0.025 / 1_000,
  /** Lambda on arm64 (every function of the stacks is arm64), per GB-second and per request. */
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1_000_000,
  /** DynamoDB on-demand, per request unit. */
  dynamoWriteUnit: 0.625 / 1_000_000,
  dynamoReadUnit: 0.125 / 1_000_000,
  /** API Gateway HTTP API, per request (first 300 million a month). */
  httpApiRequest: 1 / 1_000_000,
  /** EventBridge Scheduler (sst.aws.CronV2), per invocation beyond the 14 million free each month. */
  schedulerInvocation: 1 / 1_000_000,
  /** CloudWatch Logs ingestion, per byte ($0.50 per GB). */
  logsByte: 0.5 / 1024 ** 3,
} as const;

/**
 * Memory configured per function in stacks/*.ts (MB): the GB in Lambda's GB-seconds. `schedule` is the
 * every-minute function (functions/schedule.ts) that runs the approvals outbox sweep and the
 * effectiveness monitor.
 */
export const MEMORY_MB = {
  task: 512,
  ingest: 512,
  approvals: 1024,
  schedule: 1024,
  notify: 256,
} as const;

/** A 30-day month of a rate(1 minute) schedule. */
export const RUNS_PER_MONTH = 60 * 24 * 30;

/** Lambda's START, END and REPORT lines per invocation, with CloudWatch's per-event overhead (assumed). */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = 350;

/** Lambda bills duration rounded up to the millisecond. */
export function lambdaCost(ms: number, memoryMb: number): number {
  return (
    PRICES.lambdaRequest + (Math.max(1, Math.ceil(ms)) / 1000) * (memoryMb / 1024) * PRICES.lambdaGbSecond
  );
}
