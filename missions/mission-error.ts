import { KestrelError, type KestrelIssue } from '../runtime/index.js';

/** An issue located in the mission file: 1-based line and column where known. */
export interface MissionIssue extends KestrelIssue {
  readonly line?: number;
  readonly column?: number;
}

/**
 * Codes:
 * - `mission.read_failed`: the file could not be read.
 * - `mission.syntax`: not valid YAML/JSON.
 * - `mission.invalid`: parsed, but does not match the schema; `issues` lists every problem.
 */
export class MissionError extends KestrelError {
  declare readonly issues: readonly MissionIssue[];
  readonly file: string | undefined;

  constructor(code: string, message: string, issues: readonly MissionIssue[], file?: string, cause?: unknown) {
    super(code, message, { issues, cause });
    this.file = file;
  }
}
