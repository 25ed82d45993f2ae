import {
  detectionsTopic,
  sensorTopic,
  type CameraFrame,
  type Component,
  type ComponentContext,
  type Detection as BusDetection,
  type Envelope,
  type Subscription,
} from '../runtime/index.js';
import type { Mission, Pipeline } from '../missions/index.js';
import { createDetector, type Detector } from './detector.js';
import { ModelLoadError } from './errors.js';
import type { ImageInput } from './letterbox.js';
import type { DetectionFrame } from './types.js';
import type { ManifestSource } from './manifest-file.js';
import { MODEL_TRUST_COMPONENT, modelVerifierService } from './model-verifier.js';
import type { ModelManifest } from './manifest.js';
import { DEFAULT_TRACKER_OPTIONS, Tracker } from './tracker.js';
import { trackerThresholds } from './tracker-thresholds.js';

/**
 * One camera feeding one model: frames arrive on `sensors/<camera>` with a
 * `latest` subscription (a detector that falls behind sees the freshest frame,
 * never a backlog), run through the detector and the tracker, and leave on
 * `perception/detections` stamped with the frame's capture time, so fusion
 * places them with the pose of that instant.
 *
 * On a wall clock the handler returns when the detector wants the next frame
 * (`PendingFrame.nextFrameDue`), so the next frame's decode overlaps this
 * frame's inference and at most one frame waits preprocessed. On a simulated
 * clock (simulator, replay) it returns only when the detections are out: the
 * replay driver waits for idle handlers before it moves time, and that is what
 * makes a replay's detections the same at any speed.
 */
