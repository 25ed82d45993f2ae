/**
 * ByteTrack-style multi-object tracker (Zhang et al. 2022, "ByteTrack:
 * Multi-Object Tracking by Associating Every Detection Box").
 *
 *  1. Predict every track with a constant-velocity Kalman filter.
 *  2. Match high-score detections to tracked and lost tracks on IoU.
 *  3. Match low-score detections to the still-unmatched tracked tracks
 *     (the boxes of a partly occluded object usually score low: keep them).
 *  4. Unmatched tracks become lost; lost longer than `maxLostMs` → removed.
 *  5. Unmatched high-score detections start tentative tracks, confirmed on
 *     their next match.
 *
 * State per track is (cx, cy, w, h) with velocities. The process and
 * measurement noise are diagonal (as in ByteTrack), so the 8×8 filter splits
 * exactly into four independent 2×2 filters [position, velocity] — the same
 * result for a fraction of the arithmetic. Time is an argument: `update`
 * takes the frame stamp, so variable frame rates and the simulator work.
 */
import { iou } from './nms.js';
import type { Detection } from './types.js';

export interface TrackerOptions {
  /** Detections at or above this score (0..1) take part in the first association. Default 0.5. */
  readonly highScoreThreshold: number;
  /** Detections under this score are ignored entirely. Default 0.1. */
  readonly lowScoreThreshold: number;
  /** An unmatched detection at or above this score starts a track. Default 0.6. */
  readonly newTrackThreshold: number;
  /** Minimum IoU (0..1) to pair a high-score detection with a track. Default 0.2. */
  readonly matchIou: number;
  /** Minimum IoU (0..1) to pair a low-score detection with a track. Default 0.5. */
  readonly lowScoreMatchIou: number;
  /** A lost track is removed after this long without a match, milliseconds. Default 1000. */
  readonly maxLostMs: number;
  /** Only pair detections with tracks of the same class. Default true. */
  readonly classAware: boolean;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  highScoreThreshold: 0.5,
  lowScoreThreshold: 0.1,
  newTrackThreshold: 0.6,
  matchIou: 0.2,
  lowScoreMatchIou: 0.5,
  maxLostMs: 1000,
  classAware: true,
};

export type TrackState = 'tentative' | 'tracked' | 'lost' | 'removed';

/** A detection with the track it belongs to. */
export interface TrackedDetection extends Detection {
  readonly trackId: number;
  /** Milliseconds since the track was born. */
  readonly trackAgeMs: number;
  /** Frames this track has been matched in. */
  readonly hits: number;
}

/** A track as `tracks()` reports it. */
export interface TrackSnapshot {
  readonly trackId: number;
  readonly state: TrackState;
  readonly classId: number;
  readonly className: string;
  readonly score: number;
  /** Filtered box, original image pixels. */
  readonly box: { x1: number; y1: number; x2: number; y2: number };
  /** Estimated velocity of the box centre, pixels per second. */
  readonly velocityPxPerS: { x: number; y: number };
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly hits: number;
}

// ByteTrack's noise weights, per frame at 30 Hz, scaled by box height.
const FRAME_S = 1 / 30;
const STD_POS = 1 / 20;
const STD_VEL = 1 / 160;

class Track {
  /** Per axis a (cx, cy, w, h): position, velocity (px/s). */
  readonly x = new Float64Array(8);
  /** Per axis covariance [pp, pv, vv]. */
  readonly p = new Float64Array(12);
  state: TrackState;
  hits = 1;
  score: number;
  lastSeenMs: number;

  constructor(
    readonly id: number,
    readonly classId: number,
    public className: string,
    det: Detection,
    readonly firstSeenMs: number,
    confirmed: boolean,
  ) {
    this.state = confirmed ? 'tracked' : 'tentative';
    this.score = det.score;
    this.lastSeenMs = firstSeenMs;
    const z = measure(det);
    const h = Math.max(z[3], 1);
    for (let a = 0; a < 4; a++) {
      this.x[2 * a] = z[a] ?? 0;
      this.x[2 * a + 1] = 0;
      this.p[3 * a] = (2 * STD_POS * h) ** 2;
      this.p[3 * a + 1] = 0;
      this.p[3 * a + 2] = ((10 * STD_VEL * h) / FRAME_S) ** 2;
    }
  }

