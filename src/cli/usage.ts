// The error for a malformed command line (exit status 2), apart so that every CLI module can
// raise it without importing the parser.

/** A malformed command line: reported on stderr with the usage line, exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
