import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The stacks import Pulumi's providers the way SST resolves them: from the installed SST platform
    // (`npm run typecheck:sst` installs it; test/stacks runs the stacks under Pulumi's mocks).
    alias: [
      {
        find: /^@pulumi\/(.*)$/,
        replacement: join(import.meta.dirname, ".sst/platform/node_modules/@pulumi/$1"),
      },
    ],
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    // One DynamoDB Local for the whole run; each test file creates its own table (test/support/store.ts).
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    restoreMocks: true,
    unstubEnvs: true,
  },
});
