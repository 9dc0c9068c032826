import { isTransientError } from "@kubernaut/store";
import type { NotifyFunction } from "./definition";
import { type DeliverDeps, deadLetter, deliver } from "./deliver";

class TransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransientError";
  }
}

/** The notify machine's tasks by function name; a DynamoDB hiccup is retried like a channel's. */
export function createNotifyHandlers(
  deps: DeliverDeps,
): Record<NotifyFunction, (payload: unknown) => Promise<unknown>> {
  const classify =
    (run: (payload: unknown) => Promise<unknown>) =>
    async (payload: unknown): Promise<unknown> => {
      try {
        return await run(payload);
      } catch (error) {
        if (isTransientError(error)) throw new TransientError((error as Error).message);
        throw error;
      }
    };
  return {
    deliver: classify((payload) => deliver(deps, payload)),
    "dead-letter": classify((payload) => deadLetter(deps, payload)),
  };
}
