import { type ChatModel, createModel, type LlmPhase } from "@kubernaut/llm";
import type { Runtime } from "../runtime";

/**
 * The model for a phase when `aianalysis.llm` is configured (absent, the rules investigate and intake
 * answers 501). Its API key comes from the variable `apiKeyEnv` names — on Lambda read from SSM like
 * every secret, never from the function's plain environment.
 */
export const model = (rt: Runtime) =>
  rt.part("model", () => (phase: LlmPhase): ChatModel | undefined => {
    const llm = rt.config().aianalysis.llm;
    return llm ? createModel(llm, rt.adapters.env, phase) : undefined;
  });
