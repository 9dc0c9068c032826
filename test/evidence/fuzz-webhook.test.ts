import { fingerprintOf } from "@kubernaut/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app";
import { ADMIN_TOKEN, WEBHOOK_TOKEN } from "../support/store";
import {
  alertOn,
  type GeneratedAlert,
  group,
  identityOf,
  type ModelTarget,
  targetPool,
} from "./support/alerts-model";
import { fuzzParameters, fuzzTimeout } from "./support/counts";
import { checkCase, type FuzzCase, headerText, nonObjectJson, notJson } from "./support/requests";
import { TableWatch } from "./support/table";
import { WriteSpy } from "./support/write-spy";

// Issue 11, item 2 (fuzzing) for the Alertmanager webhook, POST /api/v1/signals/prometheus: a mutated
// delivery never gets a 5xx, always an error naming the field (`alerts[1].startsAt`) and writes nothing
// — not even its valid alerts (the table is scanned before and after each one); valid generated alerts
// always produce exactly one remediation per distinct workload, however the group names them and even
// when Alertmanager delivers the group twice at once.

const PATH = "/api/v1/signals/prometheus";
const MAX_BODY = 8_192;

type Json = Record<string, unknown>;

/** A valid group of 1–3 alerts, as the base a mutation makes invalid. */
const validGroup = targetPool.chain((pool) =>
  fc.array(alertOn(pool), { minLength: 1, maxLength: 3 }).map((alerts) => group(alerts.map((a) => a.alert))),
);

const letters = fc.stringMatching(/^[a-z]{1,10}$/);
const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.constant(null),
);
const notALabelSet = fc.oneof(letters, fc.integer(), fc.array(letters, { maxLength: 2 }), fc.constant(null));
const notAStatus = fc.oneof(
  letters.filter((s) => s !== "firing" && s !== "resolved"),
  fc.integer(),
  fc.constant(null),
);
/** Never RFC 3339: words, a date without a time, a time without a zone, a number. */
const notATimestamp = fc.oneof(
  letters,
  fc.constant(""),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 19)),
  fc.integer(),
);

/** One mutation of a valid group that makes it invalid, with the field the 400 must name. */
function mutate(body: Json): fc.Arbitrary<{ body: Json; field: string }> {
  const alerts = body.alerts as Json[];
  const at = (path: string, value: unknown) => {
    const copy = structuredClone(body);
    const parts = path.replace(/\[(\d+)\]/g, ".$1").split(".");
    let node = copy as Record<string, unknown>;
    for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
    const last = parts.at(-1) as string;
    if (value === undefined) delete node[last];
    else node[last] = value;
    return { body: copy, field: path };
  };
  const set = (path: string, values: fc.Arbitrary<unknown>) => values.map((v) => at(path, v));
  const labelKey = fc.stringMatching(/^[a-z_]{1,10}$/);
  return fc.nat({ max: alerts.length - 1 }).chain((i) =>
    fc.oneof(
      set("status", fc.oneof(notAStatus, fc.constant(undefined))),
      set("version", fc.oneof(fc.constantFrom("3", "5", ""), fc.integer())),
      set(
        "truncatedAlerts",
        fc.oneof(
          fc.integer({ max: -1 }),
          fc.double({ min: 0.1, max: 100, noNaN: true }).filter((n) => !Number.isInteger(n)),
          letters,
        ),
      ),
      fc.constantFrom("groupKey", "receiver", "externalURL").chain((field) => set(field, notAString)),
      fc.constantFrom("groupLabels", "commonLabels", "commonAnnotations").chain((field) =>
        fc.oneof(
          set(field, notALabelSet),
          fc
            .tuple(labelKey, notAString)
            .map(([key, v]) => ({ ...at(field, { [key]: v }), field: `${field}.${key}` })),
        ),
      ),
      set("alerts", fc.oneof(fc.constant([]), letters, fc.integer(), fc.constant({}), fc.constant(null))),
      set(`alerts[${i}]`, fc.oneof(letters, fc.integer(), fc.constant(null))),
      // An alert's own status may be absent (it inherits the group's, issue 20), but not wrong.
      set(`alerts[${i}].status`, notAStatus),
      set(`alerts[${i}].startsAt`, fc.oneof(notATimestamp, fc.constant(undefined))),
      set(`alerts[${i}].endsAt`, notATimestamp),
      set(`alerts[${i}].labels`, fc.oneof(notALabelSet, fc.constant(undefined))),
      set(`alerts[${i}].annotations`, notALabelSet),
      fc.constantFrom("labels", "annotations").chain((field) =>
        fc.tuple(labelKey, notAString).map(([key, v]) => ({
          ...at(`alerts[${i}].${field}`, { ...(alerts[i]?.[field] as Json), [key]: v }),
          field: `alerts[${i}].${field}.${key}`,
        })),
      ),
      fc
        .constantFrom("generatorURL", "fingerprint")
        .chain((field) => set(`alerts[${i}].${field}`, notAString)),
    ),
  );
}

