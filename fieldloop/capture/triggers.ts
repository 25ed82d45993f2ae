/**
 * When to capture, pure: detections, guard decisions and operator feedback
 * in, trigger hits out. Time is the frames' stamps; randomness is a seeded
 * stream, so the same run captures the same frames.
 */
import type { CaptureTriggers } from '../../missions/index.js';
import type { Decision, Detection, OperatorFeedback } from '../../runtime/index.js';
import { RandomStream } from '../../sim/index.js';

export const TRIGGER_KINDS = ['uncertainty', 'flicker', 'guard_denial', 'operator_feedback', 'random'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export interface TriggerHit {
  readonly kind: TriggerKind;
  /** Camera whose frames the capture takes; undefined when the engine cannot tell (resolved by the caller). */
  readonly camera: string | undefined;
  /** Stamp of the frame that caused it: the capture keeps frames up to `preTriggerMs` before this one. */
  readonly anchorStampMs: number;
  readonly priority: number;
  /** Operator-marked captures are evicted after every other. */
  readonly operatorMarked: boolean;
  readonly detail: Readonly<Record<string, unknown>>;
}

interface TrackSeen {
  readonly firstStampMs: number;
  lastStampMs: number;
  frames: number;
  missed: number;
  readonly className: string;
  maxScore: number;
}

export class TriggerEngine {
  private readonly tracks = new Map<string, Map<number, TrackSeen>>();
  private readonly lastFired = new Map<string, number>();
  private readonly rng: RandomStream | undefined;

  constructor(
    private readonly triggers: CaptureTriggers,
    /** Least time between two hits of one trigger on one camera, ms (by frame stamps). */
    private readonly minIntervalMs: number,
  ) {
    this.rng = triggers.random === undefined ? undefined : new RandomStream(triggers.random.seed, 'fieldloop.capture');
  }

  /** One frame's detections from a perception pipeline. */
  onDetections(camera: string, frameStampMs: number, detections: readonly Detection[]): TriggerHit[] {
    const hits: TriggerHit[] = [];
    const t = this.triggers;
    if (t.uncertainty !== undefined) {
      const u = t.uncertainty;
      const unsure = detections.filter(
        (d) =>
          d.score >= u.minScore && d.score < u.maxScore && (u.classes === undefined || u.classes.includes(d.className)),
      );
      if (unsure.length > 0) {
        this.fire(hits, 'uncertainty', camera, frameStampMs, u.priority, {
          detections: unsure.map((d) => ({
            className: d.className,
            score: d.score,
            ...(d.trackId === undefined ? {} : { trackId: d.trackId }),
          })),
          band: [u.minScore, u.maxScore],
        });
      }
    }
    if (t.flicker !== undefined) this.flicker(hits, camera, frameStampMs, detections, t.flicker);
    // The random draw happens for every frame whether or not it fires, so the sample does not depend on the other triggers.
    if (t.random !== undefined && this.rng !== undefined && this.rng.next() < t.random.probability) {
      this.fire(hits, 'random', camera, frameStampMs, t.random.priority, { probability: t.random.probability });
    }
    return hits;
  }

  /** A guard decision: a denial of an action derived from a camera frame captures that frame. */
  onDecision(decision: Decision): TriggerHit | undefined {
    const g = this.triggers.guardDenial;
    const frameStampMs = decision.basis?.frameStampMs;
    if (g === undefined || decision.verdict !== 'deny' || frameStampMs === undefined) return undefined;
    if (g.codes !== undefined && !g.codes.includes(decision.code)) return undefined;
    const hits: TriggerHit[] = [];
    this.fire(hits, 'guard_denial', undefined, frameStampMs, g.priority, {
      proposalId: decision.proposalId,
      source: decision.source,
      ruleId: decision.ruleId,
      code: decision.code,
      reason: decision.reason,
      action: decision.requested.kind,
    });
    return hits[0];
  }

  /** An operator's correction. Never rate-limited: a person asked for it. */
  onFeedback(
    feedback: OperatorFeedback,
    operator: string,
    fallback: { camera: string; stampMs: number } | undefined,
  ): TriggerHit | undefined {
    const f = this.triggers.operatorFeedback;
    if (f === undefined) return undefined;
    const camera = feedback.camera ?? fallback?.camera;
    const anchorStampMs = feedback.frameStampMs ?? fallback?.stampMs;
    if (camera === undefined || anchorStampMs === undefined) return undefined;
    const { mark, trackId, className, box, note } = feedback;
    return {
      kind: 'operator_feedback',
      camera,
      anchorStampMs,
      priority: f.priority,
      operatorMarked: true,
      detail: {
        operator,
        mark,
        ...(trackId === undefined ? {} : { trackId }),
        ...(className === undefined ? {} : { className }),
        ...(box === undefined ? {} : { box }),
        ...(note === undefined ? {} : { note }),
      },
    };
  }

  private flicker(
    hits: TriggerHit[],
    camera: string,
    stampMs: number,
    detections: readonly Detection[],
    f: NonNullable<CaptureTriggers['flicker']>,
  ): void {
    let tracks = this.tracks.get(camera);
    if (tracks === undefined) {
      tracks = new Map();
      this.tracks.set(camera, tracks);
    }
    const present = new Set<number>();
    for (const d of detections) {
      if (d.trackId === undefined) continue;
      present.add(d.trackId);
      const seen = tracks.get(d.trackId);
      if (seen === undefined) {
        tracks.set(d.trackId, {
          firstStampMs: stampMs,
          lastStampMs: stampMs,
          frames: 1,
          missed: 0,
          className: d.className,
          maxScore: d.score,
        });
      } else {
        seen.frames++;
        seen.missed = 0;
        seen.lastStampMs = stampMs;
        seen.maxScore = Math.max(seen.maxScore, d.score);
      }
    }
    for (const [id, seen] of tracks) {
      if (present.has(id)) continue;
      seen.missed++;
      if (seen.missed < f.goneAfterFrames) continue;
      tracks.delete(id);
      if (seen.frames < f.maxFrames) {
        // Anchored at the track's first frame: the capture shows it appear, live and vanish.
        this.fire(hits, 'flicker', camera, seen.firstStampMs, f.priority, {
          trackId: id,
          className: seen.className,
          frames: seen.frames,
          firstStampMs: seen.firstStampMs,
          lastStampMs: seen.lastStampMs,
          maxScore: seen.maxScore,
        });
      }
    }
  }

  private fire(
    hits: TriggerHit[],
    kind: TriggerKind,
    camera: string | undefined,
    anchorStampMs: number,
    priority: number,
    detail: Record<string, unknown>,
  ): void {
    const key = `${kind}\u0000${camera ?? ''}`;
    const last = this.lastFired.get(key);
    if (last !== undefined && anchorStampMs - last < this.minIntervalMs && anchorStampMs >= last) return;
    this.lastFired.set(key, anchorStampMs);
    hits.push({ kind, camera, anchorStampMs, priority, operatorMarked: false, detail });
  }
}
