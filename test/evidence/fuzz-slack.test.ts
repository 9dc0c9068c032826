import { type SlackStandIn, startSlackStandIn } from "@kubernaut/notify";
import { LOCAL_NOTIFY_STATE_MACHINE_ARN } from "@kubernaut/pipeline";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzParameters, fuzzTimeout, runsPerRoute } from "./support/counts";
import { crashLoop, evidenceHarness } from "./support/harness";
import { checkCase, type FuzzCase } from "./support/requests";
import {
  APP,
  click,
  SIGNING_SECRET,
  SLACK_PROD_APPROVER,
  signedInteraction,
  slackSignature,
  TEAM,
} from "./support/slack";
import { TableWatch } from "./support/table";
import { WriteSpy } from "./support/write-spy";

// Issue 11, item 2 (fuzzing) for POST /api/v1/slack/interactions: a request Slack did not sign is a 401
// that writes nothing (anyone on the internet can send one: it is counted in metrics and logged, never
// appended to the daily system audit chain — issue 18); one Slack signed for another workspace or app is a
// 401 and exactly one system audit event (DESIGN §4: a refused request's only write); a signed but
// malformed one is a 400 that writes nothing; a click by someone who may not decide changes nothing but
// its audit event. Never a 5xx.

const PATH = "/api/v1/slack/interactions";
/**
 * Refused requests Slack signed grow the system audit stream, and "nothing else was written" is proven by
 * scanning the table: under stress the 10,000 requests run in batches on fresh tables, so a scan reads
 * at most a batch's worth of audit events.
 */
const BATCH = 1_000;

let slack: SlackStandIn;
beforeAll(async () => {
  slack = await startSlackStandIn();
});
afterAll(async () => {
  await slack.close();
});

/** A fresh loop with a pending production approval request, Slack configured, the table quiet. */
async function setUp() {
  const e = await evidenceHarness({
    config: {
      approval: { requiredBy: "168h" },
      slack: {
        apiUrl: slack.apiUrl,
        botToken: "xoxb-evidence",
        signingSecret: SIGNING_SECRET,
        teamId: TEAM,
        appId: APP,
        approvers: [{ users: [SLACK_PROD_APPROVER], environments: ["Production"] }],
      },
    },
  });
  await e.badRollout("production");
  const rarId = await e.awaitingApproval(await e.create(crashLoop("production")));
  // Quiet: the notifications are delivered, then the engine stops, so nothing runs in the background
  // while the table is compared (the approval request stays pending, as after a crash).
  while (
    e.h.pipeline.engine.listExecutions(LOCAL_NOTIFY_STATE_MACHINE_ARN).some((x) => x.status === "RUNNING")
  )
    await new Promise((resolve) => setTimeout(resolve, 20));
  await e.stopEngine();
  const watch = new TableWatch(e.h.db, e.h.config.storage.tableName, new WriteSpy(e.h.db));
  await watch.baseline();
  return { e, rarId, watch };
}

const now = () => Math.floor(Date.now() / 1000);
const letters = fc.stringMatching(/^[a-z]{1,10}$/);
/** Slack user ids of people who are no approver. */
const stranger = fc.stringMatching(/^U[A-Z0-9]{5,10}$/).filter((u) => u !== SLACK_PROD_APPROVER);

