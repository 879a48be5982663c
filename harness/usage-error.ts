/** An error the user can fix; printed as one line, without a stack trace. */
export class UsageError extends Error {
  override name = "UsageError";
}
