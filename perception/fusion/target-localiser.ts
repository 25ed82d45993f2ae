import {
  detectionsTopic,
  eventsTopic,
  poseTopic,
  queue,
  targetsTopic,
  type Component,
  type ComponentContext,
  type DetectionFrame,
  type Subscription,
  type TimerHandle,
} from '../../runtime/index.js';
import type { Mission } from '../../missions/index.js';
import { cameraFromFov, localiseBox, type PinholeCamera } from './localise.js';
import { PoseHistory } from './pose-history.js';
import { compose, fromMount, fromQuaternion, type Transform } from './transforms.js';
import { DEFAULT_WORLD_MODEL_OPTIONS, WorldModel, type WorldModelOptions } from './world-model.js';

interface CameraInfo {
  readonly intrinsics: PinholeCamera;
  readonly baseTcamera: Transform;
}

/**
 * Detections → world targets: each box is projected onto the ground with the
 * pose at the frame's capture time and the camera's mount, then merged into
 * the world model, which is published at 2 Hz on `world/targets`.
 */
export class TargetLocaliser implements Component {
  readonly name = 'target-localiser';
  readonly world: WorldModel;
  private readonly history = new PoseHistory(5000, 200);
  private readonly cameras = new Map<string, CameraInfo>();
  private readonly subs: Subscription[] = [];
  private timer: TimerHandle | undefined;
  private readonly announced = new Set<string>();
  unplaced = 0;

  constructor(mission: Mission, options: WorldModelOptions = DEFAULT_WORLD_MODEL_OPTIONS) {
    this.world = new WorldModel(options);
    for (const s of mission.sensors) {
      if (s.type !== 'camera' || s.width === undefined || s.height === undefined) continue;
      const mount = s.mount ?? { xyzM: [0, 0, 0] as const, rpyDeg: [0, 0, 0] as const };
      this.cameras.set(s.id, {
        intrinsics: cameraFromFov(s.width, s.height, s.fovDeg ?? 90),
        baseTcamera: fromMount(mount.xyzM, mount.rpyDeg),
      });
    }
  }

  start(ctx: ComponentContext): void {
    this.subs.push(
      ctx.bus.subscribe(poseTopic, (m) => this.history.add(m.stampMs, m.data), {
        policy: queue(64),
        subscriber: this.name,
      }),
      ctx.bus.subscribe(detectionsTopic, (m) => this.onDetections(m.data), {
        policy: queue(16),
        subscriber: this.name,
      }),
    );
    this.timer = ctx.clock.setInterval(() => this.publish(ctx), 500);
  }

  stop(): void {
    this.timer?.cancel();
    for (const s of this.subs) s.unsubscribe();
  }

  private onDetections(frame: DetectionFrame): void {
    const cam = this.cameras.get(frame.camera);
    const pose = this.history.at(frame.frameStampMs);
    if (cam === undefined || pose === undefined) {
      this.unplaced += frame.detections.length;
      return;
    }
    const mapTbase = fromQuaternion(pose.orientation, pose.positionM);
    const mapTcamera = compose(mapTbase, cam.baseTcamera);
    const options = {
      groundZ: 0,
      pixelSigma: 3,
      poseVarianceM2: { x: pose.poseCovariance[0] ?? 0, y: pose.poseCovariance[7] ?? 0 },
    };
    for (const d of frame.detections) {
      const located = localiseBox(d.box, cam.intrinsics, mapTcamera, options);
      if (located === undefined) {
        this.unplaced++;
        continue;
      }
      this.world.observe({
        className: d.className,
        positionM: located.positionM,
        varianceM2: located.varianceM2,
        score: d.score,
        timeMs: frame.frameStampMs,
      });
    }
  }

  private publish(ctx: ComponentContext): void {
    this.world.expire(ctx.clock.nowMs());
    const targets = this.world.targets();
    for (const t of targets) {
      if (this.announced.has(t.id)) continue;
      this.announced.add(t.id);
      ctx.bus.publish(eventsTopic, {
        kind: 'world.target_confirmed',
        severity: t.className === 'fire' || t.className === 'person' ? 'warning' : 'info',
        message: `${t.className} ${t.id} at (${t.positionM.x.toFixed(1)}, ${t.positionM.y.toFixed(1)}) m`,
        data: { id: t.id, className: t.className },
      });
    }
    ctx.bus.publish(targetsTopic, targets);
  }
}
