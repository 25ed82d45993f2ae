import { KestrelError, formatPath } from '../runtime/index.js';
import { MissionError, renderIssue } from '../missions/index.js';
import type { CliIo } from './io.js';

/**
 * One clear message per failure, never a stack trace: the operator sees what
 * is wrong and where. `--json` callers get the error as an object on stdout.
 */
export function reportError(io: CliIo, error: unknown, json: boolean): void {
  if (json) {
    io.out(`${JSON.stringify({ ok: false, error: errorToJson(error) })}\n`);
    return;
  }
  if (error instanceof MissionError) {
    io.err(`error: ${error.message}\n`);
    for (const issue of error.issues) io.err(`  ${renderIssue(issue, error.file)}\n`);
    return;
  }
  if (error instanceof KestrelError) {
    io.err(`error [${error.code}]: ${error.message}\n`);
    for (const issue of error.issues) io.err(`  ${formatPath(issue.path)}: ${issue.message}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`error: ${message}\n`);
}

export function errorToJson(error: unknown): Record<string, unknown> {
  if (error instanceof MissionError) return { ...error.toJSON(), file: error.file ?? null };
  if (error instanceof KestrelError) return error.toJSON();
  return {
    name: 'Error',
    code: 'internal',
    message: error instanceof Error ? error.message : String(error),
    issues: [],
  };
}
