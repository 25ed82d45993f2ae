import type { Action, PoseEstimate, VelocityAction } from '../../runtime/index.js';

/**
 * Where a velocity command takes the robot over the guard's horizon. The
 * command is held constant in the body frame, so with a yaw rate the path is
 * a circular arc; it is sampled into chords fine enough that the arc strays
 * at most `arcToleranceM` from them (sagitta r·(1 − cos(φ/2)) per chord of
 * angle φ). Straight paths are one exact segment.
 *
 * Scaling a command's linear velocity and yaw rate by the same f in [0, 1]
 * traces the first f of the same path, which is what lets the zone rules
 * slow a command to end exactly where its path would first break a zone.
 */
/** Length of (x, y). `Math.hypot` guards against overflow at a cost the hot path does not need for speeds in m/s. */
export function norm(x: number, y: number): number {
  return Math.sqrt(x * x + y * y);
}

export class PathSampler {
  /** Path vertices in the local ENU frame, m; `count` are valid. */
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  count = 0;
  /** Length of the sampled path, m. */
  lengthM = 0;

  constructor(
    private readonly maxSegments = 64,
    private readonly arcToleranceM = 0.02,
  ) {
    this.xs = new Float64Array(maxSegments + 1);
    this.ys = new Float64Array(maxSegments + 1);
  }

  private lastPose: PoseEstimate | undefined;
  private lastAction: VelocityAction | undefined;
  private lastHorizonS = NaN;

  /**
   * Fills the path of `action` from `pose` over `horizonS`; returns the vertex
   * count (≥ 1). The fence, no-go and standoff rules share one sampler, and a
   * call with the same pose and action objects as the last reuses its path:
   * actions and poses are immutable values, so identity means equality.
   */
  sample(pose: PoseEstimate, action: VelocityAction, horizonS: number): number {
    if (pose === this.lastPose && action === this.lastAction && horizonS === this.lastHorizonS) return this.count;
    this.lastPose = pose;
    this.lastAction = action;
    this.lastHorizonS = horizonS;
    const x0 = pose.positionM.x;
    const y0 = pose.positionM.y;
    const yaw = pose.yawRad;
    const vx = action.linearMps.x;
    const vy = action.linearMps.y;
    const w = action.yawRateRps;
    this.xs[0] = x0;
    this.ys[0] = y0;
    this.lengthM = 0;
    if (vx === 0 && vy === 0) {
      this.count = 1;
      return 1;
    }
    const turn = Math.abs(w * horizonS);
    if (turn < 1e-9) {
      const c = Math.cos(yaw);
      const s = Math.sin(yaw);
      this.xs[1] = x0 + (c * vx - s * vy) * horizonS;
      this.ys[1] = y0 + (s * vx + c * vy) * horizonS;
      this.lengthM = norm(vx, vy) * horizonS;
      this.count = 2;
      return 2;
    }
    const radiusM = norm(vx, vy) / Math.abs(w);
    // Largest chord angle whose sagitta stays within tolerance; a tolerance above the radius allows a half turn.
    const ratio = 1 - this.arcToleranceM / radiusM;
    const maxStepRad = ratio <= -1 ? Math.PI : 2 * Math.acos(Math.max(-1, ratio));
    const segments = Math.min(this.maxSegments, Math.max(1, Math.ceil(turn / maxStepRad)));
    const s0 = Math.sin(yaw);
    const c0 = Math.cos(yaw);
    for (let k = 1; k <= segments; k++) {
      const th = yaw + (w * horizonS * k) / segments;
      const ds = Math.sin(th) - s0;
      const dc = Math.cos(th) - c0;
      this.xs[k] = x0 + (vx * ds + vy * dc) / w;
      this.ys[k] = y0 + (-vx * dc + vy * ds) / w;
    }
    this.count = segments + 1;
    let lengthM = 0;
    for (let k = 1; k <= segments; k++) {
      lengthM += norm(
        (this.xs[k] as number) - (this.xs[k - 1] as number),
        (this.ys[k] as number) - (this.ys[k - 1] as number),
      );
    }
    this.lengthM = lengthM;
    return this.count;
  }
}

/** The same command with linear velocity and yaw rate scaled by `f` (0..1). */
export function scaleVelocity(action: VelocityAction, f: number): VelocityAction {
  return {
    kind: 'velocity',
    linearMps: { x: action.linearMps.x * f, y: action.linearMps.y * f, z: action.linearMps.z * f },
    yawRateRps: action.yawRateRps * f,
  };
}

/** Horizontal speed of a velocity command, m/s. */
export function horizontalSpeedMps(action: VelocityAction): number {
  return norm(action.linearMps.x, action.linearMps.y);
}

/**
 * Whether `after` is no looser than `before`: same kind (or a stop/hold in
 * place of a motion), and no speed or rate component grew. This is the
 * pipeline's "zones only tighten" check; it compares magnitudes, not
 * directions, because an acceleration limit legitimately turns a command.
 */
export function tightens(before: Action, after: Action): boolean {
  if (after.kind === 'stop') return true;
  if (after.kind === 'hold') return before.kind === 'hold' || before.kind === 'velocity' || before.kind === 'goto';
  if (before.kind !== after.kind) return false;
  const slack = 1e-9;
  if (before.kind === 'velocity' && after.kind === 'velocity') {
    return (
      horizontalSpeedMps(after) <= horizontalSpeedMps(before) + slack &&
      Math.abs(after.linearMps.z) <= Math.abs(before.linearMps.z) + slack &&
      Math.abs(after.yawRateRps) <= Math.abs(before.yawRateRps) + slack
    );
  }
  if (before.kind === 'goto' && after.kind === 'goto') {
    if (after.target !== before.target && JSON.stringify(after.target) !== JSON.stringify(before.target)) return false;
    if (after.altitudeM !== before.altitudeM) return false;
    if (before.speedMps === undefined) return true;
    return after.speedMps !== undefined && after.speedMps <= before.speedMps + slack;
  }
  if (before.kind === 'payload' && after.kind === 'payload') {
    if (after.on && !before.on) return false;
    if (before.durationS === undefined) return true;
    return after.durationS !== undefined && after.durationS <= before.durationS + slack;
  }
  // Other kinds have nothing to tighten: a rule may only pass them through unchanged.
  return after === before || JSON.stringify(after) === JSON.stringify(before);
}

export interface ApproachOptions {
  readonly horizonS: number;
  /** Below this fraction of the command's speed the robot stops instead of crawling. */
  readonly minFraction: number;
  /** A slowed path ends this far short of the boundary, m (covers the arc sampling error). */
  readonly clearanceM: number;
}

/**
 * Nav2's approach zone, as a value: `fraction` is how much of the predicted
 * path is safe (`Infinity`: all of it). A command whose path breaks a zone
 * within the horizon is slowed so that its horizon ends `clearanceM` short of
 * the break; one that would break it almost at once stops (or is denied, for
 * rules that deny approaches).
 *
 * @returns `undefined` when the whole path is safe, else the scale factor in
 *   [0, 1) to apply, where 0 means stop.
 */
export function approachScale(fraction: number, pathLengthM: number, options: ApproachOptions): number | undefined {
  if (fraction >= 1) return undefined;
  const s = pathLengthM > 0 ? fraction - options.clearanceM / pathLengthM : 0;
  return s < options.minFraction ? 0 : s;
}
