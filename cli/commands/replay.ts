import { InvalidArgumentError, Option, type Command } from 'commander';
import { mapRecordedSensors, openBag, relayBatteryState, runReplay, type ReplayResult } from '../../hardware/index.js';
import { loadMissionFile, type LoadedMission } from '../../missions/index.js';
import { createLogger, type LogLevel } from '../../runtime/index.js';
import { createRuntime } from '../../index.js';
import { EXIT, type CliIo } from '../io.js';
import { parsePositiveNumber } from '../parse.js';

interface ReplayCliOptions {
  readonly mission: string;
  readonly speed: number;
  readonly loop?: boolean;
  readonly duration?: number;
  readonly maxGap: number;
  readonly record?: string;
  readonly json?: boolean;
  readonly logLevel?: LogLevel;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** `--speed 2`, `--speed 2x` (as `ros2 bag play --rate` users write it) or `--speed max`. */
function parseReplaySpeed(value: string): number {
  if (value === 'max') return Infinity;
  const n = Number(value.endsWith('x') ? value.slice(0, -1) : value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a factor > 0 (2, 2x) or max, got "${value}"`);
  return n;
}

/** `kestrel replay <bag> --mission <file>`: a recorded bag through the mission's pipeline, in bag time. */
export function registerReplay(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('replay')
    .description(
      "feed a rosbag2 bag's topics through a mission (perception, fusion, behavior, guard; dry-run actuator) and summarise what it produced",
    )
    .argument('<bag>', 'an .mcap or .db3 file, or a bag folder holding one')
    .requiredOption('-m, --mission <file>', "mission whose ros2 sensor topics name the bag's topics")
    .option(
      '-s, --speed <factor>',
      'bag seconds per wall second: 2, 2x, or max; the outputs are the same at every speed',
      parseReplaySpeed,
      1,
    )
    .option('--loop', 'start again at the end of the bag (stop with --duration or Ctrl-C)')
    .option('-d, --duration <seconds>', 'stop after this many seconds of bag time', parsePositiveNumber)
    .option('--max-gap <seconds>', 'cut silences in the bag longer than this', parsePositiveNumber, 1)
    .option('--record <out.mcap>', 'write the inputs and what Kestrel produced (detections, pose, decisions) to MCAP')
    .option('--json', 'print the summary as one JSON object on stdout')
    .addOption(new Option('-l, --log-level <level>', 'log level (default warn)').choices(LOG_LEVELS))
    .action(async (bag: string, opts: ReplayCliOptions) => {
      setExit(await replay(bag, opts, io));
    });
}

async function replay(bag: string, opts: ReplayCliOptions, io: CliIo): Promise<number> {
  if (opts.loop === true && opts.duration === undefined && !io.interactive) {
    io.err('replay: --loop without --duration runs until Ctrl-C; give --duration when not at a terminal\n');
    return EXIT.usage;
  }
  const mission = await loadMissionFile(opts.mission);
  const loaded = await recordedSensorsMapped(mission, bag);
  const recorded = loaded !== mission;
  // Replays are for reading results: only warnings by default, whatever the mission asks of a live run.
  const logger = createLogger({ level: opts.logLevel ?? 'warn', format: 'json' });
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => abort.abort(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runReplay({
      loaded,
      bagPath: bag,
      createRuntime,
      speed: opts.speed,
      loop: opts.loop === true,
      maxGapMs: opts.maxGap * 1000,
      logger,
      signal: abort.signal,
      ...(opts.duration === undefined ? {} : { durationMs: opts.duration * 1000 }),
      ...(opts.record === undefined ? {} : { recordPath: opts.record }),
      // A replayed battery sensor feeds the guard's battery reserve as the simulator's does.
      ...(recorded ? { onRuntime: (rt) => void relayBatteryState(rt.bus, rt.mission) } : {}),
    });
    if (opts.json === true) io.out(`${JSON.stringify({ ok: true, ...result })}\n`);
    else io.out(render(result));
    return result.health.components.some((c) => c.state === 'failed') ? EXIT.failed : EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    logger.flush();
  }
}

/**
 * A bag written by `kestrel run --record` holds the mission's sensors on
 * `/kestrel/sensors/<id>`: the mission's sim (and local camera) sensors read
 * those topics, so the recording replays through the mission that made it.
 */
async function recordedSensorsMapped(loaded: LoadedMission, bag: string): Promise<LoadedMission> {
  const reader = await openBag(bag);
  try {
    const mission = mapRecordedSensors(
      loaded.mission,
      reader.info.topics.map((t) => t.name),
    );
    return mission === loaded.mission ? loaded : { ...loaded, mission };
  } finally {
    await reader.close();
  }
}

function render(r: ReplayResult): string {
  const lines = [
    `replayed ${r.bag} (${r.storage}) through mission ${r.mission}: ${r.reason}`,
    `  bag time ${r.replayS.toFixed(2)} s in ${r.wallS.toFixed(2)} s wall${r.passes > 1 ? `, ${r.passes} passes` : ''}`,
    '  sensor       topic                          published  rejected',
  ];
  for (const [id, s] of Object.entries(r.sensors)) {
    const rejected = Object.entries(s.rejected)
      .map(([code, n]) => `${n} ${code}`)
      .join(', ');
    lines.push(`  ${id.padEnd(12)} ${s.topic.padEnd(30)} ${String(s.published).padStart(9)}  ${rejected || '0'}`);
  }
  for (const u of r.unmapped) lines.push(`  ${u.sensorId.padEnd(12)} not replayed: ${u.reason}`);
  const classes = Object.entries(r.detections.byClass)
    .map(([c, n]) => `${n} ${c}`)
    .join(', ');
  lines.push(
    `  detections: ${r.detections.total} in ${r.detections.frames} frames${classes === '' ? '' : ` (${classes})`}`,
    `  guard: ${r.decisions.allow} allowed, ${r.decisions.modify} modified, ${r.decisions.deny} denied`,
  );
  for (const [code, n] of Object.entries(r.decisions.byCode)) lines.push(`    ${n} x ${code}`);
  const last = r.poses.last;
  lines.push(
    `  poses: ${r.poses.count}${last === undefined ? '' : `, last (${last.x.toFixed(2)}, ${last.y.toFixed(2)}, ${last.z.toFixed(2)}) m`}`,
  );
  if (r.recorded !== undefined) lines.push(`  recorded ${r.recorded.messages} messages to ${r.recorded.path}`);
  for (const c of r.health.components.filter((h) => h.state === 'failed'))
    lines.push(`  ${c.component}: failed${c.reason === undefined ? '' : ` (${c.reason})`}`);
  return `${lines.join('\n')}\n`;
}
