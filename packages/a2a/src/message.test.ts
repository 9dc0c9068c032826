import { type Message, Role } from "@a2a-js/sdk";
import { describe, expect, it } from "vitest";
import { dataPart, textPart } from "./artifacts";
import { readRequest } from "./message";

const message = (parts: Message["parts"], metadata?: Record<string, unknown>): Message => ({
  messageId: "m-1",
  contextId: "",
  taskId: "",
  role: Role.ROLE_USER,
  parts,
  metadata,
  extensions: [],
  referenceTaskIds: [],
});
const LABELS = { alertname: "KubePodCrashLooping", namespace: "shop", deployment: "checkout" };
const SENTENCE = "checkout pods keep restarting since the deploy";

describe("readRequest", () => {
  it.each<{ case: string; message: Message; expected: ReturnType<typeof readRequest> }>([
    {
      case: "an Alertmanager-shaped data part is a signal",
      message: message([
        dataPart({ labels: LABELS, annotations: { summary: "s" }, startsAt: "2026-01-01T12:00:00Z" }),
      ]),
      expected: {
        kind: "signal",
        labels: LABELS,
        annotations: { summary: "s" },
        startsAt: "2026-01-01T12:00:00Z",
      },
    },
    {
      case: "a bare label set is a signal",
      message: message([dataPart(LABELS)]),
      expected: { kind: "signal", labels: LABELS, annotations: {} },
    },
    {
      case: "a sentence sent with a signal becomes its description",
      message: message([textPart(SENTENCE), dataPart({ labels: LABELS })]),
      expected: { kind: "signal", labels: LABELS, annotations: { description: SENTENCE } },
    },
    {
      case: "text alone is a described problem",
      message: message([textPart(`  ${SENTENCE} `)]),
      expected: { kind: "text", text: SENTENCE },
    },
    {
      case: "the cluster comes from the message metadata",
      message: message([textPart(SENTENCE)], { cluster: "prod-eu" }),
      expected: { kind: "text", text: SENTENCE, cluster: "prod-eu" },
    },
    {
      case: "a bad cluster name is refused",
      message: message([textPart(SENTENCE)], { cluster: "Prod EU" }),
      expected: { kind: "invalid", reason: "metadata.cluster: a cluster name as configured" },
    },
    {
      case: "a too short description is refused as the text route refuses it",
      message: message([textPart("broken")]),
      expected: { kind: "invalid", reason: "describe the problem in at least 10 characters" },
    },
    {
      case: "a label that is not a string names the field",
      message: message([dataPart({ labels: { alertname: 7 } })]),
      expected: {
        kind: "invalid",
        reason: "invalid signal: labels.alertname: Invalid input: expected string, received number",
      },
    },
    {
      case: "unknown keys next to labels are refused, not ignored",
      message: message([dataPart({ labels: LABELS, status: "resolved" })]),
      expected: { kind: "invalid", reason: 'invalid signal: Unrecognized key: "status"' },
    },
    {
      case: "two signals in one message are refused",
      message: message([dataPart(LABELS), dataPart(LABELS)]),
      expected: { kind: "invalid", reason: "send one signal per message (one task follows one remediation)" },
    },
    {
      case: "neither a signal nor a description is refused",
      message: message([
        {
          content: { $case: "url", value: "https://example.com" },
          metadata: undefined,
          filename: "",
          mediaType: "",
        },
      ]),
      expected: {
        kind: "invalid",
        reason:
          "the message has neither a signal (a data part with Alertmanager labels: alertname, namespace, deployment …) nor a description of the problem (a text part)",
      },
    },
  ])("$case", ({ message: input, expected }) => {
    expect(readRequest(input)).toEqual(expected);
  });
});
