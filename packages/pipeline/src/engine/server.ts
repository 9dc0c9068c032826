import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecutionRecord, LocalStepFunctions } from "./local-engine";
import { SfnApiError } from "./local-engine";

const seconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);

function describe(execution: ExecutionRecord) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: seconds(execution.startDate),
    stopDate: seconds(execution.stopDate),
    input: execution.input,
    output: execution.output,
    error: execution.error,
    cause: execution.cause,
  };
}

type Operation = (engine: LocalStepFunctions, body: Record<string, unknown>) => unknown;

const str = (value: unknown, field: string): string => {
  if (typeof value !== "string" || value.length === 0)
    throw new SfnApiError("ValidationException", `${field} is required`);
  return value;
};

/** The Step Functions operations the product uses, in the AWS JSON 1.0 protocol. */
const OPERATIONS: Record<string, Operation> = {
  StartExecution: (engine, body) => {
    const execution = engine.startExecution({
      stateMachineArn: str(body.stateMachineArn, "stateMachineArn"),
      ...(typeof body.name === "string" ? { name: body.name } : {}),
      ...(typeof body.input === "string" ? { input: body.input } : {}),
    });
    return { executionArn: execution.executionArn, startDate: seconds(execution.startDate) };
  },
  DescribeExecution: (engine, body) =>
    describe(engine.describeExecution(str(body.executionArn, "executionArn"))),
  GetExecutionHistory: (engine, body) => {
    const execution = engine.describeExecution(str(body.executionArn, "executionArn"));
    const events = execution.history.map((event) => ({ ...event, timestamp: seconds(event.timestamp) }));
    return { events: body.reverseOrder === true ? events.reverse() : events };
  },
  ListExecutions: (engine, body) => ({
    executions: engine
      .listExecutions()
      .filter(
        (e) =>
          e.stateMachineArn === body.stateMachineArn &&
          (!body.statusFilter || e.status === body.statusFilter),
      )
      .map((e) => ({ ...describe(e), input: undefined, output: undefined })),
  }),
  SendTaskSuccess: (engine, body) => {
    engine.sendTaskSuccess(str(body.taskToken, "taskToken"), str(body.output, "output"));
    return {};
  },
  SendTaskFailure: (engine, body) => {
    engine.sendTaskFailure(
      str(body.taskToken, "taskToken"),
      typeof body.error === "string" ? body.error : "",
      typeof body.cause === "string" ? body.cause : "",
    );
    return {};
  },
  StopExecution: (engine, body) => {
    engine.stopExecution(str(body.executionArn, "executionArn"));
    return { stopDate: Date.now() / 1000 };
  },
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A loopback endpoint speaking the Step Functions JSON protocol (`X-Amz-Target: AWSStepFunctions.<Op>`),
 * so the application uses the unchanged `@aws-sdk/client-sfn` with only an `endpoint`.
 */
export async function serveStepFunctions(
  engine: LocalStepFunctions,
  port = 0,
): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
      response.end(JSON.stringify(body));
    };
    try {
      const target = request.headers["x-amz-target"];
      const operation =
        typeof target === "string" ? OPERATIONS[target.replace(/^AWSStepFunctions\./, "")] : undefined;
      if (!operation)
        throw new SfnApiError("UnknownOperationException", `unsupported operation ${String(target)}`);
      const text = await readBody(request);
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      reply(200, operation(engine, body) ?? {});
    } catch (error) {
      if (error instanceof SfnApiError) reply(400, { __type: error.name, message: error.message });
      else reply(500, { __type: "InternalServerError", message: (error as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
