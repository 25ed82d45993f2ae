import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { IssuePath } from '../runtime/index.js';
import { toMissionIssues } from './issues.js';
import { MissionError, type MissionIssue } from './mission-error.js';
import { missionSchema, type Mission } from './schema/mission.js';

export interface LoadedMission {
  readonly mission: Mission;
  /** Absolute path of the file, when loaded from one. */
  readonly file: string | undefined;
  /** Directory that relative paths in the mission (models, bags, scenarios) are resolved against. */
  readonly baseDir: string;
}

export interface ParseOptions {
  /** Shown in errors; also picks JSON or YAML by extension (YAML also reads JSON). */
  readonly file?: string;
  readonly baseDir?: string;
}

/**
 * Parses mission text (YAML or JSON). Throws `MissionError` listing every
 * problem with its path and, for YAML, its line and column.
 */
export function parseMission(text: string, options: ParseOptions = {}): LoadedMission {
  const lines = new LineCounter();
  // uniqueKeys: a key given twice is an error, not a silent override.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const issues: MissionIssue[] = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return {
        code: 'syntax',
        path: [],
        // yaml appends " at line L, column C:" and a source excerpt; we report the position separately.
        message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
        ...(pos === undefined ? {} : { line: pos.line, column: pos.col }),
      };
    });
    throw new MissionError(
      'mission.syntax',
      summary('is not valid YAML/JSON', issues, options.file),
      issues,
      options.file,
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const result = missionSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    const issues = toMissionIssues(result.error.issues)
      .map((i) => locate(i, doc, lines))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new MissionError(
      'mission.invalid',
      summary('is not a valid mission', issues, options.file),
      issues,
      options.file,
    );
  }
  const baseDir = options.baseDir ?? (options.file === undefined ? process.cwd() : dirname(resolve(options.file)));
  return { mission: result.data, file: options.file === undefined ? undefined : resolve(options.file), baseDir };
}

/** Reads and parses a mission file. */
export async function loadMissionFile(file: string): Promise<LoadedMission> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MissionError('mission.read_failed', `cannot read mission file ${file}: ${reason}`, [], file, error);
  }
  const ext = extname(file).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(ext)) {
    throw new MissionError('mission.read_failed', `mission file ${file} must end in .yaml, .yml or .json`, [], file);
  }
  return parseMission(text, { file });
}

function summary(what: string, issues: readonly MissionIssue[], file: string | undefined): string {
  const n = issues.length;
  return `${file ?? 'mission'} ${what} (${n} problem${n === 1 ? '' : 's'})`;
}

/** Finds the line of the deepest node that exists on the issue's path. */
function locate(issue: MissionIssue, doc: Document, lines: LineCounter): MissionIssue {
  const path: IssuePath = issue.path;
  for (let len = path.length; len >= 0; len--) {
    const node = doc.getIn(path.slice(0, len), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      const pos = lines.linePos(node.range[0]);
      return { ...issue, line: pos.line, column: pos.col };
    }
  }
  return issue;
}
