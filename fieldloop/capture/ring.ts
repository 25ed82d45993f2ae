/**
 * The hot memory: the last few seconds of frames per camera, each with the
 * pose when it arrived and, once perception answers, its detections. A
 * capture takes its frames from here, so it includes what came *before* the
 * trigger. Frames are held by reference (sources hand the bus a fresh buffer
 * per frame, and the bus never copies), so pushing costs no copy: the ring is
 * bounded by age per camera and by bytes over all cameras.
 */
import type { CameraFrame, Detection, PoseEstimate } from '../../runtime/index.js';

export interface RingFrame {
  readonly camera: string;
  /** Source stamp of the frame, epoch ms. */
  readonly stampMs: number;
  readonly frame: CameraFrame;
  /** The newest pose when the frame arrived, and its stamp. */
  readonly pose: PoseEstimate | undefined;
  readonly poseStampMs: number | undefined;
  /** Detections of this frame, once perception has published them; undefined if it never ran on it. */
  detections: readonly Detection[] | undefined;
  /** Mission model id that produced `detections`. */
  model: string | undefined;
}

export interface FrameRingOptions {
  /** Frames older than the camera's newest by more than this are dropped, ms. */
  readonly windowMs: number;
  /** Bound over all cameras, bytes of frame data. */
  readonly maxBytes: number;
}

export class FrameRing {
  private readonly cameras = new Map<string, RingFrame[]>();
  private totalBytes = 0;
  /** Frames dropped for the byte bound (not age): a sign the ring is too small for its window. */
  droppedForBytes = 0;

  constructor(private readonly options: FrameRingOptions) {}

  get bytes(): number {
    return this.totalBytes;
  }

  get size(): number {
    let n = 0;
    for (const list of this.cameras.values()) n += list.length;
    return n;
  }

  push(
    camera: string,
    stampMs: number,
    frame: CameraFrame,
    pose: PoseEstimate | undefined,
    poseStampMs: number | undefined,
  ): RingFrame {
    let list = this.cameras.get(camera);
    if (list === undefined) {
      list = [];
      this.cameras.set(camera, list);
    }
    const entry: RingFrame = { camera, stampMs, frame, pose, poseStampMs, detections: undefined, model: undefined };
    list.push(entry);
    this.totalBytes += frame.data.byteLength;
    // Age bound, per camera (frames arrive in stamp order per camera).
    let drop = 0;
    while (drop < list.length - 1 && (list[drop]?.stampMs ?? stampMs) < stampMs - this.options.windowMs) {
      this.totalBytes -= list[drop]?.frame.data.byteLength ?? 0;
      drop++;
    }
    if (drop > 0) list.splice(0, drop);
    // Byte bound, over all cameras: the oldest frame anywhere goes first; the frame just pushed stays.
    while (this.totalBytes > this.options.maxBytes && this.dropOldest(entry)) this.droppedForBytes++;
    return entry;
  }

  /** Attaches a frame's detections when perception publishes them (after the frame, by its stamp). */
  attach(camera: string, frameStampMs: number, detections: readonly Detection[], model: string): RingFrame | undefined {
    const list = this.cameras.get(camera);
    if (list === undefined) return undefined;
    // Detections arrive for recent frames: search from the newest.
    for (let i = list.length - 1; i >= 0; i--) {
      const f = list[i];
      if (f === undefined || f.stampMs < frameStampMs) return undefined;
      if (f.stampMs === frameStampMs) {
        f.detections = detections;
        f.model = model;
        return f;
      }
    }
    return undefined;
  }

  /** Frames of a camera with `fromMs <= stamp <= toMs`, oldest first. */
  window(camera: string, fromMs: number, toMs: number): RingFrame[] {
    return (this.cameras.get(camera) ?? []).filter((f) => f.stampMs >= fromMs && f.stampMs <= toMs);
  }

  latest(camera: string): RingFrame | undefined {
    return this.cameras.get(camera)?.at(-1);
  }

  /** The camera that holds a frame with this stamp (a guard decision names a stamp, not a camera). */
  cameraOf(stampMs: number): string | undefined {
    for (const [camera, list] of this.cameras) if (list.some((f) => f.stampMs === stampMs)) return camera;
    return undefined;
  }

  clear(): void {
    this.cameras.clear();
    this.totalBytes = 0;
  }

  private dropOldest(keep: RingFrame): boolean {
    let oldest: RingFrame[] | undefined;
    for (const list of this.cameras.values()) {
      const head = list[0];
      if (head === undefined || head === keep) continue;
      if (oldest === undefined || head.stampMs < (oldest[0]?.stampMs ?? Infinity)) oldest = list;
    }
    const victim = oldest?.shift();
    if (victim === undefined) return false;
    this.totalBytes -= victim.frame.data.byteLength;
    return true;
  }
}