/** A Slack request that fails verification, with the reason the refusal must give. */
function unsigned(rarId: string): fc.Arbitrary<FuzzCase> {
  const payload = fc.oneof(
    fc
      .tuple(fc.constantFrom("approve", "reject"), stranger)
      .map(([action, user]) => click(user, action, rarId)),
    fc.constant(click(SLACK_PROD_APPROVER, "approve", rarId)),
    fc.jsonValue(),
  );
  const refusal = (
    problem: string,
    headers: Record<string, string>,
    body: string,
    reason: string,
  ): FuzzCase => ({
    problem,
    method: "POST",
    path: PATH,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
    expect: { status: 401, code: "unauthorized", mentions: `Slack request refused: ${reason}` },
  });
  const form = (p: unknown) => `payload=${encodeURIComponent(JSON.stringify(p))}`;
  return fc.oneof(
    fc
      .tuple(payload, fc.option(fc.oneof(letters, fc.constant("")), { nil: undefined }))
      .map(([p, timestamp]) =>
        refusal(
          "no usable timestamp",
          timestamp === undefined
            ? { "x-slack-signature": "v0=00" }
            : { "x-slack-request-timestamp": timestamp },
          form(p),
          "missing or malformed X-Slack-Request-Timestamp",
        ),
      ),
    fc.tuple(payload, fc.integer({ min: 301, max: 10_000_000 }), fc.boolean()).map(([p, skew, future]) => {
      const body = form(p);
      const timestamp = String(now() + (future ? skew : -skew));
      return refusal(
        "a replayed or future timestamp",
        { "x-slack-request-timestamp": timestamp, "x-slack-signature": slackSignature(body, timestamp) },
        body,
        "timestamp outside the 5-minute replay window",
      );
    }),
    fc
      .tuple(
        payload,
        fc.option(
          fc.stringMatching(/^[a-z0-9=]{0,20}$/).filter((s) => !s.startsWith("v0=")),
          { nil: undefined },
        ),
      )
      .map(([p, signature]) =>
        refusal(
          "no v0 signature",
          {
            "x-slack-request-timestamp": String(now()),
            ...(signature === undefined ? {} : { "x-slack-signature": signature }),
          },
          form(p),
          "missing or malformed X-Slack-Signature",
        ),
      ),
    fc
      .tuple(
        payload,
        fc.oneof(
          fc.constant("wrong-secret"),
          fc.constant("tampered-body"),
          fc.constant("tampered-signature"),
        ),
        fc.string({ minLength: 1, maxLength: 20 }),
      )
      .map(([p, how, extra]) => {
        const body = form(p);
        const timestamp = String(now());
        const signature =
          how === "wrong-secret"
            ? slackSignature(body, timestamp, `${SIGNING_SECRET}${extra}`)
            : slackSignature(body, timestamp);
        const sent = how === "tampered-body" ? `${body}&x=${encodeURIComponent(extra)}` : body;
        const header =
          how === "tampered-signature"
            ? `${signature.slice(0, -2)}${signature.endsWith("00") ? "11" : "00"}`
            : signature;
        return refusal(
          `a signature that does not match (${how})`,
          { "x-slack-request-timestamp": timestamp, "x-slack-signature": header },
          sent,
          "signature mismatch",
        );
      }),
    // Correctly signed, but for another workspace or another app.
    fc
      .tuple(fc.constantFrom("team", "app"), fc.stringMatching(/^[TA][A-Z0-9]{5,10}$/))
      .map(([which, other]) => {
        const interaction =
          which === "team"
            ? click(SLACK_PROD_APPROVER, "approve", rarId, other === TEAM ? `${other}X` : other)
            : click(SLACK_PROD_APPROVER, "approve", rarId, TEAM, other === APP ? `${other}X` : other);
        const init = signedInteraction(interaction);
        return {
          problem: `signed for another ${which}`,
          method: "POST",
          path: PATH,
          headers: init.headers,
          body: init.body,
          expect: {
            status: 401,
            code: "unauthorized" as const,
            mentions: `Slack request refused: another ${which === "team" ? "workspace" : "app"}`,
            audit: "SlackRequestRefused",
          },
        };
      }),
  );
}

