import { defineConfig } from "vitest/config";

/**
 * The browser suites (`npm run test:e2e`): the console driven by Chromium through playwright-core against
 * the local loop's pieces on a loopback port. Kept out of `npm test`'s config because a browser needs
 * the `chromium` package, which `.ci/run` installs.
 */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    // The same DynamoDB Local setup as the other suites; each test file gets its own table.
    globalSetup: ["test/support/global-setup.ts"],
    // One browser and one pipeline per file: files run one after another on a 2-core machine.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    restoreMocks: true,
    unstubEnvs: true,
  },
});
