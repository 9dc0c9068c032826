import { reconcileClosedExecution } from "@kubernaut/pipeline";
import { z } from "zod";
import { createStore, loadRuntimeConfig } from "./runtime";

/**
 * EventBridge "Step Functions Execution Status Change" for FAILED / TIMED_OUT / ABORTED executions: a
 * remediation whose execution ended without reaching a terminal phase is failed here, so its fingerprint
 * is released (the local engine calls the same function when an execution closes).
 */
const StatusChange = z.object({
  detail: z.object({
    name: z.string(),
    status: z.string(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

const config = await loadRuntimeConfig();
const store = createStore(config);

export const handler = async (event: unknown) => {
  const { detail } = StatusChange.parse(event);
  const changed = await reconcileClosedExecution(store, {
    name: detail.name,
    status: detail.status,
    ...(detail.error ? { error: detail.error } : {}),
    ...(detail.cause ? { cause: detail.cause } : {}),
  });
  return { reconciled: changed };
};
