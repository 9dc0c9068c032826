import { SFNClient } from "@aws-sdk/client-sfn";
import { StepFunctionsStarter } from "@kubernaut/api/ingest";
import { ClusterDirectory } from "@kubernaut/cluster";
import { createIntakeHandlers, intakeBudget } from "@kubernaut/intake";
import { createModel } from "@kubernaut/llm";
import { IntakeStore } from "@kubernaut/store";
import { createStore, documentClientFor, loadRuntimeConfig, requiredEnv } from "../runtime";

/**
 * Shared by the intake machine's Lambdas (DESIGN §2): the model call happens here, not in the HTTP
 * function, and Submit runs the webhook's ingest logic, starting remediations on the pipeline machine.
 */
const config = await loadRuntimeConfig();
const store = createStore(config);
const db = documentClientFor(config);
const intakes = new IntakeStore(db, config.storage.tableName, config.retention.remediationDays);
const clusters = new ClusterDirectory(() => config);
const llm = config.aianalysis.llm;

export const intake = createIntakeHandlers({
  intakes,
  model: () => (llm ? createModel(llm, process.env, "intake") : undefined),
  cluster: async (name) => {
    await clusters.prepare(name);
    return clusters.access(name);
  },
  budget: () => intakeBudget(llm?.budget),
  ingest: {
    store,
    starter: new StepFunctionsStarter(new SFNClient({}), requiredEnv("KUBERNAUT_STATE_MACHINE_ARN")),
    pendingGraceMs: config.gateway.pendingGrace,
  },
});
