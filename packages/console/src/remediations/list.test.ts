import { describe, expect, it } from "vitest";
import { remediation } from "../testing/fixtures";
import { consoleHarness } from "../testing/harness";
import { listRemediations } from "./list";

/** Seven remediations a minute apart, alternating between two workflows (newest is #7). */
async function seeded() {
  const h = await consoleHarness();
  const base = remediation();
  for (let i = 1; i <= 7; i++) {
    const at = new Date(Date.UTC(2026, 10, 26, 2, i)).toISOString();
    const workflowId = i % 3 === 0 ? "restart-pod-v1" : "crashloop-rollback-v1";
    await h.seed(
      remediation({
        id: `rr-0mwwxht88-45ed7da8af39-00000${i}`,
        phase: "Completed",
        outcome: "DryRun",
        createdAt: at,
        updatedAt: at,
        ...(base.analysis ? { analysis: { ...base.analysis, workflowId } } : {}),
      }),
    );
  }
  return h;
}

async function allPages(
  h: Awaited<ReturnType<typeof seeded>>,
  filter: { workflow?: string },
  pageSize: number,
) {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await listRemediations(h.store, { ...filter, ...(cursor ? { cursor } : {}) }, pageSize);
    pages.push(page.items.map((rr) => rr.id.slice(-1)));
    cursor = page.cursor;
  } while (cursor);
  return pages;
}

describe("the remediation list", () => {
  it("pages newest first, each remediation exactly once", async () => {
    const h = await seeded();
    expect(await allPages(h, {}, 3)).toEqual([["7", "6", "5"], ["4", "3", "2"], ["1"]]);
  });

  it("filters by workflow without skipping or repeating across pages", async () => {
    const h = await seeded();
    expect((await allPages(h, { workflow: "crashloop-rollback-v1" }, 2)).flat()).toEqual([
      "7",
      "5",
      "4",
      "2",
      "1",
    ]);
    expect(await allPages(h, { workflow: "restart-pod-v1" }, 5)).toEqual([["6", "3"]]);
    expect(await allPages(h, { workflow: "patch-hpa-v1" }, 5)).toEqual([[]]);
  });
});
