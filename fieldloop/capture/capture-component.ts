/**
 * The `capture` component: keeps the hot ring of recent frames, runs the
 * mission's triggers on detections, guard decisions and operator feedback,
 * and writes each capture (the trigger frame and the frames around it, with
 * the model's outputs, the pose, the trigger and the model's identity) to the
 * warm store.
 *
 * The frame path only pushes a reference into the ring and attaches
 * detections; encoding and the database write happen per capture, off that
 * path, at most `maxPendingCaptures` at once (more are dropped and counted).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Capture, Mission } from '../../missions/index.js';
import {
  parseUltralyticsNames,
  readOnnxMetadata,
  resolveManifest,
  sha256Bytes,
  type ManifestSource,
} from '../../perception/index.js';
import {
  decisionsTopic,
  detectionsTopic,
  operatorTopic,
  poseTopic,
  queue,
  sensorTopic,
  type Component,
  type ComponentContext,
  type PoseEstimate,
  type Subscription,
} from '../../runtime/index.js';
import { encodeFrame, storedPose } from './encode.js';
import { FrameRing, type RingFrame } from './ring.js';
import { CaptureStore, type FrameInput, type ModelInfo } from './store.js';
import { TriggerEngine, type TriggerHit, type TriggerKind } from './triggers.js';

export const CAPTURE_COMPONENT = 'capture';
const MIB = 1024 * 1024;
/** A trigger names a frame at most this far from one in the ring (operator feedback gives the time they saw), ms. */
const MAX_ANCHOR_GAP_MS = 500;

export interface CaptureCounters {
  triggered: number;
  stored: number;
  /** Dropped because `maxPendingCaptures` were already being written. */
  dropped: number;
  /** Refused by the store (no room at this priority, or larger than the quota). */
  refused: number;
  /** Evicted from the store to make room. */
  evicted: number;
  /** Triggers whose frame was no longer in the ring. */
  missed: number;
  failed: number;
}

interface CapturedCamera {
  readonly camera: string;
  readonly pipeline: string;
  readonly modelId: string;
  model?: ModelInfo;
}

