import { describe, expect, it, vi } from "vitest";
import { JavaMissingError, startDynamoDbLocal } from "./dynamodb-local";

describe("startDynamoDbLocal", () => {
  it("says plainly that Java is missing, and how to install it", async () => {
    // Prepare: a PATH on which no `java` can be found.
    vi.stubEnv("PATH", "/nonexistent");
    // Act / Assess
    const error = await startDynamoDbLocal().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JavaMissingError);
    expect((error as Error).message).toMatch(/apt-get install -y openjdk-17-jre-headless/);
  });
});
