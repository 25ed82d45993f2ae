import type { CameraFrame } from '../../runtime/index.js';
import type { RandomStream } from '../random.js';
import { CameraRenderer, type CameraPose, type LabelBox } from '../render/renderer.js';
import type { SimWorld } from '../world.js';
import { mountPosition, type Mount, type SimSensor } from './sensor.js';

export interface CameraOptions {
  readonly width: number;
  readonly height: number;
  /** Default 90. */
  readonly fovDeg?: number;
  /** Pixel noise, grey levels. Default 3. */
  readonly noiseStd?: number;
  readonly latencyMs?: number;
}

/**
 * A camera: renders the world from its mount on the vehicle into an rgb8
 * frame. During a scripted freeze it repeats its last frame (new stamps, same
 * pixels), as a hung driver does. The boxes of the last frame are kept for
 * ground truth.
 */
export class SimCamera implements SimSensor<'camera'> {
  readonly kind = 'camera' as const;
  readonly latencyMs: number;
  readonly renderer: CameraRenderer;
  /** 2D boxes of what the last rendered frame shows. */
  lastBoxes: readonly LabelBox[] = [];
  private frameIndex = 0;
  private last: CameraFrame | undefined;
  private readonly pose: CameraPose = { x: 0, y: 0, z: 0, yawRad: 0, pitchRad: 0, rollRad: 0 };

  constructor(
    readonly id: string,
    private readonly frameId: string,
    private readonly mount: Mount,
    rng: RandomStream,
    world: SimWorld,
    options: CameraOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 30;
    this.renderer = new CameraRenderer(
      world,
      { width: options.width, height: options.height, fovDeg: options.fovDeg ?? 90 },
      rng,
      options.noiseStd ?? 3,
    );
  }

  sample(world: SimWorld): CameraFrame {
    if (this.last !== undefined && world.faultActive('camera_freeze', this.id)) return this.last;
    const p = mountPosition(world, this.mount);
    const pose = this.pose;
    pose.x = p.x;
    pose.y = p.y;
    pose.z = p.z;
    pose.yawRad = world.vehicle.state.yawRad + this.mount.yawRad;
    pose.pitchRad = this.mount.pitchRad;
    pose.rollRad = this.mount.rollRad;
    const { data, boxes } = this.renderer.render(pose, this.frameIndex++);
    this.lastBoxes = boxes;
    const { width, height } = this.renderer.intrinsics;
    this.last = { frameId: this.frameId, width, height, encoding: 'rgb8', stepBytes: width * 3, data };
    return this.last;
  }
}
