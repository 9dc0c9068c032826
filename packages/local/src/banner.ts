import { isAbsolute, relative } from "node:path";
import type { PolicyStatus } from "@kubernaut/policy";
import type { OpaSetup } from "./opa";

/** What `npm start` loaded and where everything is, as the banner reports it. */
export interface StartupReport {
  /** The config file read; absent when none was found and every default applies. */
  configFile?: string;
  policies: { approval: PolicyStatus; classification: PolicyStatus };
  opa: OpaSetup;
  cluster:
    | { source: "simulator"; server: string; scenario?: string; kubeconfig: string }
    | { source: "kubeconfig"; server: string; kubeconfig: string; context?: string }
    | { source: "real"; server: string; kubeconfig: string; scenario?: string };
  trust: { headline: string; lines: string[] };
}

const shortHash = (hash: string | undefined) => (hash ? hash.slice(0, 12) : "");

function policyLine(status: PolicyStatus, show: (path: string) => string, absent: string): string {
  if (!status.path) return absent;
  if (status.error && !status.hash) return `${show(status.path)}  UNUSABLE: ${status.error}`;
  const loaded = `${show(status.path)}  sha256 ${shortHash(status.hash)}`;
  return status.error
    ? `${loaded} (the file on disk is refused, this version is kept: ${status.error})`
    : loaded;
}

/**
 * The lines `npm start` prints after "running at": every file it loaded with the policies' hashes, the
 * trust level in force, the cluster with a kubectl command that works against it, and the console.
 * Paths inside the working directory are shown relative to it, as an operator would type them.
 */
export function startupLines(report: StartupReport, url: string, cwd: string): string[] {
  const show = (path: string) => {
    const rel = isAbsolute(path) ? relative(cwd, path) : path;
    return rel && !rel.startsWith("..") ? rel : path;
  };
  const { cluster } = report;
  const lines = [
    `  config          ${report.configFile ? show(report.configFile) : "none found (KUBERNAUT_CONFIG or ./kubernaut.config.yaml): every default applies"}`,
    `  approval policy ${policyLine(report.policies.approval, show, "none configured (aianalysis.rego.policy): every remediation that is not dry-run asks for approval")}`,
    `  classification  ${policyLine(report.policies.classification, show, "none configured")}`,
    ...(report.opa.state === "missing" ? [`  OPA CLI         ${report.opa.advice}`] : []),
    ...(report.opa.state === "built" ? [`  OPA CLI         built: ${show(report.opa.path)}`] : []),
    `  trust           ${report.trust.headline}`,
    ...report.trust.lines.map((line) => `                  ${line}`),
    cluster.source === "simulator"
      ? `  cluster         simulator at ${cluster.server}, ${cluster.scenario ? `scenario ${show(cluster.scenario)}` : "no scenario (an empty cluster)"}`
      : cluster.source === "real"
        ? `  cluster         real control plane (kube-apiserver ${cluster.server}; pods played by a fake kubelet), ${cluster.scenario ? `scenario ${show(cluster.scenario)}` : "no scenario"}; the product acts with deploy/rbac.yaml's ServiceAccount`
        : `  cluster         ${cluster.server} from ${show(cluster.kubeconfig)}${cluster.context ? ` (context ${cluster.context})` : ""}`,
    `  kubectl         kubectl --kubeconfig ${show(cluster.kubeconfig)} get deploy -A`,
    `  console         ${url}/console  (sign in with the admin token)`,
  ];
  return lines;
}
