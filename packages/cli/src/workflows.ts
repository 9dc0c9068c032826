import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseAllDocuments } from "yaml";
import { apiTarget, call, option, positional } from "./http";

/**
 * `kubernaut workflows register FILE --reason TEXT`: sends an operator workflow (the catalog
 * directory's YAML format) to `POST /api/v1/workflows`. The API validates it like a catalog file and
 * answers every problem with its path; a new version starts at observe.
 */
export async function workflowsCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [sub, file] = positional(args);
  if (sub !== "register" || !file) throw new Error("usage: kubernaut workflows register FILE --reason TEXT");
  const reason = option(args, "--reason");
  if (!reason) throw new Error("say why the workflow is registered: --reason TEXT");
  const documents = parseAllDocuments(readFileSync(file, "utf8"));
  const docs = (Array.isArray(documents) ? documents : [documents]).filter((doc) => doc.contents !== null);
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0)
      throw new Error(`${basename(file)}: not YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    const result = await call<{
      workflow: { id: string; version: string; steps: Array<{ name: string }> };
      status: string;
      trust: { level: string };
    }>(apiTarget(args), "POST", `/api/v1/workflows?reason=${encodeURIComponent(reason)}`, doc.toJS()).catch(
      (error: unknown) => {
        throw new Error(
          `${basename(file)}${docs.length > 1 ? ` (document ${i + 1})` : ""}: ${(error as Error).message}`,
        );
      },
    );
    const { workflow, status, trust } = result;
    out(
      `${workflow.id} ${workflow.version}: ${status} (${workflow.steps.map((s) => s.name).join(" → ")}), trust level ${trust.level}`,
    );
  }
  return 0;
}
