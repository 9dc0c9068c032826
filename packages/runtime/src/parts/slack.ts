import { WebClient } from "@slack/web-api";
import type { Runtime } from "../runtime";

/** Slack's Web API for interactions (retries off: the caller answers Slack within 3 s). */
export const slack = (rt: Runtime) =>
  rt.part(
    "slack",
    () =>
      new WebClient(rt.config().slack.botToken, {
        slackApiUrl: rt.config().slack.apiUrl,
        retryConfig: { retries: 0 },
      }),
  );
