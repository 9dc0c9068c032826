import { describe, expect, it } from "vitest";
import { type AuditEvent, canonicalJson, chainAuditEvent, GENESIS_HASH, verifyAuditChain } from "./audit";

function chain(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const event = chainAuditEvent(
      {
        type: "PhaseChanged",
        at: `2026-01-01T00:00:0${seq}Z`,
        actor: { type: "system", id: "pipeline" },
        details: { seq },
      },
      seq,
      prev,
    );
    events.push(event);
    prev = event.hash;
  }
  return events;
}

describe("audit chain", () => {
  it("canonical JSON ignores key order and undefined values", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });

  it("an intact chain verifies", () => {
    expect(verifyAuditChain(chain(4))).toEqual({ ok: true });
  });

  it.each([
    {
      case: "an edited event",
      tamper: (events: AuditEvent[]) => {
        (events[1] as AuditEvent).details = { seq: 99 };
      },
      seq: 2,
      problem: /content does not match/,
    },
    {
      case: "a missing event",
      tamper: (events: AuditEvent[]) => void events.splice(2, 1),
      seq: 3,
      problem: /missing/,
    },
    {
      case: "a fork (an event re-chained onto an older head)",
      tamper: (events: AuditEvent[]) => {
        events[3] = chainAuditEvent(
          { type: "Forged", at: "x", actor: { type: "user", id: "mallory" } },
          4,
          (events[1] as AuditEvent).hash,
        );
      },
      seq: 4,
      problem: /does not link/,
    },
  ])("detects $case", ({ tamper, seq, problem }) => {
    const events = chain(4);
    tamper(events);
    const result = verifyAuditChain(events);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ seq, problem: expect.stringMatching(problem) });
  });
});
