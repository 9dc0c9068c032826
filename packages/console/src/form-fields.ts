/** A submitted form's text field; absent, or a file where text was expected, reads as empty. */
export function formText(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}
