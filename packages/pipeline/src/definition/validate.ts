import aslValidator from "asl-validator";

/**
 * Validates a definition as the Step Functions service would (schema, transitions, paths, ARNs). It
 * works on a copy because the validator writes default `QueryLanguage` fields into what it is given.
 */
export function validateDefinition(definition: object): string[] {
  const { isValid, errors } = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
  return isValid ? [] : errors.map((error) => `${error.path ?? ""} ${error.Message}`.trim());
}
