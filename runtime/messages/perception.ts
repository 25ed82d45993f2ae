/** What perception found in one frame. Boxes are in the frame's pixels, (x1, y1) top-left. */
export interface Detection {
  readonly classId: number;
  readonly className: string;
  readonly score: number;
  readonly box: { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number };
  /** Stable id from the tracker; absent for untracked detections. */
  readonly trackId?: number;
}

export interface DetectionFrame {
  /** Pipeline that produced it. */
  readonly pipeline: string;
  readonly camera: string;
  readonly model: string;
  readonly width: number;
  readonly height: number;
  /** Source stamp of the frame the detections were derived from (epoch ms). */
  readonly frameStampMs: number;
  readonly detections: readonly Detection[];
  /** Time spent per stage for this frame, ms. */
  readonly latencyMs: Readonly<Record<string, number>>;
}

/** A target in the world model, located in the local ENU frame. */
export interface Target {
  readonly id: string;
  readonly className: string;
  readonly positionM: { readonly x: number; readonly y: number; readonly z: number };
  /** Position variance along x and y, m². */
  readonly varianceM2: { readonly x: number; readonly y: number };
  readonly confidence: number;
  readonly lastSeenMs: number;
}
