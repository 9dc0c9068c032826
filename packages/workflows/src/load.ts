import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { CATALOG } from "./catalog";
import { parseWorkflow, type WorkflowDefinition } from "./definition";

/** One reason a workflow file is refused: the file, the path inside it, and why. */
export interface CatalogProblem {
  file: string;
  path: string;
  reason: string;
}

/**
 * A catalog directory (or a workflow sent through the API) that cannot be registered. All or nothing:
 * one bad file refuses the whole directory, so a half-registered catalog never selects from whatever
 * happened to parse.
 */
export class CatalogError extends Error {
  constructor(readonly problems: readonly CatalogProblem[]) {
    super(
      `the workflow catalog was refused and nothing was registered:\n${problems
        .map((p) => `  ${p.file}: ${p.path}: ${p.reason}`)
        .join("\n")}`,
    );
    this.name = "CatalogError";
  }
}

const problemOf = (file: string, text: string): CatalogProblem => {
  const at = text.indexOf(": ");
  return at > 0
    ? { file, path: text.slice(0, at), reason: text.slice(at + 2) }
    : { file, path: "(root)", reason: text };
};

/**
 * Parses a workflow file's text: one or more YAML documents, each a workflow. `file` names it in every
 * problem (`scale-and-flush.yaml (document 2)`).
 */
export function parseWorkflowText(
  text: string,
  file: string,
): { workflows: WorkflowDefinition[]; problems: CatalogProblem[] } {
  const workflows: WorkflowDefinition[] = [];
  const problems: CatalogProblem[] = [];
  const documents = parseAllDocuments(text);
  const docs = Array.isArray(documents) ? documents : [documents];
  docs.forEach((doc, i) => {
    const where = docs.length > 1 ? `${file} (document ${i + 1})` : file;
    if (doc.errors.length > 0) {
      problems.push({ file: where, path: "(yaml)", reason: doc.errors.map((e) => e.message).join("; ") });
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const parsed = parseWorkflow(value);
    if (parsed.ok) workflows.push(parsed.definition);
    else problems.push(...parsed.problems.map((p) => problemOf(where, p)));
  });
  return { workflows, problems };
}

/**
 * The operator's workflows: every `.yaml`/`.yml` file of `directory` (not its subdirectories), in name
 * order. Throws a CatalogError listing every problem of every file when anything is wrong — an id used
 * twice, or one of the built-in catalog's — and then registers nothing.
 */
export function loadCatalogDirectory(
  directory: string,
  builtIn: readonly WorkflowDefinition[] = CATALOG,
): WorkflowDefinition[] {
  let names: string[];
  try {
    names = readdirSync(directory)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort();
  } catch (error) {
    throw new CatalogError([
      { file: directory, path: "(directory)", reason: `cannot be read (${(error as Error).message})` },
    ]);
  }
  const workflows: WorkflowDefinition[] = [];
  const problems: CatalogProblem[] = [];
  const seen = new Map<string, string>(builtIn.map((w) => [w.id, "the built-in catalog"]));
  for (const name of names) {
    const result = parseWorkflowText(readFileSync(join(directory, name), "utf8"), name);
    problems.push(...result.problems);
    for (const workflow of result.workflows) {
      const other = seen.get(workflow.id);
      if (other) {
        problems.push({ file: name, path: "id", reason: `${workflow.id} is already defined by ${other}` });
        continue;
      }
      seen.set(workflow.id, name);
      workflows.push(workflow);
    }
  }
  if (problems.length > 0) throw new CatalogError(problems);
  return workflows;
}
