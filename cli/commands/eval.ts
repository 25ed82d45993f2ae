import { InvalidArgumentError, Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { badSizeEdges, EvalDatasetError, runEval } from '../../perception/index.js';
import { createLogger, type LogLevel } from '../../runtime/index.js';
import { EXIT, type CliIo } from '../io.js';
import { progressStream } from '../progress-stream.js';
import { reportError } from '../render-error.js';

interface EvalCliOptions {
  readonly model: string;
  readonly data: string;
  readonly split: string;
  readonly limit?: number;
  readonly bySize?: readonly number[];
  readonly json?: boolean;
  readonly logLevel?: LogLevel;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected an integer >= 1, got "${value}"`);
  return n;
}

/** "3,4,8,16": bucket edges in pixels, positive and strictly increasing. */
function sizeEdges(value: string): number[] {
  const edges = value.split(',').map((t) => Number(t.trim()));
  if (value.trim() === '' || badSizeEdges(edges))
    throw new InvalidArgumentError(
      `expected pixel sizes, positive and increasing, separated by commas (e.g. 3,4,8,16), got "${value}"`,
    );
  return edges;
}

/** `kestrel eval --model <file|manifest> --data <dir>`: precision, recall and COCO mAP on a labelled split. */
export function registerEval(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('eval')
    .description(
      'score a detection model on a labelled YOLO-format split: precision, recall, mAP@0.5 and mAP@0.5:0.95 per class',
    )
    .requiredOption('-m, --model <file>', 'model file (.onnx) or model manifest (.yaml/.json)')
    .requiredOption('-d, --data <dir>', 'YOLO dataset folder (data.yaml, images/<split>, labels/<split>)')
    .option('--split <name>', 'split to evaluate', 'val')
    .option('--limit <count>', 'evaluate only the first N images (file-name order)', positiveInteger)
    .option(
      '--by-size <edges>',
      'also report per class by object size: bucket edges on the box longer side in pixels, e.g. 3,4,8,16 ' +
        '(AP50, recall, found, mean size error per bucket)',
      sizeEdges,
    )
    .option('--json', 'print one JSON object with the model, the data and every metric')
    .addOption(
      new Option('-l, --log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
        .default('warn'),
    )
    .action(async (opts: EvalCliOptions) => {
      const logger = createLogger({ level: opts.logLevel ?? 'warn' });
      const bar = new SingleBar({
        stream: progressStream(io),
        format: 'evaluating [{bar}] {percentage}% | {value}/{total} images | eta {eta_formatted}',
        noTTYOutput: false,
        hideCursor: io.interactive,
      });
      // Set inside the progress callback: the bar starts when the first image is scored.
      const progress = { started: false };
      try {
        const result = await runEval({
          model: opts.model,
          data: opts.data,
          split: opts.split,
          json: opts.json === true,
          logger,
          ...(opts.limit === undefined ? {} : { limit: opts.limit }),
          ...(opts.bySize === undefined ? {} : { sizeEdgesPx: opts.bySize }),
          onProgress: (done, total) => {
            if (!progress.started) {
              bar.start(total, 0);
              progress.started = true;
            }
            bar.update(done);
          },
        });
        if (progress.started) bar.stop();
        progress.started = false;
        io.out(result.text);
        setExit(EXIT.ok);
      } catch (error) {
        // A --data folder that is not a YOLO dataset is a usage error (exit 2), like a bad flag.
        if (!(error instanceof EvalDatasetError)) throw error;
        if (progress.started) bar.stop();
        progress.started = false;
        reportError(io, error, opts.json === true);
        setExit(EXIT.usage);
      } finally {
        if (progress.started) bar.stop();
      }
    });
}
