import { createApiApp } from "@kubernaut/api";
import { handle } from "hono/aws-lambda";
import { createStore, loadRuntimeConfig } from "./runtime";

/** Read routes and health (DESIGN §9). */
const config = await loadRuntimeConfig();
export const handler = handle(createApiApp({ config, store: createStore(config) }));
