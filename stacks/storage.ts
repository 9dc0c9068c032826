/**
 * The one DynamoDB table (DESIGN §4). Its access patterns are documented beside the key layout in
 * packages/store/src/table.ts; this mirrors that definition for AWS.
 */
export function createStorage() {
  const table = new sst.aws.Dynamo("Remediations", {
    fields: {
      pk: "string",
      sk: "string",
      gsi1pk: "string",
      gsi1sk: "string",
      gsi2pk: "string",
      gsi2sk: "string",
      gsi3pk: "string",
      gsi3sk: "string",
    },
    primaryIndex: { hashKey: "pk", rangeKey: "sk" },
    globalIndexes: {
      gsi1: { hashKey: "gsi1pk", rangeKey: "gsi1sk" },
      gsi2: { hashKey: "gsi2pk", rangeKey: "gsi2sk" },
      gsi3: { hashKey: "gsi3pk", rangeKey: "gsi3sk" },
    },
    ttl: "expiresAt",
    transform: {
      table: (args) => {
        args.pointInTimeRecovery = { enabled: true };
      },
    },
  });
  return { table };
}

export type Storage = ReturnType<typeof createStorage>;
