import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

const read = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });

/**
 * SSM Parameter Store on loopback, speaking what the functions use of its JSON 1.1 protocol
 * (`X-Amz-Target: AmazonSSM.GetParameter`), so the real SDK client and Powertools Parameters read the
 * SecureStrings the stacks name. A parameter nobody put is `ParameterNotFound`, as on AWS.
 */
export async function startSsmStandIn(
  parameters: Record<string, string>,
  region = "us-east-1",
  account = "000000000000",
) {
  const reads: string[] = [];
  const server = createServer(async (request, response) => {
    const target = String(request.headers["x-amz-target"] ?? "");
    const body = JSON.parse((await read(request)) || "{}") as { Name?: string };
    const reply = (status: number, payload: unknown) => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(payload));
    };
    if (target !== "AmazonSSM.GetParameter")
      return reply(400, { __type: "InvalidAction", message: `${target} is not served here` });
    const name = body.Name ?? "";
    reads.push(name);
    const value = parameters[name];
    if (value === undefined) return reply(400, { __type: "ParameterNotFound", message: `${name} not found` });
    return reply(200, {
      Parameter: {
        Name: name,
        Type: "SecureString",
        Value: value,
        Version: 1,
        ARN: `arn:aws:ssm:${region}:${account}:parameter${name}`,
        DataType: "text",
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    parameters,
    reads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
