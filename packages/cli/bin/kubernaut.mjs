#!/usr/bin/env node
// The `kubernaut` command. The project ships TypeScript sources; tsx compiles them on the fly.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/index.ts");
process.exitCode = await main(process.argv.slice(2));
