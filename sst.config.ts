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
    const storage = createStorage();
    const secrets = createSecrets();
    const notify = await createNotify({ storage, secrets });
    const pipeline = await createPipeline({ storage, secrets, notifyStateMachineArn: notify.machine.arn });
    const intake = await createIntake({ storage, secrets, stateMachineArn: pipeline.machine.arn });
    const api = await createApi({
      storage,
      secrets,
      stateMachineArn: pipeline.machine.arn,
      intakeStateMachineArn: intake.machine.arn,
      notifyStateMachineArn: notify.machine.arn,
    });
    const consoleApp = await createConsole({ storage, secrets, notifyStateMachineArn: notify.machine.arn });
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
