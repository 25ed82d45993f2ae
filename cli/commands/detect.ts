import { Option, type Command } from 'commander';
import { runDetect } from '../../perception/index.js';
import { createLogger, type LogLevel } from '../../runtime/index.js';
import { EXIT, type CliIo } from '../io.js';
import { parseUnitInterval } from '../parse.js';

interface DetectOptions {
  readonly model: string;
  readonly json?: boolean;
  readonly score?: number;
  readonly out?: string;
  readonly logLevel?: LogLevel;
}

/** `kestrel detect <image...> --model <file|manifest>`: run a detector on still images. */
export function registerDetect(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('detect')
    .description(
      'run a detection model on images and print the boxes (ONNX or TF.js model.json, with a manifest or bare, e.g. an Ultralytics export)',
    )
    .argument('<images...>', 'image files (JPEG, PNG, WebP)')
    .requiredOption('-m, --model <file>', 'model file (.onnx, TF.js model.json) or model manifest (.yaml/.json)')
    .option('--score <threshold>', "minimum score, 0..1 (default: the manifest's)", parseUnitInterval)
    .option('--json', 'print one JSON object with the model and every detection')
    .option(
      '-o, --out <file>',
      'also write the image with boxes and labels drawn (.png/.jpg/.webp); several images: <name>-1.png, <name>-2.png… in argument order',
    )
    .addOption(
      new Option('-l, --log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
        .default('warn'),
    )
    .action(async (images: string[], opts: DetectOptions) => {
      const logger = createLogger({ level: opts.logLevel ?? 'warn' });
      const result = await runDetect({
        model: opts.model,
        image: images,
        json: opts.json === true,
        logger,
        ...(opts.score === undefined ? {} : { scoreThreshold: opts.score }),
        ...(opts.out === undefined ? {} : { out: opts.out }),
      });
      io.out(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
      setExit(EXIT.ok);
    });
}
