import { Option, type Command } from 'commander';
import { loadMissionFile, type LoadedMission } from '../../missions/index.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createLogger,
  driveSimClock,
  eventsTopic,
  reliable,
  RunRecorder,
  SimClock,
  WallClock,
  type LogLevel,
  type Runtime,
} from '../../runtime/index.js';
import { createRuntime } from '../../index.js';
import { FileWritable, McapBagWriter, RunBagRecorder, recordedSensors } from '../../hardware/index.js';
import { EXIT, type CliIo } from '../io.js';
import { processResources } from '../process-resources.js';
import { ProgressReporter, type RunSummary } from '../progress.js';
import { writeRunMap } from '../run-map.js';
import { RunTracker } from '../run-track.js';
import { parsePositiveNumber, parseSpeed } from '../parse.js';
import { parsePort, startRunBroker, withBroker } from '../run-local-broker.js';

interface RunOptions {
  readonly duration?: number;
  readonly speed: number;
  readonly logLevel?: LogLevel;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly runDir?: string;
  readonly record?: string;
  readonly localBroker?: true | number;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** `kestrel run <mission>`: run a mission until its duration ends or Ctrl-C, then stop in order. */
export function registerRun(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('run a mission (simulated or live) until --duration or Ctrl-C; stops components in order')
    .argument('<mission>', 'mission file (.yaml, .yml, .json)')
    .option('-d, --duration <seconds>', 'stop after this many seconds of mission time', parsePositiveNumber)
    .option(
      '-s, --speed <factor>',
      'simulated seconds per wall second ("max" = as fast as possible); sim only',
      parseSpeed,
      1,
    )
    .addOption(new Option('-l, --log-level <level>', "log level (default: the mission's)").choices(LOG_LEVELS))
    .option('--json', 'print the run summary as one JSON object on stdout')
    .option('-q, --quiet', 'no status lines')
    .option(
      '--record <out.mcap>',
      'write the sensors (as /kestrel/sensors/<id>) and outputs to a rosbag2 MCAP; replay it with kestrel replay',
    )
    .option('--run-dir <dir>', 'where the run record goes (events.jsonl, summary.json). Default runs/<mission>-<time>')
    .option(
      '--local-broker [port]',
      'start a loopback mosquitto for this run (port 1883, or a free one if taken) and send telemetry to it; prints the mosquitto_sub command. Without mosquitto, telemetry stays on disk',
      parsePort,
    )
    .action(async (file: string, opts: RunOptions) => {
      setExit(await runMission(file, opts, io));
    });
}

async function runMission(file: string, opts: RunOptions, io: CliIo): Promise<number> {
  const asLoaded = await loadMissionFile(file);
  const localBroker =
    opts.localBroker === undefined ? undefined : await startRunBroker(opts.localBroker, asLoaded, { io });
  // Stopped on every way out, a forced exit included (no async work runs in an exit hook).
  const killBroker = (): void => localBroker?.kill();
  process.once('exit', killBroker);
  try {
    const loaded = localBroker === undefined ? asLoaded : withBroker(asLoaded, localBroker.url);
    return await runLoaded(loaded, opts, io);
  } finally {
    process.off('exit', killBroker);
    await localBroker?.stop();
  }
}

async function runLoaded(loaded: LoadedMission, opts: RunOptions, io: CliIo): Promise<number> {
  const mission = loaded.mission;
  const logger = createLogger({
    level: opts.logLevel ?? mission.logging.level,
    ...(mission.logging.format === 'auto' ? {} : { format: mission.logging.format }),
  });
  const runDir = opts.runDir ?? defaultRunDir(mission.mission.id);
  const recorder = new RunRecorder(runDir);
  const clock = mission.simulation === undefined ? undefined : new SimClock();
  const bagFile = opts.record === undefined ? undefined : await FileWritable.create(opts.record);
  let bag: RunBagRecorder | undefined;
  try {
    if (bagFile !== undefined) {
      bag = await RunBagRecorder.create(await McapBagWriter.create(bagFile), {
        sensors: recordedSensors(mission),
        robotId: mission.platform.id,
        clock: clock ?? new WallClock(),
        logger,
      });
    }
  } catch (error) {
    await bagFile?.close();
    throw error;
  }
  const runtime = createRuntime(loaded, {
    logger,
    observers: bag === undefined ? [recorder] : [recorder, bag],
    ...(clock === undefined ? {} : { clock }),
  });
  const progress = new ProgressReporter(runtime.bus, runtime.clock, io, opts.quiet === true || opts.json === true, () =>
    runtime.latency(),
  );
  const tracker = new RunTracker(runtime.bus);

  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) {
      io.err(`\n${signal} again: exiting without a clean stop\n`);
      process.exit(EXIT.interrupted);
    }
    io.err(`\n${signal}: stopping (press Ctrl-C again to force)\n`);
    abort.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The mission ends itself when its behavior reports completion (landed, route done).
  const done = runtime.bus.subscribe(
    eventsTopic,
    (m) => {
      if (m.data.kind === 'behavior.done' && !abort.signal.aborted) abort.abort('mission complete');
    },
    { policy: reliable(), subscriber: 'cli-run' },
  );
  try {
    await runtime.start();
    const tick = runtime.clock.setInterval(() => progress.tick(), 5000);
    const reason = await runUntilDone(runtime, opts, abort.signal);
    tick.cancel();
    await runtime.stop(reason);
    const summary = { ...progress.summary(runtime.clock instanceof SimClock), process: processResources() };
    await writeRunMap(join(runDir, 'map.png'), mission, tracker.result());
    await writeFile(
      join(runDir, 'summary.json'),
      `${JSON.stringify({ mission: mission.mission.id, reason, summary, health: runtime.health() }, null, 2)}\n`,
    );
    printSummary(io, mission.mission.id, reason, summary, runtime, opts.json === true, runDir);
    const failed = runtime.health().components.filter((c) => c.state === 'failed');
    return failed.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    done.unsubscribe();
    tracker.close();
    progress.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!runtime.bus.isClosed) await runtime.stop('error');
    await bagFile?.close();
    logger.flush();
  }
}

