import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { WRITE_COMMANDS } from "./dynamo-faults";

type Keyed = { pk?: unknown };
type WriteInput = {
  Item?: Keyed;
  Key?: Keyed;
  TransactItems?: Array<{ Put?: { Item?: Keyed }; Update?: { Key?: Keyed }; Delete?: { Key?: Keyed } }>;
  RequestItems?: Record<string, Array<{ PutRequest?: { Item?: Keyed }; DeleteRequest?: { Key?: Keyed } }>>;
};

/** The partition keys a write command touches, from its (document client) input. */
function partitionsOf(input: WriteInput): string[] {
  const keys: unknown[] = [input.Item?.pk, input.Key?.pk];
  for (const item of input.TransactItems ?? [])
    keys.push(item.Put?.Item?.pk, item.Update?.Key?.pk, item.Delete?.Key?.pk);
  for (const requests of Object.values(input.RequestItems ?? {}))
    for (const request of requests) keys.push(request.PutRequest?.Item?.pk, request.DeleteRequest?.Key?.pk);
  return keys.filter((key): key is string => typeof key === "string");
}

/**
 * Records every write command sent through a document client, with the partitions it touches. The
 * table scan proves the state did not change; this proves no write was even attempted (a write that
 * put back what was there, or one that failed its condition, leaves no trace in a scan).
 */
export class WriteSpy {
  private readonly writes: Array<{ command: string; partitions: string[] }> = [];

  constructor(db: DynamoDBDocumentClient) {
    db.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? "";
        if (WRITE_COMMANDS.includes(command))
          this.writes.push({ command, partitions: partitionsOf(args.input as WriteInput) });
        return next(args);
      },
      { step: "initialize", name: "evidenceWriteSpy", override: true },
    );
  }

  /** The writes since the last call, and forgets them. */
  take(): Array<{ command: string; partitions: string[] }> {
    return this.writes.splice(0);
  }
}
