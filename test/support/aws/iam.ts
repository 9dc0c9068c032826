import type { AwsClientHook } from "@kubernaut/runtime";
import type { FunctionName, PolicyStatement } from "@kubernaut/runtime/functions";

/** Not the SDK's or the config's default, so a client that ignores the function's region is caught. */
export const REGION = "eu-west-1";
export const ACCOUNT = "000000000000";

/** One AWS API call as IAM authorises it: an action on a resource. */
export interface AwsCall {
  fn: FunctionName;
  operation: string;
  action: string;
  resource: string;
}

type Input = Record<string, unknown>;

/** lib-dynamodb's document commands and the DynamoDB operations (IAM actions) they are. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  Put: "PutItem",
  Get: "GetItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  TransactWrite: "TransactWriteItems",
  TransactGet: "TransactGetItems",
  BatchWrite: "BatchWriteItem",
  BatchGet: "BatchGetItem",
};

/** Items of a transaction and the action IAM checks for each (a transaction is authorised per item). */
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
  Get: "GetItem",
};

/**
 * The IAM actions and resources of one SDK call, in the region the client was built for: a table in
 * another region than the function's is another table, which the function's policy does not name.
 */
export function iamOf(
  clientName: string,
  commandName: string,
  input: Input,
  region: string,
): Array<{ action: string; resource: string }> {
  const tableArn = (table: unknown, index?: unknown) =>
    `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${String(table)}${index ? `/index/${String(index)}` : ""}`;
  const name = commandName.replace(/Command$/, "");
  if (/DynamoDB/.test(clientName)) {
    const operation = DOCUMENT_COMMANDS[name] ?? name;
    if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
      const items = (input.TransactItems ?? []) as Array<Record<string, { TableName?: string }>>;
      return items.flatMap((item) =>
        Object.entries(item).map(([kind, body]) => ({
          action: `dynamodb:${TRANSACT_ITEM_ACTIONS[kind] ?? kind}`,
          resource: tableArn(body.TableName),
        })),
      );
    }
    if (operation === "BatchWriteItem" || operation === "BatchGetItem")
      return Object.keys((input.RequestItems ?? {}) as Input).map((table) => ({
        action: `dynamodb:${operation}`,
        resource: tableArn(table),
      }));
    return [{ action: `dynamodb:${operation}`, resource: tableArn(input.TableName, input.IndexName) }];
  }
  if (/SFN/.test(clientName)) {
    const resource =
      name === "StartExecution"
        ? String(input.stateMachineArn)
        : name === "DescribeExecution" || name === "GetExecutionHistory"
          ? String(input.executionArn)
          : "*";
    return [{ action: `states:${name}`, resource }];
  }
  if (/SSM/.test(clientName))
    return [
      { action: `ssm:${name}`, resource: `arn:aws:ssm:${region}:${ACCOUNT}:parameter${String(input.Name)}` },
    ];
  return [{ action: `${clientName}:${name}`, resource: "*" }];
}

const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(value);

/** Whether a policy allows an action on a resource (Allow statements only, as the stacks write them). */
export function allows(
  policy: ReadonlyArray<PolicyStatement<string>>,
  action: string,
  resource: string,
): boolean {
  return policy.some(
    (statement) =>
      statement.actions.some((granted) => glob(granted, action)) &&
      statement.resources.some((granted) => glob(granted, resource)),
  );
}

interface MiddlewareTarget {
  config: { region: () => Promise<string> };
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: Input }) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: { input: Input }) => Promise<unknown>,
      options: { step: "initialize"; name: string },
    ): void;
  };
}

/**
 * Records every AWS call each function makes, through a middleware on the clients its runtime builds
 * (the same clients that run on Lambda), so the suite can hold each call to the function's policy.
 */
export class AwsCallRecorder {
  readonly calls: AwsCall[] = [];

  hookFor =
    (fn: FunctionName): AwsClientHook =>
    (client) => {
      const target = client as unknown as MiddlewareTarget;
      target.middlewareStack.add(
        (next, context) => async (args) => {
          const region = await target.config.region();
          for (const { action, resource } of iamOf(
            context.clientName ?? "",
            context.commandName ?? "",
            args.input,
            region,
          ))
            this.calls.push({ fn, operation: context.commandName ?? "", action, resource });
          return next(args);
        },
        { step: "initialize", name: "kubernautIamRecorder" },
      );
    };

  /** Calls a function made that its policy does not allow. */
  denied(policyOf: (fn: FunctionName) => ReadonlyArray<PolicyStatement<string>>): AwsCall[] {
    return this.calls.filter((call) => !allows(policyOf(call.fn), call.action, call.resource));
  }

  /** Actions a function's policy grants that none of its recorded calls used. */
  unused(fn: FunctionName, policy: ReadonlyArray<PolicyStatement<string>>): string[] {
    const used = this.calls.filter((call) => call.fn === fn);
    return policy.flatMap((statement) =>
      statement.actions.filter(
        (action) =>
          !used.some(
            (call) => glob(action, call.action) && statement.resources.some((r) => glob(r, call.resource)),
          ),
      ),
    );
  }
}
