/** `npm run demo`: the trust ladder's adoption path, played on the simulated cluster. */
import { JavaMissingError, runDemo } from "@kubernaut/local";

runDemo()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(
      `\n${error instanceof JavaMissingError ? error.message : ((error as Error).stack ?? String(error))}\n`,
    );
    process.exit(1);
  });
