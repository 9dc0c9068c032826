import { Hono } from "hono";

/** Liveness only: it answers while the process can serve, whatever its dependencies are doing. */
export function healthRoutes() {
  return new Hono().get("/healthz", (c) => c.json({ status: "ok" }));
}
