/** Where the CLI writes. Tests pass buffers; the binary passes the process streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when a person is watching (progress lines are redrawn in place). */
  readonly interactive: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY,
};

/** Exit codes: 0 ok, 1 the work failed (invalid mission, runtime failure), 2 bad usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;
