import type { Command } from 'commander';
import { loadMissionFile, MissionError, renderIssue } from '../../missions/index.js';
import { EXIT, type CliIo } from '../io.js';
import { errorToJson } from '../render-error.js';

interface FileResult {
  readonly file: string;
  readonly valid: boolean;
  readonly mission?: {
    readonly id: string;
    readonly version: string;
    readonly platform: string;
    readonly behavior: string;
  };
  readonly error?: Record<string, unknown>;
}

/** `kestrel validate <file...>`: every problem in every file, with its path and line. */
export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('check mission files against the schema; print every problem with its path and line')
    .argument('<files...>', 'mission files (.yaml, .yml, .json)')
    .option('--json', 'print one JSON object with the result of every file')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const results: FileResult[] = [];
      for (const file of files) results.push(await validateOne(file));
      const allValid = results.every((r) => r.valid);
      if (opts.json === true) {
        io.out(`${JSON.stringify({ ok: allValid, files: results })}\n`);
      } else {
        for (const r of results) printResult(io, r, files.length > 1);
      }
      setExit(allValid ? EXIT.ok : EXIT.failed);
    });

  async function validateOne(file: string): Promise<FileResult> {
    try {
      const { mission } = await loadMissionFile(file);
      return {
        file,
        valid: true,
        mission: {
          id: mission.mission.id,
          version: mission.mission.version,
          platform: mission.platform.kind,
          behavior: mission.behavior.kind,
        },
      };
    } catch (error) {
      if (!(error instanceof MissionError)) throw error;
      return { file, valid: false, error: errorToJson(error) };
    }
  }
}

function printResult(io: CliIo, r: FileResult, many: boolean): void {
  if (r.valid && r.mission !== undefined) {
    const m = r.mission;
    io.out(`ok ${r.file}: mission ${m.id} ${m.version} (${m.platform}, ${m.behavior})\n`);
    return;
  }
  const issues = (r.error?.issues ?? []) as Parameters<typeof renderIssue>[0][];
  io.err(`invalid ${r.file}: ${typeof r.error?.message === 'string' ? r.error.message : ''}\n`);
  for (const issue of issues) io.err(`  ${renderIssue(issue, r.file)}\n`);
  if (many) io.err('\n');
}
