import type { K8sObject } from "./store";

/** Label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`. */
export function matchesLabelSelector(
  labels: Record<string, string> = {},
  selector: string | undefined,
): boolean {
  if (!selector) return true;
  for (const raw of selector.split(/,(?![^(]*\))/)) {
    const term = raw.trim();
    if (!term) continue;
    let m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = (m[3] ?? "").split(",").map((v) => v.trim());
      const has = labels[m[1] as string] !== undefined && values.includes(labels[m[1] as string] as string);
      if (m[2] === "in" ? !has : has) return false;
      continue;
    }
    m = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      const equal = labels[m[1] as string] === m[3];
      if (m[2] === "!=" ? equal : !equal) return false;
      continue;
    }
    if (term.startsWith("!")) {
      if (labels[term.slice(1)] !== undefined) return false;
    } else if (labels[term] === undefined) return false;
  }
  return true;
}

/** Field selectors on the fields clients use: metadata.name/namespace, spec.nodeName, status.phase, involvedObject.*. */
export function matchesFieldSelector(object: K8sObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
    if (!m) return true;
    const value = (m[1] as string)
      .split(".")
      .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], object);
    const equal = String(value ?? "") === m[3];
    return m[2] === "!=" ? !equal : equal;
  });
}
