/**
 * `npm run setup:opa`: installs the pinned OPA CLI into .kubernaut/bin with `go install` (the Go module
 * proxy serves it), unless a matching one is already there. Says plainly what is missing otherwise.
 */
import { findOpa, installOpa, OPA_VERSION, OpaUnavailableError } from "@kubernaut/policy";

const existing = findOpa();
if (existing) {
  process.stdout.write(`OPA ${OPA_VERSION}: ${existing}\n`);
} else {
  try {
    const installed = await installOpa((line) => process.stdout.write(`${line}\n`));
    process.stdout.write(`OPA ${OPA_VERSION}: ${installed}\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(error instanceof OpaUnavailableError ? 3 : 1);
  }
}
