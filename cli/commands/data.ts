import { Option, type Command } from 'commander';
import { runDataExport, runDataImport, runDataLabelSim, type LabelChoice } from '../../fieldloop/index.js';
import { EXIT, type CliIo } from '../io.js';
import { parseUnitInterval } from '../parse.js';

/** `kestrel data export | import | label-sim`: field captures out as a YOLO dataset, corrected labels back in. */
export function registerData(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const data = program.command('data').description('field captures: export as training data, import corrected labels');

  data
    .command('export')
    .description(
      "write a capture store as a YOLO dataset (images/, labels/ with the model's predictions as pre-labels, data.yaml) plus provenance.jsonl",
    )
    .requiredOption('-s, --store <db>', 'capture store (SQLite), e.g. .kestrel/captures.sqlite')
    .requiredOption('-o, --out <dir>', 'dataset folder to write (must not hold a dataset yet)')
    .option('--split <name>', 'split folder to write the images into', 'train')
    .addOption(
      new Option(
        '--labels <choice>',
        'auto: corrected where imported, else the model; model: always the model; corrected: only corrected frames',
      )
        .choices(['auto', 'model', 'corrected'])
        .default('auto'),
    )
    .option('--min-score <score>', 'leave out pre-labels below this score, 0..1', parseUnitInterval, 0)
    .option('--trigger-frames-only', 'only the frame that triggered each capture, not the frames around it')
    .option('--json', 'print one JSON object')
    .action(
      async (opts: {
        store: string;
        out: string;
        split: string;
        labels: LabelChoice;
        minScore: number;
        triggerFramesOnly?: boolean;
        json?: boolean;
      }) => {
        const r = await runDataExport({
          store: opts.store,
          out: opts.out,
          split: opts.split,
          labels: opts.labels,
          minScore: opts.minScore,
          triggerFramesOnly: opts.triggerFramesOnly === true,
          json: opts.json === true,
        });
        io.out(r.text);
        setExit(EXIT.ok);
      },
    );

  data
    .command('import')
    .description(
      'store corrected YOLO labels (files named like the export, c<capture>-f<frame>.txt) beside the pre-labels',
    )
    .requiredOption('-s, --store <db>', 'capture store (SQLite)')
    .requiredOption('-l, --labels <dir>', 'folder of corrected label files (searched recursively)')
    .option('--json', 'print one JSON object')
    .action(async (opts: { store: string; labels: string; json?: boolean }) => {
      const r = await runDataImport({ store: opts.store, labels: opts.labels, json: opts.json === true });
      io.out(r.text);
      setExit(EXIT.ok);
    });

  data
    .command('label-sim')
    .description(
      "label captured frames from the simulator's ground truth (the mission's simulation.labelLog); pre-labels are kept",
    )
    .requiredOption('-s, --store <db>', 'capture store (SQLite)')
    .requiredOption('-t, --truth <file>', 'sim label log (JSONL) written by the same run')
    .option('--json', 'print one JSON object')
    .action(async (opts: { store: string; truth: string; json?: boolean }) => {
      const r = await runDataLabelSim({ store: opts.store, truth: opts.truth, json: opts.json === true });
      io.out(r.text);
      setExit(EXIT.ok);
    });
}