/** Alerts no remediation can come from: no target label, only a namespace, no alertname. */
const unusableAlerts = fc.array(
  fc.oneof(
    fc
      .record({
        alertname: letters,
        instance: fc.string(),
        job: fc.constantFrom("kube-state-metrics", "kubelet"),
      })
      .map((labels) => ({ labels, reason: /^Unknown target: no label names a workload, pod or node/ })),
    fc
      .tuple(letters, letters, fc.constantFrom("kube-state-metrics", "kubelet"))
      .map(([alertname, namespace, job]) => ({
        labels: { alertname, namespace, job },
        reason: new RegExp(`^Unknown target: the alert names only namespace ${namespace} `),
      })),
    fc.tuple(letters, letters).map(([namespace, name]) => ({
      labels: { namespace, deployment: name },
      reason: /^the alert has no "alertname" label$/,
    })),
  ),
  { minLength: 1, maxLength: 4 },
);

describe("POST /api/v1/signals/prometheus with invalid or mutated deliveries", () => {
  let t: TestApp;
  let watch: TableWatch;
  beforeAll(async () => {
    t = await createTestApp({ gateway: { maxBodyBytes: MAX_BODY } });
    watch = new TableWatch(t.db, t.config.storage.tableName, new WriteSpy(t.db));
    await watch.baseline();
  });

  const post = (body: string, headers: Record<string, string> = {}) => ({
    method: "POST",
    path: PATH,
    headers: { "content-type": "application/json", authorization: `Bearer ${WEBHOOK_TOKEN}`, ...headers },
    body,
  });

  it(
    "is refused naming the problem, writes nothing and starts nothing",
    async () => {
      const cases: fc.Arbitrary<FuzzCase> = fc.oneof(
        {
          weight: 6,
          arbitrary: validGroup.chain(mutate).map(
            ({ body, field }): FuzzCase => ({
              problem: `mutated ${field}`,
              ...post(JSON.stringify(body)),
              expect: {
                status: 400,
                code: "invalid_request",
                mentions: `invalid Alertmanager webhook: ${field}: `,
              },
            }),
          ),
        },
        notJson.map(
          (body): FuzzCase => ({
            problem: "not JSON",
            ...post(body),
            expect: { status: 400, code: "invalid_request", mentions: "body is not valid JSON" },
          }),
        ),
        nonObjectJson.map(
          (value): FuzzCase => ({
            problem: "JSON that is not an object",
            ...post(JSON.stringify(value)),
            expect: { status: 400, code: "invalid_request", mentions: "invalid Alertmanager webhook: " },
          }),
        ),
        fc.tuple(validGroup, fc.integer({ min: MAX_BODY, max: MAX_BODY * 3 })).map(
          ([body, size]): FuzzCase => ({
            problem: "an oversized group",
            ...post(JSON.stringify({ ...body, padding: "x".repeat(size) })),
            expect: { status: 413, code: "payload_too_large", mentions: `${MAX_BODY} bytes; set max_alerts` },
          }),
        ),
        fc
          .tuple(
            validGroup,
            fc.oneof(
              fc.constant({ headers: { authorization: "" }, mentions: "missing bearer token" }),
              headerText.map((token) => ({
                headers: { authorization: `Basic ${token}` },
                mentions: "missing bearer token",
              })),
              fc.oneof(headerText, fc.constant(ADMIN_TOKEN)).map((token) => ({
                headers: { authorization: `Bearer ${token}` },
                mentions: "invalid webhook token",
              })),
            ),
          )
          .map(
            ([body, auth]): FuzzCase => ({
              problem: `credentials ${auth.headers.authorization.slice(0, 20)}`,
              ...post(JSON.stringify(body), auth.headers),
              expect: { status: 401, code: "unauthorized", mentions: auth.mentions },
            }),
          ),
        // Well-formed, but no alert names a workload: each is answered `rejected` with its reason.
        unusableAlerts.map(
          (alerts): FuzzCase => ({
            problem: "no usable alert",
            ...post(
              JSON.stringify(
                group(
                  alerts.map((a) => ({
                    status: "firing",
                    labels: a.labels,
                    annotations: {},
                    startsAt: "2026-11-25T10:00:00Z",
                  })),
                ),
              ),
            ),
            expect: {
              status: 202,
              body: (answer) => {
                const { accepted } = answer as {
                  accepted: Array<{ status: string; reason: string; remediationId: null }>;
                };
                expect(accepted).toHaveLength(alerts.length);
                for (const [i, a] of accepted.entries()) {
                  expect(a).toMatchObject({ status: "rejected", remediationId: null });
                  expect(a.reason).toMatch(alerts[i]?.reason as RegExp);
                }
              },
            },
          }),
        ),
      );
      await fc.assert(
        fc.asyncProperty(cases, async (c) => {
          await checkCase(t.app, watch, c);
          expect(t.starter.started).toEqual([]);
        }),
        fuzzParameters(60),
      );
    },
    fuzzTimeout(),
  );
});

