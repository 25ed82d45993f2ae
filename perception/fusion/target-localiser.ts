import {
  defineTopic,
  detectionsTopic,
  eventsTopic,
  poseTopic,
  queue,
  targetsTopic,
  transformsTopic,
  type Component,
  type ComponentContext,
  type DetectionFrame,
  type Subscription,
  type TimerHandle,
  type Topic,
  type TransformsMessage,
  type Vec3,
} from '../../runtime/index.js';
import type { Mission } from '../../missions/index.js';
import { cameraFromFov, localiseBox, type PinholeCamera } from './localise.js';
import { PoseHistory } from './pose-history.js';
import { compose, fromMount, fromQuaternion, TransformTree, type Transform } from './transforms.js';
import { DEFAULT_WORLD_MODEL_OPTIONS, WorldModel, type WorldModelOptions } from './world-model.js';

/** One detection frame as the localiser used it: where each box landed, and why some did not. */
export interface SightingReport {
  readonly camera: string;
  readonly frameStampMs: number;
  /** The pose the frame was placed with (map frame), when one was usable. */
  readonly poseM?: Vec3;
  /** Its heading, rad (ENU, from east). */
  readonly poseYawRad?: number;
  readonly placed: readonly {
    readonly className: string;
    readonly positionM: Vec3;
    /** Camera to ground point, m. */
    readonly rangeM: number;
    readonly targetId: string;
    readonly box: { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number };
  }[];
  /** Boxes not placed: no pose at capture time, a pose too old or too uncertain, or a ray above the horizon. */
  readonly skipped: number;
  readonly reason?: SkipReason;
}

export type SkipReason = 'no_pose' | 'stale_pose' | 'uncertain_pose' | 'off_ground';

/** `world/sightings`: each detection frame after localisation, for evaluation and debugging. */
export const sightingsTopic: Topic<SightingReport> = defineTopic<SightingReport>(
  'world/sightings',
  'kestrel/Sightings',
);

export interface LocaliserOptions {
  /**
   * A pose whose last absolute or motion measurement is older than this at
   * the frame's capture time is a prediction, not a measurement: its boxes
   * are not placed, ms. Default 1000.
   */
  readonly maxPoseAgeMs: number;
  /** A pose less certain than this (x or y variance, m²) places nothing. Default 9 (3 m, one sigma). */
  readonly maxPoseVarianceM2: number;
}

export const DEFAULT_LOCALISER_OPTIONS: LocaliserOptions = { maxPoseAgeMs: 1000, maxPoseVarianceM2: 9 };

interface CameraInfo {
  readonly intrinsics: PinholeCamera;
  /** The mission's `mount:`, until the tf tree (when the mission has one) gives base_link -> the camera's frame. */
  baseTcamera: Transform;
  readonly frameId: string;
  fromTf: boolean;
}

/** REP-105's body frame: tf mounts are looked up from here. */
const BASE_FRAME = 'base_link';

/**
 * camera_link (x forward, y left, z up) in an optical frame (x right, y down,
 * z forward), REP-103's `_optical` convention: optical_T_link.
 */
const OPTICAL_T_LINK: Transform = { r: [0, -1, 0, 0, 0, -1, 1, 0, 0], t: { x: 0, y: 0, z: 0 } };

