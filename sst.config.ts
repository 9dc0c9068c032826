/// <reference path="./.sst/platform/config.d.ts" />

/**
 * The AWS shape of the product (DESIGN §2), split by domain under stacks/. `sst deploy` needs an AWS
 * account; CI type-checks this file (see scripts/typecheck-sst.sh).
 */
export default $config({
  app(input) {
    return {
      name: "kubernaut",
      // Remediation history and audit chains are evidence: production keeps them when the app is removed.
      removal: input?.stage === "production" ? "retain" : "remove",
      protect: input?.stage === "production",
      home: "aws",
    };
  },
  async run() {
    const { createStorage } = await import("./stacks/storage");
    const { createSecrets } = await import("./stacks/secrets");
    const { createNotify } = await import("./stacks/notify");
    const { createPipeline } = await import("./stacks/pipeline");
    const { createApi } = await import("./stacks/api");
    const { createIntake } = await import("./stacks/intake");
    const { createConsole } = await import("./stacks/console");
    type FunctionContext = import("./stacks/functions").FunctionContext;
    const storage = createStorage();
    const secrets = createSecrets();
    // Each function's environment, files and IAM come from packages/runtime/src/functions.ts; a
    // function may only start machines created before it.
    const machines: FunctionContext["machines"] = {};
    const notify = await createNotify({ storage, secrets, machines });
    machines.notify = notify.machine.arn;
    const pipeline = await createPipeline({ storage, secrets, machines });
    machines.pipeline = pipeline.machine.arn;
    const intake = await createIntake({ storage, secrets, machines });
    machines.intake = intake.machine.arn;
    const api = await createApi({ storage, secrets, machines });
    const consoleApp = await createConsole({ storage, secrets, machines });
    return {
      apiUrl: api.url,
      consoleUrl: $interpolate`${consoleApp.url}/console`,
      table: storage.table.name,
      stateMachine: pipeline.machine.arn,
      notifyStateMachine: notify.machine.arn,
      intakeStateMachine: intake.machine.arn,
    };
  },
});
