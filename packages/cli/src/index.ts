import { policyCommand } from "./policy";

const USAGE = `kubernaut <command>

  policy build                         compile the shipped Rego policies to wasm (needs the OPA CLI)
  policy test                          run the Rego unit tests of every shipped policy (opa test)
  policy eval --policy F --input F     evaluate a policy (.rego, .wasm or bundle) on an input document
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
      default:
        out(USAGE);
        return command === undefined || command === "help" || command === "--help" ? 0 : 2;
    }
  } catch (error) {
    process.stderr.write(`kubernaut: ${(error as Error).message}\n`);
    return 1;
  }
}
