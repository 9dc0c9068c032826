import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";

export interface DynamoOptions {
  /** Absent on AWS: the SDK takes the function's AWS_REGION, so the table is the region's own. */
  region?: string;
  /** DynamoDB Local locally; absent on AWS, where the SDK finds the regional endpoint. */
  endpoint?: string;
}

/**
 * The real SDK client; locally it only gets an endpoint and throwaway credentials (DynamoDB Local runs
 * with `-sharedDb`, so any credentials see the same tables).
 */
export function createDynamoClient(options: DynamoOptions): DynamoDBClient {
  return new DynamoDBClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint
      ? { endpoint: options.endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } }
      : {}),
    maxAttempts: 4,
  });
}

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * One item of a TransactWriteItems: what a store hands another store's write so that both land in one
 * transaction (the effectiveness monitor's completion, issue 22).
 */
export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];