export class PerceptionPipeline implements Component {
  readonly name: string;
  /** With `modelTrust`, the model-trust component configures first and every load is checked by it. */
  readonly dependsOn: readonly string[];
  private detector: Detector | undefined;
  /** Built once the model is loaded: its manifest may carry the tracker's score thresholds. */
  private tracker: Tracker | undefined;
  private sub: Subscription | undefined;
  private lastRunMs = -Infinity;
  private readonly minPeriodMs: number;
  /** Results of frames whose handler has already returned, until they are published. */
  private readonly inFlight = new Set<Promise<void>>();
  frames = 0;
  skipped = 0;
  errors = 0;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly mission: Mission,
    private readonly baseDir: string,
  ) {
    this.name = `perception-${pipeline.id}`;
    this.dependsOn = mission.modelTrust === undefined ? [] : [MODEL_TRUST_COMPONENT];
    this.minPeriodMs = pipeline.maxRateHz === undefined ? 0 : 1000 / pipeline.maxRateHz;
  }

  /** Loads, verifies and warms the model before anything starts: a mission never runs with a model it could not load. */
  async configure(ctx: ComponentContext): Promise<void> {
    const entry = this.mission.models.find((m) => m.id === this.pipeline.model);
    if (entry === undefined)
      throw new ModelLoadError('perception.model_missing', `no model "${this.pipeline.model}" in the mission`);
    let source: ManifestSource;
    if ('manifest' in entry) source = entry.manifest;
    else {
      const { id: _id, ...manifest } = entry;
      source = manifest;
    }
    // A mission with modelTrust never loads a model without the check (services.get throws if none provides it).
    const verifyModel = this.mission.modelTrust === undefined ? undefined : ctx.services.get(modelVerifierService);
    this.detector = await createDetector(source, {
      logger: ctx.logger,
      clock: ctx.clock,
      baseDir: this.baseDir,
      modelId: entry.id,
      ...(verifyModel === undefined ? {} : { verifyModel }),
    });
    ctx.logger.info(
      {
        model: this.detector.modelPath,
        provider: this.detector.activeProvider,
        classes: this.detector.classNames.length,
      },
      'model ready',
    );
    this.tracker = this.buildTracker(ctx, this.detector.manifest);
  }

  /**
   * The tracker, with score thresholds from the mission, else the model's manifest, else the defaults. Fixed
   * for the run: a hot reload swaps the model, not the thresholds it started with.
   */
  private buildTracker(ctx: ComponentContext, manifest: ModelManifest): Tracker | undefined {
    const t = this.pipeline.tracker;
    if (t.kind === 'none') return undefined;
    const thresholds = trackerThresholds(t, manifest.tracker);
    const { highScoreThreshold, newTrackThreshold } = thresholds;
    const modelScore = manifest.scoreThreshold;
    // A second threshold the operator may not know about: low over a big fire the 640 model scores 0.3-0.5,
    // and at 0.5 those frames published nothing once the fire's track was lost. Info, not warn: the 320
    // model runs so on purpose (its false fire over the helipad stays hidden that way).
    const note =
      modelScore < highScoreThreshold
        ? `the model reports from ${String(modelScore)} but tracks start from ` +
          `${String(Math.max(highScoreThreshold, newTrackThreshold))}: detections under ` +
          `${String(highScoreThreshold)} are published only while they continue a track (set them in the model ` +
          "manifest's tracker: or the pipeline's)"
        : undefined;
    ctx.logger.info(
      {
        modelScore,
        highScoreThreshold,
        newTrackThreshold,
        from: thresholds.from,
        ...(note === undefined ? {} : { note }),
      },
      'tracker thresholds',
    );
    return new Tracker({
      ...DEFAULT_TRACKER_OPTIONS,
      maxLostMs: t.maxLostMs,
      matchIou: t.matchIou,
      highScoreThreshold,
      newTrackThreshold,
    });
  }

  start(ctx: ComponentContext): void {
    this.sub = ctx.bus.subscribe(sensorTopic('camera', this.pipeline.camera), (m) => this.onFrame(ctx, m), {
      subscriber: this.name,
    });
  }

  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    await this.detector?.close();
    await Promise.all([...this.inFlight]);
  }

  private async onFrame(ctx: ComponentContext, m: Envelope<CameraFrame>): Promise<void> {
    const detector = this.detector;
    if (detector === undefined) return;
    if (m.stampMs - this.lastRunMs < this.minPeriodMs) {
      this.skipped++;
      return;
    }
    this.lastRunMs = m.stampMs;
    const pending = detector.submit(toImageInput(m.data));
    const published = pending.result.then((result) => this.publish(ctx, m, result));
    if (ctx.clock.kind === 'sim') {
      await published;
      return;
    }
    const settled = published.then(
      () => undefined,
      (err: unknown) => {
        // The handler already returned: the bus cannot count this failure, so say it here.
        this.errors++;
        ctx.logger.error({ err, stampMs: m.stampMs }, 'perception frame failed');
      },
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    await pending.nextFrameDue;
  }

  private publish(ctx: ComponentContext, m: Envelope<CameraFrame>, result: DetectionFrame): void {
    const trackStart = ctx.clock.monoMs();
    const tracked = this.tracker?.update(result.detections, m.stampMs);
    const trackMs = ctx.clock.monoMs() - trackStart;
    const detections: BusDetection[] =
      tracked === undefined
        ? result.detections
        : tracked.map((d) => ({
            classId: d.classId,
            className: d.className,
            score: d.score,
            box: d.box,
            trackId: d.trackId,
          }));
    this.frames++;
    ctx.bus.publish(
      detectionsTopic,
      {
        pipeline: this.pipeline.id,
        camera: this.pipeline.camera,
        model: this.pipeline.model,
        width: result.width,
        height: result.height,
        frameStampMs: m.stampMs,
        detections,
        latencyMs: {
          preprocess: result.timings.preprocessMs,
          inference: result.timings.inferenceMs,
          postprocess: result.timings.postprocessMs,
          track: trackMs,
          // Frame capture to detections out: the age the guard and behaviors see.
          frameToDetections: ctx.clock.nowMs() - m.stampMs,
        },
      },
      m.stampMs,
    );
  }
}

function toImageInput(frame: CameraFrame): ImageInput {
  if (frame.encoding === 'jpeg' || frame.encoding === 'png') return frame.data;
  return {
    data: frame.data,
    width: frame.width,
    height: frame.height,
    encoding: frame.encoding,
    step: frame.stepBytes,
  };
}
