import { isAbsolute, resolve } from "node:path";
import { CATALOG, type WorkflowDefinition } from "@kubernaut/workflows";
import { loadCatalogDirectory } from "@kubernaut/workflows/load";
import type { Runtime } from "../runtime";

/**
 * The catalog every process selects from and executes: the built-in workflows, then the operator's
 * from `catalog.directory`. Read once per process (a changed file applies at the next start or deploy);
 * a directory with any bad file fails the start with a CatalogError naming the file, the path and the
 * reason, so a half-registered catalog never runs.
 */
export const catalog = (rt: Runtime): readonly WorkflowDefinition[] =>
  rt.part("catalog", () => {
    const directory = rt.config().catalog.directory;
    if (!directory) return CATALOG;
    const path = isAbsolute(directory) ? directory : resolve(rt.adapters.root, directory);
    return [...CATALOG, ...loadCatalogDirectory(path, CATALOG)];
  });
