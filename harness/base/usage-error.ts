/** An error the user can fix; printed as one line, without a stack trace. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Exits with status 2 after one line, `<who>: <message>`, when `error` is a UsageError (bad input
 * that names its fix); rethrows anything else, which is a bug worth its stack trace.
 */
export function exitOnUsageError(error: unknown, who = "crud-conformance"): never {
  if (!(error instanceof UsageError)) throw error;
  console.error(`\n${who}: ${error.message}\n`);
  process.exit(2);
}
