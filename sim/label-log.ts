import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  queue,
  type AssemblyContext,
  type Component,
  type ComponentContext,
  type Subscription,
} from '../runtime/index.js';
import type { Simulation } from '../missions/index.js';
import { labelBoxes, labelFrame, type FrameLabelBox } from './dataset/label-frame.js';
import { simLabelsTopic, simWorldService } from './plugin.js';

/** One line of the label log: a camera frame's ground truth, keyed like the frame (camera id, stamp). */
export interface SimLabelRecord {
  readonly camera: string;
  readonly stampMs: number;
  readonly width: number;
  readonly height: number;
  /** Pixel boxes with class names, labelled as `kestrel sim dataset` labels them. */
  readonly boxes: readonly FrameLabelBox[];
}

export const SIM_LABEL_LOG_COMPONENT = 'sim-label-log';

/**
 * `sim-label-log` (mission `simulation.labelLog`): appends every simulated
 * camera frame's ground truth to a JSONL file. In the simulator ground truth
 * plays the labeller of the field data loop: `kestrel data label-sim` matches
 * the log to captured frames by camera and stamp. A file rather than a hook
 * into the capture store, so capture stays the same on a robot and in the sim.
 */
export function simLabelLogComponent(simulation: Simulation, asm: AssemblyContext): Component | undefined {
  const logPath = simulation.labelLog;
  if (logPath === undefined) return undefined;
  const path = isAbsolute(logPath) ? logPath : resolve(asm.baseDir, logPath);
  const cameras = asm.mission.sensors.filter((s) => s.type === 'camera' && s.source.kind === 'sim').map((s) => s.id);
  let out: WriteStream | undefined;
  let subs: Subscription[] = [];
  let lines = 0;
  let logger: ComponentContext['logger'] | undefined;
  return {
    name: SIM_LABEL_LOG_COMPONENT,
    dependsOn: ['sim-world'],
    start(ctx) {
      logger = ctx.logger;
      const world = ctx.services.get(simWorldService);
      mkdirSync(dirname(path), { recursive: true });
      const stream = createWriteStream(path, { flags: 'w' });
      out = stream;
      subs = cameras.map((camera) =>
        ctx.bus.subscribe(
          simLabelsTopic(camera),
          (m) => {
            const { width, height, boxes } = m.data;
            const { labels } = labelFrame(boxes, width, height, world.fire?.cols);
            const record: SimLabelRecord = {
              camera,
              stampMs: m.stampMs,
              width,
              height,
              boxes: labelBoxes(labels, width, height),
            };
            stream.write(`${JSON.stringify(record)}\n`);
            lines++;
          },
          // Every frame the camera publishes may be captured: keep up rather than drop.
          { subscriber: SIM_LABEL_LOG_COMPONENT, policy: queue(256) },
        ),
      );
      ctx.logger.info({ path, cameras }, 'sim label log open');
    },
    async stop() {
      for (const s of subs) s.unsubscribe();
      subs = [];
      const stream = out;
      out = undefined;
      if (stream !== undefined) await new Promise<void>((done) => stream.end(done));
      logger?.info({ path, frames: lines }, 'sim label log closed');
    },
  };
}
