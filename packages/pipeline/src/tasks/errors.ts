import { ConcurrentUpdateError, isTransientError } from "@kubernaut/store";

/** A fault a retry may fix; the state machine's Retry matches this name. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TransientError";
  }
}

/** The workflow cannot run here; named so the failure path records why. */
export class ExecutorUnavailableError extends Error {
  constructor(actionType: string | undefined) {
    super(
      `no executor for ${actionType ?? "this workflow"}: Kubernetes execution is not installed yet (the cluster issue adds it); nothing was changed`,
    );
    this.name = "ExecutorUnavailable";
  }
}

/**
 * Step Functions matches Retry and Catch on the error's name. Faults a retry may fix (throttling, a lost
 * optimistic-concurrency race, a network blip) become TransientError; everything else keeps its name
 * and goes to the failure path.
 */
export async function classifyErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TransientError) throw error;
    if (isTransientError(error) || error instanceof ConcurrentUpdateError) {
      throw new TransientError((error as Error).message, { cause: error });
    }
    throw error;
  }
}