  predict(dtS: number): void {
    if (dtS <= 0) return;
    const h = Math.max(this.x[6] ?? 1, 1);
    // Noise grows with elapsed time in frames, so a dropped frame widens the gate.
    const frames = dtS / FRAME_S;
    const qp = (STD_POS * h) ** 2 * frames;
    const qv = ((STD_VEL * h) / FRAME_S) ** 2 * frames;
    for (let a = 0; a < 4; a++) {
      const i = 2 * a;
      const k = 3 * a;
      const v = this.x[i + 1] ?? 0;
      this.x[i] = (this.x[i] ?? 0) + v * dtS;
      const pp = this.p[k] ?? 0;
      const pv = this.p[k + 1] ?? 0;
      const vv = this.p[k + 2] ?? 0;
      // P = F P Fᵀ + Q with F = [[1, dt], [0, 1]].
      this.p[k] = pp + 2 * dtS * pv + dtS * dtS * vv + qp;
      this.p[k + 1] = pv + dtS * vv;
      this.p[k + 2] = vv + qv;
    }
    // Size never goes below a pixel, whatever the velocity says.
    this.x[4] = Math.max(this.x[4] ?? 1, 1);
    this.x[6] = Math.max(this.x[6] ?? 1, 1);
  }

  correct(det: Detection, nowMs: number): void {
    const z = measure(det);
    const h = Math.max(this.x[6] ?? 1, 1);
    const r = (STD_POS * h) ** 2;
    for (let a = 0; a < 4; a++) {
      const i = 2 * a;
      const k = 3 * a;
      const pp = this.p[k] ?? 0;
      const pv = this.p[k + 1] ?? 0;
      const vv = this.p[k + 2] ?? 0;
      // H = [1, 0]: S = pp + r, K = [pp, pv] / S.
      const s = pp + r;
      const k0 = pp / s;
      const k1 = pv / s;
      const y = (z[a] ?? 0) - (this.x[i] ?? 0);
      this.x[i] = (this.x[i] ?? 0) + k0 * y;
      this.x[i + 1] = (this.x[i + 1] ?? 0) + k1 * y;
      this.p[k] = (1 - k0) * pp;
      this.p[k + 1] = (1 - k0) * pv;
      this.p[k + 2] = vv - k1 * pv;
    }
    this.score = det.score;
    this.className = det.className;
    this.lastSeenMs = nowMs;
    this.hits++;
  }

  box(): { x1: number; y1: number; x2: number; y2: number } {
    const cx = this.x[0] ?? 0;
    const cy = this.x[2] ?? 0;
    const hw = (this.x[4] ?? 0) / 2;
    const hh = (this.x[6] ?? 0) / 2;
    return { x1: cx - hw, y1: cy - hh, x2: cx + hw, y2: cy + hh };
  }
}

function measure(d: Detection): [number, number, number, number] {
  const { x1, y1, x2, y2 } = d.box;
  return [(x1 + x2) / 2, (y1 + y2) / 2, Math.max(x2 - x1, 1), Math.max(y2 - y1, 1)];
}

/**
 * Greedy association: all pairs at or above `minIou`, best first. With
 * Kalman-predicted boxes the best pair is the right one in crossings; for the
 * handful of objects a camera sees this matches the Hungarian result almost
 * always at a fraction of the code.
 */
function associate(
  tracks: readonly Track[],
  dets: readonly Detection[],
  minIou: number,
  classAware: boolean,
): { pairs: [Track, Detection][]; restTracks: Track[]; restDets: Detection[] } {
  const cand: { t: number; d: number; iou: number }[] = [];
  const boxes = tracks.map((t) => t.box());
  for (let ti = 0; ti < tracks.length; ti++) {
    const tb = boxes[ti];
    const track = tracks[ti];
    if (tb === undefined || track === undefined) continue;
    for (let di = 0; di < dets.length; di++) {
      const d = dets[di];
      if (d === undefined || (classAware && d.classId !== track.classId)) continue;
      const v = iou(tb.x1, tb.y1, tb.x2, tb.y2, d.box.x1, d.box.y1, d.box.x2, d.box.y2);
      if (v >= minIou) cand.push({ t: ti, d: di, iou: v });
    }
  }
  cand.sort((a, b) => b.iou - a.iou);
  const usedT = new Uint8Array(tracks.length);
  const usedD = new Uint8Array(dets.length);
  const pairs: [Track, Detection][] = [];
  for (const c of cand) {
    if (usedT[c.t] === 1 || usedD[c.d] === 1) continue;
    usedT[c.t] = 1;
    usedD[c.d] = 1;
    const t = tracks[c.t];
    const d = dets[c.d];
    if (t !== undefined && d !== undefined) pairs.push([t, d]);
  }
  return {
    pairs,
    restTracks: tracks.filter((_, i) => usedT[i] === 0),
    restDets: dets.filter((_, i) => usedD[i] === 0),
  };
}

