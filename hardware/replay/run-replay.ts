import type { LoadedMission } from '../../missions/index.js';
import {
  SimClock,
  type Component,
  type Logger,
  type Runtime,
  type RuntimeHealth,
  type RuntimeOptions,
} from '../../runtime/index.js';
import { FileWritable } from '../bag/file-writable.js';
import { McapBagWriter } from '../bag/mcap-bag-writer.js';
import { openBag } from '../bag/open-bag.js';
import type { BagStorage } from '../bag/types.js';
import type { SinkStats } from '../ros2/sensor-sink.js';
import type { TfSinkStats } from '../ros2/tf-sink.js';
import { BagReplaySource } from './bag-replay-source.js';
import { driveReplay, type ReplayDriveResult } from './replay-driver.js';
import { planReplay, replayPlugin, type UnmappedSensor } from './replay-plan.js';
import { ReplayRecorder } from './replay-recorder.js';
import { ReplayTally, type ReplayOutputs } from './replay-tally.js';

export interface ReplayOptions {
  readonly loaded: LoadedMission;
  readonly bagPath: string;
  /** Builds the mission's runtime with Kestrel's plugins (the SDK's `createRuntime`; injected to keep hardware below it). */
  readonly createRuntime: (mission: LoadedMission, options: RuntimeOptions) => Runtime;
  /** Replay seconds per wall second; Infinity as fast as possible. The outputs do not depend on it. */
  readonly speed: number;
  readonly loop?: boolean;
  /** Stop after this much replay time, ms. Needed with `loop` unless `signal` ends it. */
  readonly durationMs?: number;
  /** Silences longer than this in the bag are cut to it, ms. Default 1000. */
  readonly maxGapMs?: number;
  /** Write inputs and outputs to this rosbag2 MCAP file. */
  readonly recordPath?: string;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  /** Called once the runtime is built, before it starts: tests and embedders subscribe here. */
  readonly onRuntime?: (runtime: Runtime) => void;
}

export interface ReplayResult extends ReplayOutputs {
  readonly bag: string;
  readonly storage: BagStorage;
  readonly mission: string;
  readonly reason: ReplayDriveResult;
  /** Replay (bag) time covered, s. */
  readonly replayS: number;
  readonly wallS: number;
  readonly passes: number;
  /** Per sensor: its topic, messages published and rejected by code. */
  readonly sensors: Readonly<Record<string, SinkStats & { readonly topic: string }>>;
  readonly unmapped: readonly UnmappedSensor[];
  /** Per tf topic replayed onto `state/transforms` (missions with a ros2 tf tree): published and rejected. */
  readonly tf: Readonly<Record<string, TfSinkStats>>;
  readonly recorded?: { readonly path: string; readonly messages: number };
  readonly health: RuntimeHealth;
}

/**
 * Replays a rosbag2 bag through a mission's runtime on a SimClock: the
 * mission's ROS 2 topics are fed from the bag (see `planReplay`), perception,
 * fusion, behavior and guard run as on the robot, and the result counts and
 * fingerprints what they produced. Deterministic: the same bag and mission
 * give the same detections and decisions at every `speed`.
 *
 * @example
 * const r = await runReplay({ loaded, bagPath: 'rosbag2_0.mcap', createRuntime, speed: Infinity });
 * console.log(r.detections.total, r.decisions.deny);
 */
export async function runReplay(o: ReplayOptions): Promise<ReplayResult> {
  const reader = await openBag(o.bagPath);
  let file: FileWritable | undefined;
  let runtime: Runtime | undefined;
  try {
    const plan = planReplay(o.loaded.mission, reader.info);
    const clock = new SimClock();
    const tally = new ReplayTally();
    const observers: Component[] = [tally];
    let recorder: ReplayRecorder | undefined;
    if (o.recordPath !== undefined) {
      file = await FileWritable.create(o.recordPath);
      const routed = new Set(plan.routes.map((r) => r.topic));
      recorder = await ReplayRecorder.create(await McapBagWriter.create(file), {
        inputs: reader.info.topics.filter((t) => routed.has(t.name)),
        cameraFrames: new Map(
          plan.mission.sensors.filter((s) => s.type === 'camera').map((s) => [s.id, s.frameId ?? s.id]),
        ),
        robotId: plan.mission.platform.id,
        clock,
      });
      observers.push(recorder);
    }
    const rec = recorder;
    const source = new BagReplaySource({
      path: o.bagPath,
      routes: plan.routes,
      tfRoutes: plan.tfRoutes,
      loop: o.loop ?? false,
      ...(o.maxGapMs === undefined ? {} : { maxGapMs: o.maxGapMs }),
      ...(rec === undefined ? {} : { onInput: (m, _route, monoMs) => rec.input(m, monoMs) }),
      open: () => Promise.resolve(reader),
    });
    const rt = o.createRuntime(
      { ...o.loaded, mission: plan.mission },
      {
        clock,
        plugins: [replayPlugin],
        observers,
        components: [source],
        ...(o.logger === undefined ? {} : { logger: o.logger }),
      },
    );
    runtime = rt;
    o.onRuntime?.(rt);
    await rt.start();
    const wallStart = performance.now();
    const simStart = clock.elapsed();
    const reason = await driveReplay(clock, rt.bus, source, {
      speed: o.speed,
      ...(o.durationMs === undefined ? {} : { durationMs: o.durationMs }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
    const replayS = (clock.elapsed() - simStart) / 1000;
    const sensors = source.stats();
    const passes = source.passCount();
    await rt.stop(reason);
    const wallS = (performance.now() - wallStart) / 1000;
    return {
      bag: o.bagPath,
      storage: reader.info.storage,
      mission: plan.mission.mission.id,
      reason,
      replayS,
      wallS,
      passes,
      sensors,
      tf: source.tfStats(),
      unmapped: plan.unmapped,
      ...tally.outputs(),
      ...(rec === undefined || o.recordPath === undefined
        ? {}
        : { recorded: { path: o.recordPath, messages: rec.messageCount() } }),
      health: rt.health(),
    };
  } finally {
    if (runtime !== undefined && !runtime.bus.isClosed) await runtime.stop('error');
    // The source closes the reader when it stops; this covers a replay that failed before it started.
    await reader.close().catch(() => undefined);
    await file?.close();
  }
}
