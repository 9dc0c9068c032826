import { describe, expect, it } from "vitest";
import { scoreChart } from "./chart";

describe("the score chart", () => {
  it("says in words what it draws, and marks scores below 0.5", () => {
    // Act
    const svg = scoreChart(
      [
        { at: "2026-11-01T00:00:00Z", score: 1 },
        { at: "2026-11-02T00:00:00Z", score: 0.25 },
        { at: "2026-11-03T00:00:00Z", score: 0.75 },
      ],
      "restart-pod-v1",
    ).value;
    // Assess
    expect(svg).toContain(
      'aria-label="Effectiveness scores of restart-pod-v1 over time: 3 assessments, latest 0.75, mean 0.67"',
    );
    expect(svg).toContain('role="img"');
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg.match(/fill="#cf222e"/g)).toHaveLength(1);
    // 1 at the top (y = 4), 0.25 three quarters down the 40 px plot (y = 34).
    expect(svg).toContain('points="4.0,4.0 100.0,34.0 196.0,14.0"');
    expect(svg).not.toContain("style=");
  });

  it("draws nothing without assessments", () => {
    expect(scoreChart([], "x").value).toContain("No assessed remediations yet.");
  });
});
