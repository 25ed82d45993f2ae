import { InvalidArgumentError, Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { KestrelError } from '../../runtime/index.js';
import {
  builtinScenarioNames,
  loadScenario,
  writeDataset,
  type DatasetImageFormat,
  type DatasetView,
} from '../../sim/index.js';
import { EXIT, type CliIo } from '../io.js';
import { progressStream } from '../progress-stream.js';
import { parseUnitInterval } from '../parse.js';
import { reportError } from '../render-error.js';

interface DatasetCliOptions {
  readonly scenario: string;
  readonly out: string;
  readonly frames: number;
  readonly seed: number;
  readonly splitVal: number;
  readonly width: number;
  readonly height: number;
  readonly view: DatasetView;
  readonly format: DatasetImageFormat;
  readonly json?: boolean;
}

function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer in ${min}..${max}, got "${value}"`);
    return n;
  };
}

/** `kestrel sim dataset`: export labelled simulator frames for training. */
export function registerSim(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const sim = program.command('sim').description('simulator tools');
  sim
    .command('dataset')
    .description('render labelled frames from a scenario and write a YOLO-format dataset (images/, labels/, data.yaml)')
    .requiredOption('-s, --scenario <name>', `built-in scenario (${builtinScenarioNames.join(', ')}) or scenario file`)
    .requiredOption('-o, --out <dir>', 'dataset directory (created if missing)')
    .option('-n, --frames <count>', 'frames to render', integerIn(1, 1_000_000), 2000)
    .option('--seed <seed>', 'random seed: same seed, same dataset', integerIn(-2147483648, 2147483647), 1)
    .option('--split-val <fraction>', 'fraction of frames for the validation split, 0..1', parseUnitInterval, 0.2)
    .option('--width <px>', 'image width, pixels', integerIn(32, 4096), 640)
    .option('--height <px>', 'image height, pixels', integerIn(32, 4096), 480)
    .addOption(
      new Option('--view <view>', "camera: 'down' (drone, 15-70 m) or 'forward' (ground robot)")
        .choices(['down', 'forward'])
        .default('down'),
    )
    .addOption(new Option('--format <format>', 'image format').choices(['jpg', 'png']).default('jpg'))
    .option('--json', 'print one JSON object with the dataset summary')
    .action(async (opts: DatasetCliOptions) => {
      const json = opts.json === true;
      let scenario;
      try {
        scenario = await loadScenario(opts.scenario);
      } catch (error) {
        // An unknown scenario is a usage error: say so once and exit 2.
        if (!(error instanceof KestrelError)) throw error;
        reportError(io, error, json);
        setExit(EXIT.usage);
        return;
      }
      const bar = new SingleBar({
        stream: progressStream(io),
        format: 'rendering [{bar}] {percentage}% | {value}/{total} frames | eta {eta_formatted}',
        noTTYOutput: !io.interactive,
        notTTYSchedule: 5000,
        hideCursor: io.interactive,
      });
      bar.start(opts.frames, 0);
      let summary;
      try {
        summary = await writeDataset({
          scenario,
          frames: opts.frames,
          seed: opts.seed,
          valFraction: opts.splitVal,
          width: opts.width,
          height: opts.height,
          view: opts.view,
          format: opts.format,
          outDir: opts.out,
          onProgress: (done) => bar.update(done),
        });
      } finally {
        bar.stop();
      }
      if (json) io.out(`${JSON.stringify({ ok: true, ...summary })}\n`);
      else {
        const objects = Object.entries(summary.objects)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ');
        io.out(
          `wrote ${summary.frames.train} train + ${summary.frames.val} val frames to ${summary.outDir} ` +
            `(${objects}; ${summary.empty} without objects)\n`,
        );
      }
      setExit(EXIT.ok);
    });
}
