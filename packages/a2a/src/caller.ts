import type { ServerCallContext, User } from "@a2a-js/sdk/server";
import { ApproverScope, Role } from "@kubernaut/config";
import type { Caller } from "@kubernaut/http";
import { z } from "zod";

/** Where the routes leave the authenticated caller for the executor (ServerCallContext's state bag). */
export const CALLER_STATE_KEY = "kubernaut.caller";

const CallerSchema = z.object({ name: z.string().min(1), role: Role, scopes: z.array(ApproverScope) });

/** The API token as the SDK's user: tasks are scoped to its name. */
export class CallerUser implements User {
  constructor(private readonly caller: Caller) {}

  get isAuthenticated(): boolean {
    return true;
  }

  get userName(): string {
    return this.caller.name;
  }
}

/** The authenticated caller of this call; the routes authenticate before the SDK sees the request. */
export function callerOf(context: ServerCallContext): Caller {
  return CallerSchema.parse(context.state.get(CALLER_STATE_KEY));
}
