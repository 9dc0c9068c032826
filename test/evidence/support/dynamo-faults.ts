import { InternalServerError, ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** Throttling (DynamoDB's 400 ProvisionedThroughputExceededException) or a 500 InternalServerError. */
export type DynamoFaultKind = "throttle" | "internal";

/**
 * Where the fault strikes:
 * - `exhausted`: the SDK's own retries have given up — the application sees the error;
 * - `transient`: inside the SDK's retry loop, before the request leaves: the SDK retries it;
 * - `ambiguous`: inside the retry loop after DynamoDB applied the request, as a lost response or a 500
 *   on a write that succeeded: the SDK re-sends the same request.
 */
export type DynamoFaultPlacement = "exhausted" | "transient" | "ambiguous";

export interface DynamoFaultRule {
  kind: DynamoFaultKind;
  placement: DynamoFaultPlacement;
  /** SDK command names (`TransactWriteItemsCommand`, `UpdateItemCommand`, …); absent: every command. */
  commands?: readonly string[];
  /** How many calls fail. */
  times: number;
  /** Only every n-th matching call fails (1: each one), so the retries in between can succeed. */
  every?: number;
}

const WRITES = [
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "TransactWriteItemsCommand",
  "BatchWriteItemCommand",
];
/** Every command that changes the table. */
export const WRITE_COMMANDS: readonly string[] = WRITES;

function faultFor(kind: DynamoFaultKind): Error {
  const $metadata = { httpStatusCode: kind === "throttle" ? 400 : 500, attempts: 1, totalRetryDelay: 0 };
  return kind === "throttle"
    ? new ProvisionedThroughputExceededException({
        message: "The level of configured provisioned throughput for the table was exceeded (injected)",
        $metadata,
      })
    : new InternalServerError({ message: "Internal server error (injected)", $metadata });
}

/**
 * Fault injection on the real DynamoDB client, through the SDK's middleware stack: the store, the
 * approvals, the trust records and the system audit all share this document client, so a rule hits
 * whichever of them sends a matching command. Nothing about DynamoDB Local itself is mocked.
 */
export class DynamoFaults {
  /** What was injected, in order: the evidence that a test exercised the fault it names. */
  readonly injected: Array<{ command: string; kind: DynamoFaultKind; placement: DynamoFaultPlacement }> = [];
  private readonly rules: Array<DynamoFaultRule & { seen: number }> = [];

  constructor(db: DynamoDBDocumentClient) {
    db.middlewareStack.add(
      (next, context) => async (args) => {
        this.maybeFail(context.commandName ?? "", "exhausted");
        return next(args);
      },
      { step: "initialize", name: "evidenceFaultsExhausted", override: true },
    );
    db.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? "";
        this.maybeFail(command, "transient");
        const result = await next(args);
        this.maybeFail(command, "ambiguous");
        return result;
      },
      // Inside the retry middleware (finalizeRequest), around the deserializer: the SDK sees these as
      // answers from DynamoDB and applies its own retry strategy to them.
      { step: "deserialize", priority: "high", name: "evidenceFaultsInRetryLoop", override: true },
    );
  }

  inject(rule: DynamoFaultRule): void {
    this.rules.push({ ...rule, seen: 0 });
  }

  /** Whether every rule has fired as often as it was told to. */
  get exhausted(): boolean {
    return this.rules.every((rule) => rule.times <= 0);
  }

  clear(): void {
    this.rules.splice(0);
  }

  private maybeFail(command: string, placement: DynamoFaultPlacement): void {
    const rule = this.rules.find(
      (r) => r.placement === placement && r.times > 0 && (!r.commands || r.commands.includes(command)),
    );
    if (!rule) return;
    rule.seen++;
    if (rule.seen % (rule.every ?? 1) !== 0) return;
    rule.times--;
    this.injected.push({ command, kind: rule.kind, placement });
    throw faultFor(rule.kind);
  }
}
