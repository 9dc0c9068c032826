import { apiApp } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";
import { handle } from "hono/aws-lambda";

/** Read routes, health, workflow trust, suggestions and the kill switch (DESIGN §9). */
export const handler = await lambda("api", (rt) => handle(apiApp(rt)));
