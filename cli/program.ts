import { Command, CommanderError } from 'commander';
import { registerBag } from './commands/bag.js';
import { registerData } from './commands/data.js';
import { registerDetect } from './commands/detect.js';
import { registerEval } from './commands/eval.js';
import { registerGuard } from './commands/guard.js';
import { registerModel } from './commands/model.js';
import { registerReplay } from './commands/replay.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerSim } from './commands/sim.js';
import { registerTask } from './commands/task.js';
import { registerValidate } from './commands/validate.js';
import { EXIT, type CliIo } from './io.js';
import { reportError } from './render-error.js';

export const VERSION = '0.1.0';

/**
 * Runs the `kestrel` CLI on `argv` (without node and script) and returns the
 * exit code. Never throws: bad arguments and bad files give one clear message.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command()
    .name('kestrel')
    .description('Kestrel: mission-specific perception, fused state and guarded actions on the edge device.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  registerRun(program, io, setExit);
  registerValidate(program, io, setExit);
  registerSchema(program, io, setExit);
  registerBag(program, io, setExit);
  registerDetect(program, io, setExit);
  registerSim(program, io, setExit);
  registerEval(program, io, setExit);
  registerGuard(program, io, setExit);
  registerTask(program, io, setExit);
  registerReplay(program, io, setExit);
  registerModel(program, io, setExit);
  registerData(program, io, setExit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (help, version or a usage error).
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    reportError(io, error, argv.includes('--json'));
    return EXIT.failed;
  }
}
