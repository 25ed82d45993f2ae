import type { Action, EnuFrame } from '../../runtime/index.js';
import type { Battery } from './battery.js';
import type { Payload } from './payload.js';

/**
 * True state of a simulated vehicle in the local ENU frame. Mutable inside
 * the simulator; everyone else reads it.
 */
export class VehicleState {
  x = 0;
  y = 0;
  /** Height above ground, m. */
  z = 0;
  yawRad = 0;
  rollRad = 0;
  pitchRad = 0;
  /** World-frame velocity, m/s. */
  vx = 0;
  vy = 0;
  vz = 0;
  /** World-frame acceleration, m/s². */
  ax = 0;
  ay = 0;
  az = 0;
  rollRateRps = 0;
  pitchRateRps = 0;
  yawRateRps = 0;
  /** Wheel surface speeds (ground vehicles), m/s. */
  leftWheelMps = 0;
  rightWheelMps = 0;
  /** Track width between the drive wheels, m (0 for vehicles without wheels). */
  wheelBaseM = 0;
  landed = true;
  /** Set when the last step was blocked by an obstacle. */
  collided = false;
  mode: ModeKind = 'idle';
}

export type ModeKind = 'idle' | 'velocity' | 'goto' | 'hold' | 'land' | 'stop';

/** What the vehicle is doing, derived from the last action. */
export type Mode =
  | { readonly kind: 'idle' }
  | {
      readonly kind: 'velocity';
      readonly fx: number;
      readonly fy: number;
      readonly fz: number;
      readonly yawRateRps: number;
      readonly untilS: number;
    }
  | {
      readonly kind: 'goto';
      readonly x: number;
      readonly y: number;
      readonly z: number | undefined;
      readonly speedMps: number;
      readonly then: 'hold' | 'land';
    }
  | { readonly kind: 'hold'; readonly x: number; readonly y: number; readonly z: number }
  | { readonly kind: 'land' }
  | { readonly kind: 'stop' };

/** What a vehicle needs from the world around it. */
export interface VehicleEnv {
  readonly home: { readonly x: number; readonly y: number; readonly yawRad: number };
  readonly frame: EnuFrame;
  /** True when a disc of `radiusM` at (x, y) touches a wall or obstacle. */
  collides(x: number, y: number, radiusM: number): boolean;
}

export interface SimVehicle {
  readonly kind: 'multirotor' | 'ground' | 'fixed_site';
  readonly state: VehicleState;
  readonly battery: Battery;
  readonly payload: Payload;
  /** Footprint radius for collisions and lidar, m. */
  readonly radiusM: number;
  /** Takes an action (velocity, goto, hold, return_home, land, payload, stop…) at sim time `nowS`. */
  apply(action: Action, nowS: number): void;
  /** Advances the vehicle; returns litres of payload released during the step. */
  step(dtS: number, nowS: number): number;
}

/**
 * A velocity command holds for this long unless renewed (as PX4 offboard
 * setpoints do): a controller that dies must not leave the robot driving.
 */
export const VELOCITY_TIMEOUT_S = 1;

/** Turns a geo or local goto target into local metres. */
export function gotoTarget(action: Extract<Action, { kind: 'goto' }>, frame: EnuFrame): { x: number; y: number } {
  const t = action.target;
  if (t.frame === 'local') return { x: t.x, y: t.y };
  const enu = frame.toEnu(t.lat, t.lon, frame.origin.altM);
  return { x: enu.x, y: enu.y };
}