/** Correctly signed requests that are malformed, or that may not change anything. */
function signed(rarId: string): fc.Arbitrary<FuzzCase> {
  const send = (problem: string, body: string, expectation: FuzzCase["expect"]): FuzzCase => {
    const timestamp = String(now());
    return {
      problem,
      method: "POST",
      path: PATH,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": slackSignature(body, timestamp),
      },
      body,
      expect: expectation,
    };
  };
  const malformed = { status: 400, code: "invalid_request" as const, mentions: "invalid Slack interaction" };
  return fc.oneof(
    // No payload field, a payload that is not JSON, JSON that is no interaction.
    fc
      .string({ maxLength: 30 })
      .map((s) => send("no payload field", `text=${encodeURIComponent(s)}`, malformed)),
    fc
      .string({ maxLength: 30 })
      .filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      })
      .map((s) => send("a payload that is not JSON", `payload=${encodeURIComponent(s)}`, malformed)),
    fc
      .oneof(
        fc.jsonValue().filter((v) => typeof v !== "object" || v === null || Array.isArray(v)),
        fc.record({
          type: letters.filter((t) => t !== "block_actions" && t !== "view_submission"),
          user: fc.constant({ id: "U1" }),
        }),
        fc.record({ type: fc.constant("block_actions") }),
      )
      .map((p) =>
        send(
          "a payload that is no interaction",
          `payload=${encodeURIComponent(JSON.stringify(p))}`,
          malformed,
        ),
      ),
    // A click by someone who is no approver: nothing changes but the refusal's audit event; Slack gets
    // a 200 and the user an ephemeral explanation.
    fc.tuple(stranger, fc.constantFrom("approve", "reject", "approve_with_changes")).map(([user, action]) => {
      const init = signedInteraction(click(user, action, rarId));
      return send(`a click by ${user}, no approver`, init.body, { status: 200, audit: "DecisionRefused" });
    }),
    // Clicks on requests that do not exist, on buttons that are not ours, without a value.
    fc
      .tuple(
        fc.stringMatching(/^rar-[a-z0-9-]{10,40}$/),
        fc.constantFrom("approve", "reject", "approve_with_changes"),
      )
      .map(([id, action]) =>
        send(`a click on ${id}`, signedInteraction(click(SLACK_PROD_APPROVER, action, id)).body, {
          status: 200,
        }),
      ),
    letters
      .filter((a) => !["approve", "reject", "approve_with_changes"].includes(a))
      .map((action) =>
        send(`a button ${action}`, signedInteraction(click(SLACK_PROD_APPROVER, action, rarId)).body, {
          status: 200,
        }),
      ),
    fc.constant(
      send(
        "a click without actions",
        signedInteraction({ ...click(SLACK_PROD_APPROVER, "approve", rarId), actions: [] }).body,
        { status: 200 },
      ),
    ),
    // A modal submission that is not ours, or for a request that does not exist.
    fc.tuple(letters, fc.stringMatching(/^rar-[a-z0-9-]{10,40}$/)).map(([callback, id]) =>
      send(
        "a foreign or orphaned modal",
        signedInteraction({
          type: "view_submission",
          team: { id: TEAM },
          api_app_id: APP,
          user: { id: SLACK_PROD_APPROVER },
          view: {
            callback_id: callback === "x" ? "approve_with_changes" : callback,
            private_metadata: id,
            state: { values: {} },
          },
        }).body,
        { status: 200 },
      ),
    ),
  );
}

describe("POST /api/v1/slack/interactions", () => {
  it(
    "an unverifiable request is refused and writes nothing; one signed for another workspace or app is audited once; a malformed one writes nothing",
    async () => {
      const total = runsPerRoute(40);
      for (let done = 0; done < total; done += BATCH) {
        const { e, rarId, watch } = await setUp();
        try {
          const runs = Math.min(BATCH, total - done);
          await fc.assert(
            fc.asyncProperty(fc.oneof(unsigned(rarId), signed(rarId)), (c) => checkCase(e.h.app, watch, c)),
            { ...fuzzParameters(runs), numRuns: runs },
          );
          // Nothing decided the request; the audit chain the refusals built verifies.
          expect((await e.h.approvals.get(rarId))?.decision).toBeUndefined();
          await watch.verifySystemAudit();
        } finally {
          await e.close();
        }
      }
    },
    fuzzTimeout(60_000),
  );
});
