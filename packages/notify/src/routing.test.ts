import { parseConfig } from "@kubernaut/config";
import { describe, expect, it } from "vitest";
import { type RoutingAttributes, routeNotification } from "./routing";

const { notification } = parseConfig({
  notification: {
    receivers: [
      { name: "log", type: "log" },
      { name: "oncall", type: "slack", channel: "#oncall" },
      { name: "audit", type: "webhook", url: "https://audit.example/hook" },
      { name: "payments", type: "slack", channel: "#payments" },
    ],
    route: {
      receiver: "log",
      routes: [
        { match: { type: ["Escalation"], priority: ["Critical"] }, receiver: "oncall", continue: true },
        {
          match: { environment: ["Production"] },
          receiver: "audit",
          routes: [{ match: { team: ["payments"] }, receiver: "payments" }],
        },
        { match: { type: ["Approval"] }, receiver: "oncall", channel: "#approvals" },
      ],
    },
  },
});

const route = (attributes: RoutingAttributes) =>
  routeNotification(notification.route, attributes, notification.receivers);

describe("routeNotification", () => {
  it.each<{ case: string; attributes: RoutingAttributes; expected: ReturnType<typeof routeNotification> }>([
    {
      case: "a production P0 escalation fans out to two receivers (continue)",
      attributes: { type: "Escalation", priority: "Critical", environment: "Production" },
      expected: [{ receiver: "oncall", channel: "#oncall" }, { receiver: "audit" }],
    },
    {
      case: "a staging completion goes to the default receiver only",
      attributes: { type: "Completion", priority: "Medium", environment: "Staging" },
      expected: [{ receiver: "log" }],
    },
    {
      case: "a nested route takes a team's production notifications",
      attributes: { type: "Completion", priority: "Low", environment: "production", team: "payments" },
      expected: [{ receiver: "payments", channel: "#payments" }],
    },
    {
      case: "a route's channel overrides the receiver's",
      attributes: { type: "Approval", priority: "High", environment: "Staging" },
      expected: [{ receiver: "oncall", channel: "#approvals" }],
    },
    {
      case: "a first match without continue stops the walk",
      attributes: { type: "Approval", priority: "High", environment: "Production" },
      expected: [{ receiver: "audit" }],
    },
    {
      case: "matching is case-insensitive; a missing attribute never matches a constrained key",
      attributes: { type: "StatusUpdate", priority: "Low" },
      expected: [{ receiver: "log" }],
    },
  ])("$case", ({ attributes, expected }) => {
    expect(route(attributes)).toEqual(expected);
  });
});
