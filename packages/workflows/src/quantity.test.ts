import { describe, expect, it } from "vitest";
import { CATALOG, findWorkflow } from "./catalog";
import { displayParameters, normalizeParameters, parametersText } from "./parameters";
import { formatQuantity, parseQuantity, tryParseQuantity } from "./quantity";

describe("Kubernetes quantities for bytes", () => {
  it.each([
    ["600Mi", 629_145_600],
    ["16Mi", 16_777_216],
    ["1Gi", 1_073_741_824],
    ["1.5Gi", 1_610_612_736],
    ["512M", 512_000_000],
    ["1G", 1_000_000_000],
    ["128k", 128_000],
    ["1e9", 1_000_000_000],
    ["629145600", 629_145_600],
    [" 256Ki ", 262_144],
    [629_145_600, 629_145_600],
  ])("reads %j as %i bytes", (input, bytes) => {
    expect(parseQuantity(input)).toBe(bytes);
  });

  it.each([
    ["600MB", "is not a Kubernetes quantity (e.g. 600Mi, 1Gi, 512M)"],
    ["1K", "is not a Kubernetes quantity"],
    ["-1Mi", "is not a Kubernetes quantity"],
    ["0.1Ki", "is not a whole number of bytes"],
    ["", "is not a Kubernetes quantity"],
    [1.5, "is not a whole, non-negative number of bytes"],
  ])("refuses %j, saying why", (input, problem) => {
    expect(() => parseQuantity(input)).toThrow(problem);
    expect(tryParseQuantity(input)).toBeUndefined();
  });

  it.each([
    [629_145_600, "600Mi"],
    [16_777_216, "16Mi"],
    [1_073_741_824, "1Gi"],
    [1_610_612_736, "1536Mi"],
    [1_000_000_000, "1G"],
    [1_500, "1500"],
    [0, "0"],
  ])("shows %i bytes as %s (the shortest exact form)", (bytes, text) => {
    expect(formatQuantity(bytes)).toBe(text);
    expect(parseQuantity(text)).toBe(bytes);
  });
});

describe("quantity parameters", () => {
  const memory = findWorkflow("increase-memory-limits-v1", CATALOG);
  if (!memory) throw new Error("the catalog lost increase-memory-limits-v1");

  it.each([
    [{ container: "app", memoryLimit: "600Mi" }, { container: "app", memoryLimit: 629_145_600 }, []],
    [{ container: "app", memoryLimit: 629_145_600 }, { container: "app", memoryLimit: 629_145_600 }, []],
    [
      { container: "app", memoryLimit: "8Mi" },
      { container: "app", memoryLimit: 8_388_608 },
      ["memoryLimit: must be ≥ 16Mi"],
    ],
    [
      { container: "app", memoryLimit: 1024 },
      { container: "app", memoryLimit: 1024 },
      ["memoryLimit: must be ≥ 16Mi"],
    ],
    [
      { container: "app", memoryLimit: "lots" },
      { container: "app" },
      ['memoryLimit: "lots" is not a Kubernetes quantity (e.g. 600Mi, 1Gi, 512M)'],
    ],
    [
      { container: "app", memoryLimit: true },
      { container: "app" },
      ["memoryLimit: must be a Kubernetes quantity (e.g. 600Mi) or a number of bytes"],
    ],
  ])("normalizes %j to bytes, with problems in the operator's units", (input, parameters, problems) => {
    expect(normalizeParameters(memory, input)).toEqual({ parameters, problems });
  });

  it("reads the schema's bound as a quantity", () => {
    expect(memory.parameters.memoryLimit?.minimum).toBe(16_777_216);
  });

  it("shows stored bytes as quantities wherever a person reads them", () => {
    expect(
      displayParameters("increase-memory-limits-v1", { container: "app", memoryLimit: 629_145_600 }),
    ).toEqual({ container: "app", memoryLimit: "600Mi" });
    expect(parametersText(memory, { container: "app", memoryLimit: 1_073_741_824 })).toBe(
      "container=app, memoryLimit=1Gi",
    );
    expect(parametersText("scale-replicas-v1", { replicas: 4 })).toBe("replicas=4");
    expect(parametersText(undefined, {})).toBe("no parameters");
  });
});
