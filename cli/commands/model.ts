import { InvalidArgumentError, Option, type Command } from 'commander';
import { builtinPlugins } from '../../index.js';
import {
  PROMOTION_METRICS,
  PromotionRefusedError,
  flyMission,
  renderComparison,
  renderFlights,
  runKeygen,
  runPromote,
  runRollback,
  runSign,
  runVerify,
  type FlightProfile,
  type FlightRunner,
  type PromotionMetric,
} from '../../fieldloop/index.js';
import { loadMissionFile } from '../../missions/index.js';
import { createLogger } from '../../runtime/index.js';
import { EXIT, type CliIo } from '../io.js';
import { parseUnitInterval } from '../parse.js';

function nonNegativeFraction(value: string): number {
  return parseUnitInterval(value);
}

function seedList(value: string): number[] {
  const seeds = value.split(',').map((v) => Number(v.trim()));
  if (seeds.length === 0 || seeds.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new InvalidArgumentError(`--seeds: expected non-negative integers separated by commas, got "${value}"`);
  }
  return seeds;
}

/** Flies `missionFile` with a model swapped in, with the SDK's built-in plugins. */
async function missionFlights(missionFile: string, profile: FlightProfile): Promise<FlightRunner> {
  const loaded = await loadMissionFile(missionFile);
  return (manifest, seed) =>
    flyMission(loaded, { seed, profile, plugins: builtinPlugins(), ...(manifest === undefined ? {} : { manifest }) });
}

/**
 * `kestrel model keygen | sign | verify | promote | rollback`: signed models,
 * and a registry that promotes a candidate only when it measurably wins.
 * Refusals exit 1 with the error's code; --json prints one object either way.
 */
export function registerModel(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const model = program.command('model').description('sign, verify, promote and roll back detection models');

  model
    .command('keygen')
    .description('write a new Ed25519 signing key (PKCS#8 PEM) and print the mission lines that trust it')
    .requiredOption('-o, --out <file>', 'private key file to write (mode 0600)')
    .option('--json', 'print one JSON object')
    .action(async (opts: { out: string; json?: boolean }) => {
      io.out((await runKeygen({ out: opts.out, json: opts.json === true })).text);
      setExit(EXIT.ok);
    });

  model
    .command('sign')
    .description('sign a model manifest and its model file hash with an Ed25519 key: writes <manifest>.sig')
    .argument('<manifest>', 'model manifest (.yaml/.json)')
    .requiredOption('-k, --key <pem>', 'Ed25519 private key (PKCS#8 PEM)')
    .option('--key-id <id>', 'key id the signature names (default ed25519:<fingerprint>)')
    .option('--json', 'print one JSON object')
    .action(async (manifest: string, opts: { key: string; keyId?: string; json?: boolean }) => {
      const r = await runSign({
        manifest,
        key: opts.key,
        json: opts.json === true,
        ...(opts.keyId === undefined ? {} : { keyId: opts.keyId }),
      });
      io.out(r.text);
      setExit(EXIT.ok);
    });

  model
    .command('verify')
    .description(
      "verify a manifest's signature, manifest and model hashes (against the mission's trusted signers with --mission)",
    )
    .argument('[manifest]', 'model manifest; default: every manifest-file model of --mission')
    .option('-m, --mission <file>', 'mission whose modelTrust.trustedSigners decide whom to trust')
    .option('--json', 'print one JSON object')
    .action(async (manifest: string | undefined, opts: { mission?: string; json?: boolean }) => {
      if (manifest === undefined && opts.mission === undefined) {
        io.err('error: give a manifest, a --mission, or both\n(run with --help for usage)\n');
        setExit(EXIT.usage);
        return;
      }
      const r = await runVerify({
        json: opts.json === true,
        ...(manifest === undefined ? {} : { manifest }),
        ...(opts.mission === undefined ? {} : { mission: opts.mission }),
      });
      io.out(r.text);
      setExit(EXIT.ok);
    });

  model
    .command('promote')
    .description(
      'score candidate and current on the same split; promote the candidate (signed) into the registry only if it wins on the metric and no class regresses beyond the tolerance',
    )
    .requiredOption('-c, --candidate <manifest>', 'candidate model manifest (or model file)')
    .option('--current <manifest>', "current model manifest (default: the registry's current.yaml)")
    .requiredOption('-d, --data <dir>', 'YOLO dataset both are scored on')
    .option('--split <name>', 'split to score', 'val')
    .addOption(
      new Option('--metric <metric>', 'metric the candidate must win on')
        .choices([...PROMOTION_METRICS])
        .default('map50'),
    )
    .option('--tolerance <value>', 'largest loss any one class may take on the metric, 0..1', nonNegativeFraction, 0.02)
    .option('--min-gain <value>', 'the candidate must win by more than this, 0..1', nonNegativeFraction, 0)
    .option(
      '--guard <dir>',
      'another YOLO dataset (same split) on which no class may lose more than the tolerance, e.g. the original scenario (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option(
      '--fly <mission>',
      'after the dataset checks, fly this simulated mission with the current and the candidate model; refuse a candidate that leaves more fires burning, puts fewer out, fails to complete, or breaks a guardrail on any seed',
    )
    .option('--seeds <list>', 'seeds to fly, comma separated', seedList, [7, 11, 23])
    .addOption(
      new Option(
        '--fly-profile <profile>',
        'mission: cameras as written; fast: cameras and detectors at 2.5 Hz, as the CI scenario suite',
      )
        .choices(['mission', 'fast'])
        .default('mission'),
    )
    .requiredOption('-k, --key <pem>', 'Ed25519 private key that signs the promoted manifest')
    .option('--key-id <id>', 'key id the signature names (default ed25519:<fingerprint>)')
    .requiredOption('-r, --registry <dir>', 'model registry folder (created if missing)')
    .option('--json', 'print one JSON object')
    .action(
      async (opts: {
        fly?: string;
        seeds: number[];
        flyProfile: FlightProfile;
        candidate: string;
        current?: string;
        data: string;
        split: string;
        metric: PromotionMetric;
        tolerance: number;
        minGain: number;
        guard: string[];
        key: string;
        keyId?: string;
        registry: string;
        json?: boolean;
      }) => {
        try {
          const r = await runPromote({
            candidate: opts.candidate,
            data: opts.data,
            split: opts.split,
            metric: opts.metric,
            tolerance: opts.tolerance,
            minGain: opts.minGain,
            guards: opts.guard,
            key: opts.key,
            registry: opts.registry,
            json: opts.json === true,
            logger: createLogger({ level: 'warn' }),
            ...(opts.current === undefined ? {} : { current: opts.current }),
            ...(opts.keyId === undefined ? {} : { keyId: opts.keyId }),
            ...(opts.fly === undefined
              ? {}
              : { flights: { runner: await missionFlights(opts.fly, opts.flyProfile), seeds: opts.seeds } }),
          });
          io.out(r.text);
          setExit(EXIT.ok);
        } catch (error) {
          // The per-class table first, then the one-line refusal (reportError).
          if (error instanceof PromotionRefusedError && opts.json !== true) {
            io.out(renderComparison(error.comparison));
            if (error.flights !== undefined) io.out(renderFlights(error.flights));
          }
          throw error;
        }
      },
    );

  model
    .command('rollback')
    .description('return the registry to the model promoted before the current one')
    .requiredOption('-r, --registry <dir>', 'model registry folder')
    .option('--json', 'print one JSON object')
    .action(async (opts: { registry: string; json?: boolean }) => {
      io.out((await runRollback({ registry: opts.registry, json: opts.json === true })).text);
      setExit(EXIT.ok);
    });
}