describe("POST /api/v1/signals/prometheus with valid generated alerts", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  it(
    "creates exactly one remediation per distinct workload, even when the group is delivered twice at once",
    async () => {
      const deliveries = targetPool.chain((pool) =>
        fc.tuple(fc.array(alertOn(pool), { minLength: 1, maxLength: 6 }), fc.boolean()),
      );
      await fc.assert(
        fc.asyncProperty(deliveries, async ([alerts, twice]) => {
          // Prepare
          const started = t.starter.started.length;
          const body = JSON.stringify(group(alerts.map((a) => a.alert)));
          const send = () =>
            t.app.request(PATH, {
              method: "POST",
              headers: { "content-type": "application/json", authorization: `Bearer ${WEBHOOK_TOKEN}` },
              body,
            });

          // Act: one delivery, or Alertmanager's redelivery racing the first.
          const responses = await Promise.all(twice ? [send(), send()] : [send()]);

          // Assess
          const answers: Array<Array<{ status: string; remediationId: string; fingerprint: string }>> = [];
          for (const response of responses) {
            expect(response.status).toBe(202);
            answers.push(((await response.json()) as { accepted: (typeof answers)[number] }).accepted);
          }
          const byTarget = new Map<
            string,
            { target: ModelTarget; answers: Array<(typeof answers)[number][number]> }
          >();
          for (const delivery of answers) {
            expect(delivery).toHaveLength(alerts.length);
            for (const [i, answer] of delivery.entries()) {
              const { target } = alerts[i] as GeneratedAlert;
              const entry = byTarget.get(identityOf(target)) ?? { target, answers: [] };
              entry.answers.push(answer);
              byTarget.set(identityOf(target), entry);
            }
          }
          const ids = new Set<string>();
          for (const { target, answers: forTarget } of byTarget.values()) {
            // One remediation for the workload: one `created`, every other answer points at it.
            expect(forTarget.filter((a) => a.status === "created")).toHaveLength(1);
            expect(new Set(forTarget.map((a) => a.status))).toEqual(
              new Set(forTarget.length > 1 ? ["created", "deduplicated"] : ["created"]),
            );
            const id = forTarget[0]?.remediationId as string;
            expect(forTarget.every((a) => a.remediationId === id)).toBe(true);
            ids.add(id);
            // Its fingerprint is the workload's, and the table holds exactly that one remediation for it.
            const ref = {
              kind: target.kind,
              name: target.name,
              ...(target.kind !== "Node" ? { namespace: target.namespace } : {}),
              ...(target.cluster ? { cluster: target.cluster } : {}),
            };
            const fingerprint = fingerprintOf(ref);
            expect(forTarget.every((a) => a.fingerprint === fingerprint)).toBe(true);
            const stored = await t.store.list({ fingerprint, limit: 10 });
            expect(stored.items.map((rr) => [rr.id, rr.targetResource])).toEqual([[id, ref]]);
          }
          expect(ids.size).toBe(byTarget.size);
          // One execution started per remediation.
          expect(t.starter.started.slice(started).sort()).toEqual([...ids].sort());
        }),
        fuzzParameters(40),
      );
    },
    fuzzTimeout(),
  );
});