export class Tracker {
  readonly options: TrackerOptions;
  private tracksList: Track[] = [];
  private nextId = 1;
  private lastMs: number | undefined;

  constructor(options: Partial<TrackerOptions> = {}) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
  }

  /**
   * Feeds one frame's detections, stamped `nowMs` (the frame's capture time,
   * ms; must not go backwards). Returns the detections that belong to
   * confirmed tracks, each with its track id.
   */
  update(detections: readonly Detection[], nowMs: number): TrackedDetection[] {
    const o = this.options;
    const first = this.lastMs === undefined;
    const dtS = first ? 0 : Math.max(0, nowMs - (this.lastMs ?? nowMs)) / 1000;
    this.lastMs = nowMs;
    for (const t of this.tracksList) t.predict(dtS);

    const high = detections.filter((d) => d.score >= o.highScoreThreshold);
    const low = detections.filter((d) => d.score < o.highScoreThreshold && d.score >= o.lowScoreThreshold);
    const output: TrackedDetection[] = [];
    const emit = (t: Track, d: Detection): void => {
      if (t.state === 'tracked') {
        output.push({ ...d, trackId: t.id, trackAgeMs: nowMs - t.firstSeenMs, hits: t.hits });
      }
    };

    // Stage 1: high-score detections against confirmed tracks, tracked and lost.
    const confirmed = this.tracksList.filter((t) => t.state === 'tracked' || t.state === 'lost');
    const s1 = associate(confirmed, high, o.matchIou, o.classAware);
    for (const [t, d] of s1.pairs) {
      t.correct(d, nowMs);
      t.state = 'tracked';
      emit(t, d);
    }
    // Stage 2: low-score detections against tracks that were tracked last frame.
    const s2 = associate(
      s1.restTracks.filter((t) => t.state === 'tracked'),
      low,
      o.lowScoreMatchIou,
      o.classAware,
    );
    for (const [t, d] of s2.pairs) {
      t.correct(d, nowMs);
      emit(t, d);
    }
    const matched = new Set<Track>([...s1.pairs.map((p) => p[0]), ...s2.pairs.map((p) => p[0])]);
    for (const t of s1.restTracks) if (!matched.has(t)) t.state = 'lost';

    // Stage 3: tentative tracks get one chance to be confirmed by what is left.
    const tentative = this.tracksList.filter((t) => t.state === 'tentative');
    const s3 = associate(tentative, s1.restDets, o.matchIou, o.classAware);
    for (const [t, d] of s3.pairs) {
      t.correct(d, nowMs);
      t.state = 'tracked';
      emit(t, d);
    }
    for (const t of s3.restTracks) t.state = 'removed';

    // Births. On the very first frame tracks are confirmed at once (as ByteTrack does).
    for (const d of s3.restDets) {
      if (d.score < o.newTrackThreshold) continue;
      const t = new Track(this.nextId++, d.classId, d.className, d, nowMs, first);
      this.tracksList.push(t);
      emit(t, d);
    }
    for (const t of this.tracksList) {
      if (t.state === 'lost' && nowMs - t.lastSeenMs > o.maxLostMs) t.state = 'removed';
    }
    this.tracksList = this.tracksList.filter((t) => t.state !== 'removed');
    return output;
  }

  /** Live tracks (tentative, tracked and lost), oldest first. */
  tracks(): TrackSnapshot[] {
    return this.tracksList.map((t) => ({
      trackId: t.id,
      state: t.state,
      classId: t.classId,
      className: t.className,
      score: t.score,
      box: t.box(),
      velocityPxPerS: { x: t.x[1] ?? 0, y: t.x[3] ?? 0 },
      firstSeenMs: t.firstSeenMs,
      lastSeenMs: t.lastSeenMs,
      hits: t.hits,
    }));
  }

  reset(): void {
    this.tracksList = [];
    this.lastMs = undefined;
  }
}
