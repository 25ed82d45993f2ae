/**
 * The filter's state vector, in robot_localization's order: pose in the world
 * frame (map, ENU), velocities and accelerations in the body frame (FLU).
 */
export const STATE_FIELDS = [
  'x',
  'y',
  'z',
  'roll',
  'pitch',
  'yaw',
  'vx',
  'vy',
  'vz',
  'vroll',
  'vpitch',
  'vyaw',
  'ax',
  'ay',
  'az',
] as const;

export type StateField = (typeof STATE_FIELDS)[number];

export const STATE_SIZE = STATE_FIELDS.length;

export const S = {
  x: 0,
  y: 1,
  z: 2,
  roll: 3,
  pitch: 4,
  yaw: 5,
  vx: 6,
  vy: 7,
  vz: 8,
  vroll: 9,
  vpitch: 10,
  vyaw: 11,
  ax: 12,
  ay: 13,
  az: 14,
} as const satisfies Record<StateField, number>;

/** Fields that stay zero in 2D mode (robot_localization's two_d_mode). */
export const OUT_OF_PLANE: readonly number[] = [S.z, S.roll, S.pitch, S.vz, S.vroll, S.vpitch, S.az];

export function fieldIndex(name: StateField): number {
  return S[name];
}
