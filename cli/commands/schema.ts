import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { missionJsonSchema } from '../../missions/index.js';
import { EXIT, type CliIo } from '../io.js';

/** `kestrel schema`: the mission JSON Schema, for editors that check YAML as operators type. */
export function registerSchema(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('schema')
    .description('print the mission JSON Schema (draft 2020-12) for editors')
    .option('-o, --out <file>', 'write it to a file instead of stdout')
    .action(async (opts: { out?: string }) => {
      const text = `${JSON.stringify(missionJsonSchema(), null, 2)}\n`;
      if (opts.out === undefined) io.out(text);
      else {
        await writeFile(opts.out, text);
        io.err(`wrote ${opts.out}\n`);
      }
      setExit(EXIT.ok);
    });
}
