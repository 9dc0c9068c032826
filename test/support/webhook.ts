import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "@kubernaut/notify";

/** A webhook receiver that records deliveries, checks their signature, and fails on demand. */
export async function startWebhookReceiver(secret: string) {
  const received: Array<{ body: Record<string, unknown>; signatureValid: boolean; at: number }> = [];
  const failures: number[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const timestamp = String(request.headers[TIMESTAMP_HEADER] ?? "");
    const signatureValid = request.headers[SIGNATURE_HEADER] === signWebhook(secret, timestamp, text);
    const status = failures.shift();
    if (status !== undefined) {
      response.writeHead(status).end();
      return;
    }
    received.push({ body: JSON.parse(text) as Record<string, unknown>, signatureValid, at: Date.now() });
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** The next responses' statuses, in order. */
    failWith: (...statuses: number[]) => failures.push(...statuses),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
