import { join } from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    restoreMocks: true,
    unstubEnvs: true,
    // Two projects so each starts only the infrastructure its files need: a project's globalSetup runs
    // only when at least one of its files is selected (`npx vitest run test/x.test.ts` starts no cluster).
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/kube/**"],
          // One DynamoDB Local for the whole run; each test file creates its own table (test/support/store.ts).
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "kube",
          include: ["test/kube/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/kube/audit/**"],
          // One real control plane (kube-apiserver, etcd, controllers, scheduler, fake kubelet) shared by
          // every file; each file works in its own namespaces and nodes (test/support/kube.ts). The
          // pipeline suites run the product on DynamoDB Local too, the same instance as `unit`'s.
          globalSetup: ["test/support/global-setup.ts", "test/support/testcluster-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: "kube-audit",
          // After every `kube` file (a later group): reads the control plane's audit log of the whole
          // kube suite to hold deploy/rbac.yaml to what the product used. Same control plane (the setup
          // shares it between projects).
          include: ["test/kube/audit/**/*.test.ts"],
          globalSetup: ["test/support/testcluster-setup.ts"],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