export class CaptureComponent implements Component {
  readonly name = CAPTURE_COMPONENT;
  readonly counters: CaptureCounters = {
    triggered: 0,
    stored: 0,
    dropped: 0,
    refused: 0,
    evicted: 0,
    missed: 0,
    failed: 0,
  };
  readonly byTrigger: Record<TriggerKind, number> = {
    uncertainty: 0,
    flicker: 0,
    guard_denial: 0,
    operator_feedback: 0,
    random: 0,
  };
  private readonly cameras = new Map<string, CapturedCamera>();
  private readonly ring: FrameRing;
  private readonly engine: TriggerEngine;
  private store: CaptureStore | undefined;
  private subs: Subscription[] = [];
  private pose: PoseEstimate | undefined;
  private poseStampMs: number | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly mission: Mission,
    private readonly capture: Capture,
    private readonly baseDir: string,
  ) {
    const wanted = capture.pipelines;
    for (const p of mission.perception.pipelines) {
      if (wanted !== undefined && !wanted.includes(p.id)) continue;
      if (!this.cameras.has(p.camera))
        this.cameras.set(p.camera, { camera: p.camera, pipeline: p.id, modelId: p.model });
    }
    this.ring = new FrameRing({ windowMs: capture.ring.seconds * 1000, maxBytes: capture.ring.maxMb * MIB });
    this.engine = new TriggerEngine(capture.triggers, capture.minIntervalMs);
  }

  /** The store's path, resolved against the mission folder. */
  get storePath(): string {
    const p = this.capture.store.path;
    return isAbsolute(p) ? p : resolve(this.baseDir, p);
  }

  /** Frames in the hot ring now. */
  get ringFrames(): number {
    return this.ring.size;
  }

  async configure(ctx: ComponentContext): Promise<void> {
    this.store = new CaptureStore({ path: this.storePath, maxBytes: this.capture.store.maxMb * MIB });
    for (const cam of this.cameras.values()) {
      cam.model = await this.identify(cam.modelId);
      if (cam.model !== undefined) this.store.recordModel(cam.model);
    }
    ctx.logger.info(
      { store: this.storePath, cameras: [...this.cameras.keys()], stats: this.store.stats() },
      'capture store open',
    );
  }

  /** The model's sha256 and class names, for provenance and the exported data.yaml. */
  private async identify(modelId: string): Promise<ModelInfo | undefined> {
    const entry = this.mission.models.find((m) => m.id === modelId);
    if (entry === undefined) return undefined;
    let source: ManifestSource;
    if ('manifest' in entry) source = entry.manifest;
    else {
      const { id: _id, ...manifest } = entry;
      source = manifest;
    }
    const resolved = await resolveManifest(source, this.baseDir);
    const bytes = await readFile(resolved.modelPath);
    let names = resolved.manifest.classNames;
    if (names === undefined && resolved.manifest.backend === 'onnx') {
      const meta = readOnnxMetadata(bytes).names;
      names = meta === undefined ? undefined : parseUltralyticsNames(meta);
    }
    return { sha256: sha256Bytes(bytes), modelId, classNames: names ?? [] };
  }

  start(ctx: ComponentContext): void {
    const bus = ctx.bus;
    const sub = { subscriber: this.name };
    for (const camera of this.cameras.keys()) {
      this.subs.push(
        bus.subscribe(
          sensorTopic('camera', camera),
          (m) => void this.ring.push(camera, m.stampMs, m.data, this.pose, this.poseStampMs),
          { ...sub, policy: queue(8) },
        ),
      );
    }
    this.subs.push(
      bus.subscribe(
        poseTopic,
        (m) => {
          this.pose = m.data;
          this.poseStampMs = m.stampMs;
        },
        sub,
      ),
      bus.subscribe(
        detectionsTopic,
        (m) => {
          const d = m.data;
          if (!this.cameras.has(d.camera)) return;
          this.ring.attach(d.camera, d.frameStampMs, d.detections, d.model);
          for (const hit of this.engine.onDetections(d.camera, d.frameStampMs, d.detections)) this.take(ctx, hit);
        },
        { ...sub, policy: queue(32) },
      ),
      bus.subscribe(
        decisionsTopic,
        (m) => {
          const hit = this.engine.onDecision(m.data);
          if (hit !== undefined) this.take(ctx, hit);
        },
        { ...sub, policy: queue(64) },
      ),
      bus.subscribe(
        operatorTopic,
        (m) => {
          const c = m.data.command;
          if (c.kind !== 'feedback') return;
          const first = [...this.cameras.keys()][0];
          const latest = first === undefined ? undefined : this.ring.latest(c.camera ?? first);
          const hit = this.engine.onFeedback(
            c,
            m.data.operator,
            latest === undefined ? undefined : { camera: latest.camera, stampMs: latest.stampMs },
          );
          if (hit !== undefined) this.take(ctx, hit);
          else ctx.logger.warn({ operator: m.data.operator }, 'operator feedback with no frame to capture');
        },
        { ...sub, policy: queue(16) },
      ),
    );
  }

  /** Picks the frames of a hit from the ring now, then encodes and stores them off the frame path. */
  private take(ctx: ComponentContext, hit: TriggerHit): void {
    this.counters.triggered++;
    const camera = hit.camera ?? this.ring.cameraOf(hit.anchorStampMs);
    // An operator names a frame by the time they saw it: take the ring's frame nearest to it.
    const anchor = camera === undefined ? undefined : this.nearest(camera, hit.anchorStampMs);
    const frames = camera === undefined || anchor === undefined ? [] : this.pick(camera, anchor);
    if (camera === undefined || anchor === undefined || frames.length === 0) {
      this.counters.missed++;
      ctx.logger.debug(
        { trigger: hit.kind, anchorStampMs: hit.anchorStampMs },
        'capture trigger: frame no longer in the ring',
      );
      return;
    }
    if (this.pending.size >= this.capture.maxPendingCaptures) {
      this.counters.dropped++;
      return;
    }
    // Stamped when it fired, not when its write finished: eviction by age follows trigger order.
    const work = this.write(ctx, { ...hit, camera, anchorStampMs: anchor }, frames, ctx.clock.nowMs()).then(
      () => undefined,
      (error: unknown) => {
        this.counters.failed++;
        ctx.logger.error({ err: error, trigger: hit.kind }, 'capture failed');
      },
    );
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Stamp of the ring frame nearest `stampMs`, if one is within `MAX_ANCHOR_GAP_MS`. */
  private nearest(camera: string, stampMs: number): number | undefined {
    let best: number | undefined;
    for (const f of this.ring.window(camera, stampMs - MAX_ANCHOR_GAP_MS, stampMs + MAX_ANCHOR_GAP_MS)) {
      if (best === undefined || Math.abs(f.stampMs - stampMs) < Math.abs(best - stampMs)) best = f.stampMs;
    }
    return best;
  }

  /**
   * The trigger frame, then the frames nearest it in time (earlier first on a
   * tie), from `preTriggerMs` before it to the newest in the ring, at most
   * `maxFramesPerCapture`, returned oldest first.
   */
  private pick(camera: string, anchorStampMs: number): RingFrame[] {
    const around = this.ring.window(camera, anchorStampMs - this.capture.preTriggerMs, Number.POSITIVE_INFINITY);
    if (!around.some((f) => f.stampMs === anchorStampMs)) return [];
    const chosen = [...around]
      .sort(
        (a, b) => Math.abs(a.stampMs - anchorStampMs) - Math.abs(b.stampMs - anchorStampMs) || a.stampMs - b.stampMs,
      )
      .slice(0, this.capture.maxFramesPerCapture);
    return chosen.sort((a, b) => a.stampMs - b.stampMs);
  }

  private async write(
    ctx: ComponentContext,
    hit: TriggerHit & { camera: string },
    frames: RingFrame[],
    createdMs: number,
  ): Promise<void> {
    const { format, quality } = this.capture.image;
    const encoded: FrameInput[] = [];
    for (const f of frames) {
      const e = await encodeFrame(f.frame, format, quality);
      encoded.push({
        stampMs: f.stampMs,
        isTrigger: f.stampMs === hit.anchorStampMs,
        width: e.width,
        height: e.height,
        format: e.format,
        image: e.image,
        detections: f.detections,
        pose: storedPose(f.pose, f.poseStampMs),
      });
    }
    const store = this.store;
    if (store === undefined) return;
    const cam = this.cameras.get(hit.camera);
    const result = store.put({
      createdMs,
      trigger: hit.kind,
      priority: hit.priority,
      operatorMarked: hit.operatorMarked,
      camera: hit.camera,
      anchorStampMs: hit.anchorStampMs,
      mission: this.mission.mission.id,
      modelId: cam?.modelId,
      modelSha256: cam?.model?.sha256,
      detail: hit.detail,
      frames: encoded,
    });
    if (result.stored) {
      this.counters.stored++;
      this.counters.evicted += result.evicted.length;
      this.byTrigger[hit.kind]++;
      ctx.logger.debug(
        {
          id: result.id,
          trigger: hit.kind,
          frames: encoded.length,
          bytes: result.bytes,
          evicted: result.evicted.length,
        },
        'captured',
      );
      if (ctx.health.current().code === 'capture.store_full') ctx.health.ok();
    } else {
      this.counters.refused++;
      ctx.health.degraded(
        `capture store full: a ${hit.kind} capture of ${result.bytes} bytes was refused (${result.reason})`,
        'capture.store_full',
      );
    }
  }

  /** Waits for the captures being written (tests and a clean stop). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    await this.flush();
    this.ring.clear();
    this.store?.close();
    this.store = undefined;
  }
}
