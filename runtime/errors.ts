/**
 * Errors are data. Every Kestrel error carries a stable dotted `code`
 * (`mission.invalid`, `bus.type_conflict`) that callers and tests match on,
 * and an optional list of issues, each naming the path of the field at fault.
 *
 * Codes are API: add new ones, never rename one.
 */

/** A path into a document: `guardrails.geofence[2]` is `['guardrails', 'geofence', 2]`. */
export type IssuePath = readonly (string | number)[];

export interface KestrelIssue {
  /** Stable machine-readable code, for example `too_small` or `unrecognized_keys`. */
  readonly code: string;
  readonly path: IssuePath;
  readonly message: string;
}

export interface KestrelErrorOptions {
  readonly issues?: readonly KestrelIssue[];
  readonly cause?: unknown;
}

export class KestrelError extends Error {
  readonly code: string;
  readonly issues: readonly KestrelIssue[];

  constructor(code: string, message: string, options: KestrelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.issues = options.issues ?? [];
  }

  /** Plain-object form for `--json` output and telemetry. */
  toJSON(): { name: string; code: string; message: string; issues: readonly KestrelIssue[] } {
    return { name: this.name, code: this.code, message: this.message, issues: this.issues };
  }
}

/** Renders `['guardrails', 'geofence', 2, 'points']` as `guardrails.geofence[2].points`. */
export function formatPath(path: IssuePath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(root)' : out;
}

/** One line per issue: `guardrails.geofence[2]: polygon needs at least 3 points`. */
export function formatIssues(issues: readonly KestrelIssue[]): string {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('\n');
}

export function isKestrelError(value: unknown): value is KestrelError {
  return value instanceof KestrelError;
}
