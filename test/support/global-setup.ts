import { startDynamoDbLocal } from "@kubernaut/local";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/**
 * One DynamoDB Local for the run, whichever projects list this setup (`unit` and `kube`): each project
 * loads this module on its own in vitest's main process, so the instance lives on globalThis and the
 * last project's teardown stops it. Each test file creates its own table (test/support/store.ts).
 */
type Dynamo = Awaited<ReturnType<typeof startDynamoDbLocal>>;
const SHARED = Symbol.for("kubernaut.dynamodb-local");
const holder = globalThis as typeof globalThis & { [SHARED]?: { dynamo: Promise<Dynamo>; users: number } };

/** Starts one real DynamoDB Local (in memory) for every test file; never a mock of DynamoDB. */
export default async function setup(project: TestProject) {
  const shared = holder[SHARED] ?? { dynamo: startDynamoDbLocal(), users: 0 };
  holder[SHARED] = shared;
  shared.users++;
  const dynamo = await shared.dynamo;
  project.provide("dynamoEndpoint", dynamo.endpoint);
  return async () => {
    if (--shared.users > 0) return;
    delete holder[SHARED];
    await dynamo.stop();
  };
}
