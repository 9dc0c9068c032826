import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileRego, compilerMessage, PolicyCompileError } from "./build";
import { findOpa } from "./opa-cli";

describe("the compiler's message", () => {
  it.each([
    [
      {
        stdout:
          "error: load error: 1 error occurred during loading: mine.rego:3: rego_parse_error: unexpected eof token\n",
        stderr: "",
      },
      "/p/mine.rego:3: rego_parse_error: unexpected eof token",
    ],
    [
      {
        stdout: "error: 1 error occurred: mine.rego:2: rego_unsafe_var_error: var x is unsafe\n",
        stderr: "",
      },
      "/p/mine.rego:2: rego_unsafe_var_error: var x is unsafe",
    ],
    [{ stdout: "", stderr: "boom", message: "Command failed" }, "boom"],
    [{ message: "spawn opa ENOENT" }, "spawn opa ENOENT"],
  ])("takes OPA's words from whichever stream has them, naming the file by its path (%#)", (error, text) => {
    expect(compilerMessage(error, "/p/mine.rego")).toBe(text);
  });

  it.runIf(findOpa() !== undefined)(
    "a parse error names the file and line (OPA prints it on stdout)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "kubernaut-opa-"));
      const path = join(dir, "broken.rego");
      writeFileSync(path, "package aianalysis.approval\nrequire_approval := false if {\n");
      const error = await compileRego(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolicyCompileError);
      expect((error as Error).message).toContain(
        `policy ${path} does not compile: ${path}:3: rego_parse_error: unexpected eof token`,
      );
    },
  );
});
