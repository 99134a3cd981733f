// What a CLI command may touch: its output streams and environment. Tests pass their own.
export interface CliIO {
  stdout: { write(text: string): unknown };
  /** isTTY: progress is drawn as one line rewritten in place (else printed every tenth of the way). */
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** The exit code of a command cancelled by Ctrl-C (SIGINT) or SIGTERM. */
export const EXIT_CANCELLED = 130;

/** An error whose message is printed as one line on stderr, with the given exit code. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