function isOpticalFrame(frameId: string): boolean {
  return frameId.endsWith('_optical') || frameId.endsWith('_optical_frame');
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
  private readonly tf = new TransformTree();
  private readonly useTf: boolean;
  private readonly subs: Subscription[] = [];
  private timer: TimerHandle | undefined;
  private readonly announced = new Set<string>();
  unplaced = 0;
  /** Boxes not placed, by reason (a GNSS outage shows up as stale_pose, a diverging estimate as uncertain_pose). */
  readonly skipped: Record<SkipReason, number> = { no_pose: 0, stale_pose: 0, uncertain_pose: 0, off_ground: 0 };
  private bus: ComponentContext['bus'] | undefined;

  constructor(
    mission: Mission,
    options: WorldModelOptions = DEFAULT_WORLD_MODEL_OPTIONS,
    private readonly localiser: LocaliserOptions = DEFAULT_LOCALISER_OPTIONS,
  ) {
    this.world = new WorldModel(options);
    this.useTf = mission.transforms !== undefined;
    for (const s of mission.sensors) {
      if (s.type !== 'camera' || s.width === undefined || s.height === undefined) continue;
      const mount = s.mount ?? { xyzM: [0, 0, 0] as const, rpyDeg: [0, 0, 0] as const };
      this.cameras.set(s.id, {
        intrinsics: cameraFromFov(s.width, s.height, s.fovDeg ?? 90),
        baseTcamera: fromMount(mount.xyzM, mount.rpyDeg),
        frameId: s.frameId ?? s.id,
        fromTf: false,
      });
    }
  }

  start(ctx: ComponentContext): void {
    this.bus = ctx.bus;
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
    // A robot with a tf tree (a URDF) knows its mounts better than a mission file: use them once published.
    if (this.useTf) {
      this.subs.push(
        ctx.bus.subscribe(transformsTopic, (m) => this.onTransforms(m.data, ctx), {
          policy: queue(64),
          subscriber: this.name,
        }),
      );
    }
    this.timer = ctx.clock.setInterval(() => this.publish(ctx), 500);
  }

  /** Where each camera's mount came from: `tf` once the tree linked base_link to its frame, else `mission`. */
  mountSources(): Record<string, 'tf' | 'mission'> {
    return Object.fromEntries([...this.cameras].map(([id, c]) => [id, c.fromTf ? 'tf' : 'mission']));
  }

  private onTransforms(msg: TransformsMessage, ctx: ComponentContext): void {
    for (const t of msg.transforms) {
      try {
        this.tf.set(t.parent, t.child, fromQuaternion(t.rotation, t.translation));
      } catch {
        // A self-parented frame is refused upstream; nothing else throws here.
      }
    }
    for (const [id, cam] of this.cameras) {
      let baseTframe: Transform;
      try {
        baseTframe = this.tf.lookup(BASE_FRAME, cam.frameId);
      } catch {
        continue; // not linked to base_link (yet): keep the mission's mount
      }
      cam.baseTcamera = isOpticalFrame(cam.frameId) ? compose(baseTframe, OPTICAL_T_LINK) : baseTframe;
      if (!cam.fromTf) {
        cam.fromTf = true;
        ctx.logger.info({ camera: id, frame: cam.frameId }, 'camera mount from tf replaces the mission mount');
      }
    }
  }

  stop(): void {
    this.timer?.cancel();
    for (const s of this.subs) s.unsubscribe();
  }

  private onDetections(frame: DetectionFrame): void {
    const cam = this.cameras.get(frame.camera);
    if (cam === undefined) {
      this.unplaced += frame.detections.length;
      return;
    }
    const pose = this.history.at(frame.frameStampMs);
    const n = frame.detections.length;
    const skip = (reason: SkipReason): void => {
      this.unplaced += n;
      this.skipped[reason] += n;
      this.report({ camera: frame.camera, frameStampMs: frame.frameStampMs, placed: [], skipped: n, reason });
    };
    if (pose === undefined) return skip('no_pose');
    // A pose published during an outage is a prediction: placing fires with it puts them where the robot is not.
    if (pose.measuredAtMs !== undefined && frame.frameStampMs - pose.measuredAtMs > this.localiser.maxPoseAgeMs)
      return skip('stale_pose');
    const varX = pose.poseCovariance[0] ?? 0;
    const varY = pose.poseCovariance[7] ?? 0;
    if (!(Math.max(varX, varY) <= this.localiser.maxPoseVarianceM2)) return skip('uncertain_pose');
    const mapTbase = fromQuaternion(pose.orientation, pose.positionM);
    const mapTcamera = compose(mapTbase, cam.baseTcamera);
    // The estimator's covariance, height and heading included: an oblique sighting from a drone whose GNSS
    // height is uncertain is worth less than one under it, and the world model weighs them so.
    const options = {
      groundZ: 0,
      pixelSigma: 3,
      poseVarianceM2: { x: varX, y: varY, z: pose.poseCovariance[14] ?? 0 },
      yawVarianceRad2: pose.poseCovariance[35] ?? 0,
    };
    const placed: SightingReport['placed'][number][] = [];
    let offGround = 0;
    for (const d of frame.detections) {
      const located = localiseBox(d.box, cam.intrinsics, mapTcamera, options);
      if (located === undefined) {
        this.unplaced++;
        this.skipped.off_ground++;
        offGround++;
        continue;
      }
      const targetId = this.world.observe({
        className: d.className,
        positionM: located.positionM,
        varianceM2: located.varianceM2,
        score: d.score,
        timeMs: frame.frameStampMs,
      });
      placed.push({
        className: d.className,
        positionM: located.positionM,
        rangeM: located.rangeM,
        targetId,
        box: d.box,
      });
    }
    this.report({
      camera: frame.camera,
      frameStampMs: frame.frameStampMs,
      poseM: pose.positionM,
      poseYawRad: pose.yawRad,
      placed,
      skipped: offGround,
      ...(offGround > 0 ? { reason: 'off_ground' as const } : {}),
    });
  }

  private report(r: SightingReport): void {
    if (this.bus !== undefined && !this.bus.isClosed) this.bus.publish(sightingsTopic, r);
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
