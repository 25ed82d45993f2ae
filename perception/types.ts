/** One detected object, box in original image pixels. */
export interface Detection {
  readonly classId: number;
  readonly className: string;
  /** 0..1. */
  readonly score: number;
  /** Left, top, right, bottom in original image pixels (x right, y down). */
  readonly box: BoxXyxy;
}

export interface BoxXyxy {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** Milliseconds spent in each stage of one frame (monotonic clock). */
export interface StageTimings {
  /** Image decode + resize + normalise into the input tensor (sharp fuses decode and resize). */
  readonly preprocessMs: number;
  readonly inferenceMs: number;
  /** Output decode + NMS + mapping boxes back to the image. */
  readonly postprocessMs: number;
  readonly totalMs: number;
}

/** Everything one `detector.run()` produced. */
export interface DetectionFrame {
  readonly detections: Detection[];
  /** Original image size, pixels. */
  readonly width: number;
  readonly height: number;
  readonly timings: StageTimings;
  /** Execution provider that ran this frame. */
  readonly provider: string;
  /** Which load of the model ran it: 1 at start, +1 per successful reload. */
  readonly modelGeneration: number;
}
