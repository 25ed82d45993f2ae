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
  /**
   * Time the frame waited its turn: for the frame before to enter inference
   * before its decode started, and, decoded, for the frame before to finish
   * inferring. 0 when the detector was idle. Optional for results built by hand.
   */
  readonly waitMs?: number;
  /**
   * Image decode + resize + normalise into the input tensor (sharp fuses decode and resize).
   * When the decode overlapped the previous frame's inference, this includes the part of
   * it that ran on a pool thread while the main thread was busy with that inference.
   */
  readonly preprocessMs: number;
  readonly inferenceMs: number;
  /** Output decode + NMS + mapping boxes back to the image. */
  readonly postprocessMs: number;
  /** Submission to result: wait + preprocess + inference + postprocess. */
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
