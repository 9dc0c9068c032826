import { approvalsCommand } from "./approvals";
import { auditCommand } from "./audit";
import { graduationCommand } from "./graduation";
import { intakeCommand, reportCommand } from "./intake";
import { policyCommand } from "./policy";
import { remediationsCommand } from "./remediations";
import { suggestionsCommand } from "./suggestions";
import { fingerprintsCommand, pauseCommand, trustCommand } from "./trust";
import { workflowsCommand } from "./workflows";

const USAGE = `kubernaut <command>

  policy build                         compile the shipped Rego policies to wasm (needs the OPA CLI)
  policy test                          run the Rego unit tests of every shipped policy (opa test)
  policy eval --policy F --input F     evaluate a policy (.rego, .wasm or bundle) on an input document;
                                        exits 1 when the policy is unusable (degraded)
  remediations list [--phase P] [--outcome O] [--namespace NS] [--limit N]
                                        remediations, newest first
  remediations show ID                  one remediation: root cause, choice, decision, patch, timeline
  trust show                            the ladder in force: dry-run switch, policy, each workflow's level
  trust set WORKFLOW LEVEL --reason TEXT [--namespace NS]...
                                        graduate or demote a workflow (observe, approve, automate)
  pause --reason TEXT | resume          the kill switch: stop / restart all execution
  fingerprints release FP|ID --reason TEXT
                                        let the next alert on a held fingerprint start a remediation
  approvals list [--decision D]         pending (or decided) approval requests
  approvals approve ID [--override F]   approve, optionally with a workflowOverride JSON file
  approvals reject ID --message TEXT    reject with a reason
  audit verify ID                       check a remediation's hash-chained audit trail
  graduation                            the graduation report, with the command that acts on it
  suggestions list | show ID            plans analysis left for alerts no workflow matches
  suggestions convert ID --workflow NAME-vN --reason TEXT [--action TYPE] [--param NAME=VALUE]...
                                        register a reviewed suggestion as a workflow (at observe)
  workflows register FILE --reason TEXT
                                        register an operator workflow (YAML, the catalog directory's
                                        format); a new version starts at observe
  report "TEXT" [--cluster C] [--key K] [--wait]
                                        natural-language intake: the model turns TEXT into a signal
  intake show ID                        an intake's state and the remediation it led to

  Every command but policy uses the HTTP API: --url / KUBERNAUT_URL (default http://127.0.0.1:8787)
  and --token / KUBERNAUT_TOKEN (npm start prints both).
`;

/** Entry point; returns the exit code. Output goes to stdout, errors to stderr. */
export async function main(
  argv: string[],
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "policy":
        return await policyCommand(rest, out);
      case "approvals":
        return await approvalsCommand(rest, out);
      case "audit":
        return await auditCommand(rest, out);
      case "graduation":
        return await graduationCommand(rest, out);
      case "suggestions":
        return await suggestionsCommand(rest, out);
      case "report":
        return await reportCommand(rest, out);
      case "intake":
        return await intakeCommand(rest, out);
      case "remediations":
        return await remediationsCommand(rest, out);
      case "trust":
        return await trustCommand(rest, out);
      case "pause":
      case "resume":
        return await pauseCommand(command, rest, out);
      case "fingerprints":
        return await fingerprintsCommand(rest, out);
      case "workflows":
        return await workflowsCommand(rest, out);
      default:
        out(USAGE);
        return command === undefined || command === "help" || command === "--help" ? 0 : 2;
    }
  } catch (error) {
    process.stderr.write(`kubernaut: ${(error as Error).message}\n`);
    return 1;
  }
}
