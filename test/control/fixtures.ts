/**
 * Tiny builders for guard tests: a pose, a velocity, a proposal, a state and
 * guardrails with the schema's defaults filled in.
 */
import type { Guardrails } from '../../missions/index.js';
import { yawToQuaternion } from '../../runtime/index.js';
import type { Action, LaserScan, PoseEstimate, Target, VelocityAction } from '../../runtime/index.js';
import type { GuardProposal, GuardState } from '../../control/index.js';

/** Clock time every test decides at, epoch ms. */
export const NOW = Date.UTC(2026, 0, 1, 12);

export function pose(x: number, y: number, yawRad = 0, z = 0): PoseEstimate {
  return {
    frameId: 'map',
    positionM: { x, y, z },
    orientation: yawToQuaternion(yawRad),
    yawRad,
    poseCovariance: new Array<number>(36).fill(0),
    linearVelocityMps: { x: 0, y: 0, z: 0 },
    yawRateRps: 0,
    source: 'test',
  };
}

export function vel(x: number, y = 0, z = 0, yawRateRps = 0): VelocityAction {
  return { kind: 'velocity', linearMps: { x, y, z }, yawRateRps };
}

export function gotoLocal(x: number, y: number, extra: { altitudeM?: number; speedMps?: number } = {}): Action {
  return { kind: 'goto', target: { frame: 'local', x, y }, ...extra };
}

let seq = 0;
export function proposal(action: Action, extra: Partial<GuardProposal> = {}): GuardProposal {
  return { id: `p-${++seq}`, source: 'behavior/test', action, proposedAtMs: NOW, ...extra };
}

export function state(extra: Partial<GuardState> = {}): GuardState {
  return { pose: pose(0, 0), poseStampMs: NOW - 10, targets: [], ...extra };
}

export function guardrails(extra: Partial<Guardrails> = {}): Guardrails {
  return { geofence: [], noGo: [], horizonS: 3, standoff: [], requireConfirmation: [], ...extra };
}

export function target(id: string, className: string, x: number, y: number): Target {
  return { id, className, positionM: { x, y, z: 0 }, varianceM2: { x: 0.1, y: 0.1 }, confidence: 0.9, lastSeenMs: NOW };
}

/** A 360-beam scan, 1° apart from angle 0, with `hits` at given beams and no return elsewhere. */
export function scan(hits: Readonly<Record<number, number>>): LaserScan {
  const rangesM = new Float32Array(360).fill(Infinity);
  for (const [beam, r] of Object.entries(hits)) rangesM[Number(beam)] = r;
  return {
    frameId: 'base_link',
    angleMinRad: 0,
    angleIncrementRad: Math.PI / 180,
    rangeMinM: 0.05,
    rangeMaxM: 30,
    rangesM,
  };
}

/** Square ring [x, y] of half-size `h` centred at (cx, cy). */
export function square(h: number, cx = 0, cy = 0): [number, number][] {
  return [
    [cx - h, cy - h],
    [cx + h, cy - h],
    [cx + h, cy + h],
    [cx - h, cy + h],
  ];
}

/** A U shape opening north: arms x∈[0,10] and x∈[20,30], joined along y∈[0,10]; the notch is x∈(10,20), y>10. */
export const U_SHAPE: [number, number][] = [
  [0, 0],
  [30, 0],
  [30, 30],
  [20, 30],
  [20, 10],
  [10, 10],
  [10, 30],
  [0, 30],
];