async function runUntilDone(runtime: Runtime, opts: RunOptions, signal: AbortSignal): Promise<string> {
  const durationMs = opts.duration === undefined ? undefined : opts.duration * 1000;
  const clock = runtime.clock;
  if (clock instanceof SimClock) {
    const stepMs = runtime.mission.simulation?.stepMs ?? 10;
    const result = await driveSimClock(clock, {
      speed: opts.speed,
      stepMs,
      signal,
      ...(durationMs === undefined ? {} : { durationMs }),
    });
    if (result === 'duration') return 'duration reached';
    return signal.reason === 'mission complete' ? 'mission complete' : `operator interrupt (${String(signal.reason)})`;
  }
  return new Promise<string>((resolve) => {
    const timer =
      durationMs === undefined ? undefined : clock.setTimeout(() => resolve('duration reached'), durationMs);
    signal.addEventListener('abort', () => {
      timer?.cancel();
      resolve(
        signal.reason === 'mission complete' ? 'mission complete' : `operator interrupt (${String(signal.reason)})`,
      );
    });
    void runtime.stopped.then((r) => resolve(r));
  });
}

function defaultRunDir(missionId: string): string {
  // The folder name is for people: wall time at the CLI edge, never inside the runtime.
  const stamp = new Date(new WallClock().nowMs()).toISOString().replace(/[:.]/g, '-');
  return join('runs', `${missionId}-${stamp}`);
}

function printSummary(
  io: CliIo,
  missionId: string,
  reason: string,
  s: RunSummary,
  runtime: Runtime,
  json: boolean,
  runDir: string,
): void {
  const health = runtime.health();
  if (json) {
    io.out(`${JSON.stringify({ ok: true, mission: missionId, reason, runDir, summary: s, health })}\n`);
    return;
  }
  io.err(`\nmission ${missionId} stopped: ${reason}\n`);
  io.err(`  ${s.simulated ? 'simulated' : 'wall'} time ${s.elapsedS.toFixed(1)} s\n`);
  if (s.lastPose !== undefined)
    io.err(`  last position (${s.lastPose.x.toFixed(1)}, ${s.lastPose.y.toFixed(1)}, ${s.lastPose.z.toFixed(1)}) m\n`);
  if (s.batteryPct !== undefined) io.err(`  battery ${s.batteryPct.toFixed(1)} %\n`);
  if (s.phase !== undefined) io.err(`  phase ${s.phase}\n`);
  const f = s.fires;
  if (f.found > 0)
    io.err(
      `  fires: ${f.found} found, ${f.suppressed} suppressed (${f.bursts} bursts), ${f.out} out, ${f.stillBurning} still burning\n`,
    );
  io.err(`  guard: ${s.decisions.allow} allowed, ${s.decisions.modify} modified, ${s.decisions.deny} denied\n`);
  for (const d of s.denials.slice(0, 5)) io.err(`    ${d.count} x ${d.code}: ${d.lastReason}\n`);
  const l = s.latency;
  if (l !== undefined && l.workMs.count > 0) {
    io.err(
      `  frame-to-decision latency over ${l.decisions} decisions: work p50 ${l.workMs.p50.toFixed(1)} ms, p99 ${l.workMs.p99.toFixed(1)} ms; frame age at decision p50 ${l.ageMs.p50.toFixed(0)} ms, p99 ${l.ageMs.p99.toFixed(0)} ms\n`,
    );
    const stages = Object.entries(l.stages)
      .map(([k, v]) => `${k} ${v.p50.toFixed(1)}/${v.p99.toFixed(1)}`)
      .join(', ');
    io.err(`    per stage p50/p99 ms: ${stages}\n`);
  }
  if (s.process !== undefined)
    io.err(`  process: peak RSS ${s.process.peakRssMb.toFixed(0)} MB, CPU ${s.process.cpuS.toFixed(1)} s\n`);
  const bad = health.components.filter((c) => c.state === 'failed' || c.state === 'degraded');
  for (const c of bad) io.err(`  ${c.component}: ${c.state}${c.reason === undefined ? '' : ` (${c.reason})`}\n`);
  io.err(`  run record: ${runDir} (events.jsonl, summary.json, map.png)\n`);
}
