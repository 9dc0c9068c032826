import type { Caller } from "./auth";

/**
 * Whether a caller may decide an approval request in this environment and namespace. Admins may
 * always; an approver needs a scope entry covering both (an entry's empty list means "any", so
 * `scopes: [{}]` is everywhere). An approver with no scope entries may decide nothing: authority is
 * granted explicitly, never by omission.
 */
export function mayDecide(caller: Caller, environment: string, namespace: string | undefined): boolean {
  if (caller.role === "admin") return true;
  if (caller.role !== "approver") return false;
  const matches = (allowed: readonly string[], value: string | undefined) =>
    allowed.length === 0 ||
    (value !== undefined && allowed.some((a) => a.toLowerCase() === value.toLowerCase()));
  return caller.scopes.some(
    (scope) => matches(scope.environments, environment) && matches(scope.namespaces, namespace),
  );
}
