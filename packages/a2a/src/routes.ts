import { A2A_VERSION_HEADER, AgentCard } from "@a2a-js/sdk";
import { A2A_ERROR_CODE } from "@a2a-js/sdk/errors";
import { JsonRpcTransportHandler, ServerCallContext, validateVersion } from "@a2a-js/sdk/server";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ApiTokenConfig, Config, Role } from "@kubernaut/config";
import { ApiError, type AuthEnv, apiAuth, errorResponse } from "@kubernaut/http";
import type { IntakeStarter, RemediationStarter } from "@kubernaut/ingest";
import type { IntakeStore, RemediationStore } from "@kubernaut/store";
import { logger } from "@kubernaut/telemetry";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { CALLER_STATE_KEY, CallerUser } from "./caller";
import { A2A_PATH, AGENT_CARD_ROUTE, agentCard } from "./card";
import { RemediationExecutor } from "./executor";
import { RemediationRequestHandler } from "./handler";
import { DynamoTaskStore } from "./task-store";
import { RemediationTracker } from "./tracker";

export interface A2aDeps {
  config: Config;
  store: RemediationStore;
  /** Starts remediation executions (the webhook's starter): ingest may create a remediation. */
  starter: RemediationStarter;
  /** The table's document client, for the A2A task items. */
  db: DynamoDBDocumentClient;
  /** Natural-language intake: its records and the intake state machine's starter. */
  intake?: { intakes: IntakeStore; starter: IntakeStarter };
  /** The URL clients reach this server at (the agent card names it); else the request's origin. */
  publicUrl?: string;
  now?: () => Date;
}

/** JSON-RPC methods that can start a remediation: the approver role, as for POST /api/v1/signals/text. */
const STARTS_REMEDIATION: ReadonlySet<string> = new Set(["SendMessage", "SendStreamingMessage"]);
const MAY_START: ReadonlySet<Role> = new Set(["approver", "admin"]);
const MAX_BODY_BYTES = 64 * 1024;
/** A JSON-RPC answer carrying an internal error (anything the SDK could not map to an A2A error). */
const InternalFailure = z.object({
  error: z.object({ code: z.literal(A2A_ERROR_CODE.INTERNAL_ERROR), message: z.string() }),
});
type JsonRpcAnswer = { jsonrpc: string; id: string | number | null; result?: unknown; error?: unknown };
const RpcEnvelope = z.object({
  method: z.string().optional(),
  id: z.union([z.string(), z.number(), z.null()]).optional(),
});

/**
 * The A2A server (issue 13): the agent card at the well-known path and JSON-RPC at POST /a2a, on Hono so
 * it runs the same in the local loop and on Lambda. The SDK's request handler does the protocol; this
 * binding authenticates with the API's tokens and turns the handler's answers into HTTP.
 */
export function a2aRoutes(deps: A2aDeps, tokens: readonly ApiTokenConfig[]): Hono<AuthEnv> {
  const now = () => deps.now?.() ?? new Date();
  const tasks = new DynamoTaskStore(
    deps.db,
    deps.config.storage.tableName,
    deps.config.retention.remediationDays,
    now,
  );
  const tracker = new RemediationTracker({
    store: deps.store,
    tasks,
    now,
    ...(deps.intake ? { intakes: deps.intake.intakes } : {}),
  });
  const executor = new RemediationExecutor({
    config: deps.config,
    store: deps.store,
    starter: deps.starter,
    tracker,
    now,
    ...(deps.intake ? { intake: deps.intake } : {}),
  });
  // The handler only reads the card's capabilities and protocol versions, never its URL.
  const handler = new RemediationRequestHandler(agentCard(deps.publicUrl ?? ""), tasks, executor, tracker);
  const transport = new JsonRpcTransportHandler(handler);

  const app = new Hono<AuthEnv>();
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.status === 401) c.header("WWW-Authenticate", 'Bearer realm="kubernaut"');
      return errorResponse(c, error.status, error.code, error.message);
    }
    logger.error("unhandled A2A error", { error, path: c.req.path });
    return errorResponse(c, 500, "internal", "internal error");
  });

  // Discovery is public, as A2A expects; the card says how to authenticate.
  app.get(AGENT_CARD_ROUTE, (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json(
      AgentCard.toJSON(agentCard(deps.publicUrl ?? new URL(c.req.url).origin)) as Record<string, unknown>,
    );
  });

  app.post(
    A2A_PATH,
    apiAuth(tokens, "viewer"),
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, "payload_too_large", `body exceeds ${MAX_BODY_BYTES} bytes`);
      },
    }),
    async (c) => {
      const caller = c.get("caller");
      const body = await c.req.text();
      const envelope = peek(body);
      if (envelope.method && STARTS_REMEDIATION.has(envelope.method) && !MAY_START.has(caller.role))
        throw new ApiError(
          403,
          "forbidden",
          `token "${caller.name}" has role ${caller.role}; ${envelope.method} can start a remediation and needs approver`,
        );
      const context = new ServerCallContext({
        user: new CallerUser(caller),
        // Absent, the SDK assumes 0.3 (as the spec says) and refuses it: this server speaks 1.0 only.
        requestedVersion: c.req.header(A2A_VERSION_HEADER) || undefined,
        state: new Map<string, unknown>([[CALLER_STATE_KEY, caller]]),
      });
      let response: JsonRpcAnswer;
      try {
        validateVersion(context.requestedVersion, await handler.getAgentCard(), "JSONRPC");
        const result = await transport.handle(body, context);
        if (Symbol.asyncIterator in result) {
          // Streaming methods: the card declares no streaming, so the SDK refuses them on the first
          // read (answered below); a stream that did start is closed and refused all the same.
          await result.next();
          await result.return(undefined);
          response = rpcError(
            envelope.id,
            A2A_ERROR_CODE.UNSUPPORTED_OPERATION,
            "streaming is not supported",
          );
        } else response = result;
      } catch (error) {
        response = {
          jsonrpc: "2.0",
          id: envelope.id ?? null,
          error: JsonRpcTransportHandler.mapToJSONRPCError(error),
        };
      }
      // The SDK answers an unexpected error with its message; like the API, log it and never leak it.
      const failure = InternalFailure.safeParse(response);
      if (!failure.success) return c.json(response);
      logger.error("A2A request failed", { method: envelope.method, message: failure.data.error.message });
      return c.json(rpcError(envelope.id, A2A_ERROR_CODE.INTERNAL_ERROR, "internal error"), 500);
    },
  );
  return app;
}

/** The method and id, read before the SDK does, for authorisation and error envelopes. */
function peek(body: string): z.infer<typeof RpcEnvelope> {
  try {
    const parsed = RpcEnvelope.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

function rpcError(id: string | number | null | undefined, code: number, message: string): JsonRpcAnswer {
  return { jsonrpc: "2.0", id: id ?? null, error: { code, message } };
}
