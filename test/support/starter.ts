import type { RemediationStarter } from "@kubernaut/ingest";

/**
 * Records StartExecution calls. Foundation I starts executions through this interface only; the real
 * Step Functions client against the local engine replaces it in the pipeline suites.
 */
export class RecordingStarter implements RemediationStarter {
  readonly started: string[] = [];
  failNext = 0;

  async start(remediation: { id: string; executionName: string }) {
    if (this.failNext > 0) {
      this.failNext--;
      throw Object.assign(new Error("Rate exceeded"), {
        name: "ThrottlingException",
        $metadata: { httpStatusCode: 400 },
      });
    }
    this.started.push(remediation.executionName);
    return {
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:kubernaut:${remediation.executionName}`,
    };
  }
}
