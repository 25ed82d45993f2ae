import { ALLOW, deny, modify, type GuardRule } from '../rule.js';
import { poseUsable } from '../zones.js';

export interface AltitudeBandOptions {
  /** Band above home (the local frame's z), m. */
  readonly minM: number;
  readonly maxM: number;
  readonly horizonS: number;
}

/**
 * Altitude band. A climb or descent that would cross the band within the
 * horizon is clamped to reach the edge no sooner than the horizon
 * (`altitude.clamp`); outside the band only moves back towards it keep their
 * vertical speed (`altitude.outside` zeroes the rest). Horizontal motion is
 * left to the other rules. A goto to an altitude outside the band is denied.
 * Landing is always allowed: it leaves the band on purpose.
 */
export function altitudeBandRule(options: AltitudeBandOptions): GuardRule {
  const { minM, maxM, horizonS } = options;
  return {
    id: 'altitude-band',
    evaluate(action, state) {
      if (action.kind === 'goto') {
        const alt = action.altitudeM;
        if (alt === undefined || (alt >= minM && alt <= maxM)) return ALLOW;
        return deny('altitude.target_outside', `goto altitude ${alt} m is outside the band [${minM}, ${maxM}] m`, {
          altitudeM: alt,
          minM,
          maxM,
        });
      }
      if (action.kind !== 'velocity') return ALLOW;
      const vz = action.linearMps.z;
      if (vz === 0) return ALLOW;
      if (!poseUsable(state) || state.pose === undefined) {
        return deny('source.stale', 'no usable pose to check the altitude band against', { source: 'pose' });
      }
      const z = state.pose.positionM.z;
      let limitMps: number;
      let code: string;
      if (z > maxM || z < minM) {
        // Outside: moving back towards the band is the only vertical motion allowed.
        if ((z > maxM && vz < 0) || (z < minM && vz > 0)) return ALLOW;
        limitMps = 0;
        code = 'altitude.outside';
      } else {
        const endM = z + vz * horizonS;
        if (endM <= maxM && endM >= minM) return ALLOW;
        limitMps = vz > 0 ? Math.max(0, (maxM - z) / horizonS) : Math.min(0, (minM - z) / horizonS);
        code = 'altitude.clamp';
      }
      return modify(
        {
          kind: 'velocity',
          linearMps: { x: action.linearMps.x, y: action.linearMps.y, z: limitMps },
          yawRateRps: action.yawRateRps,
        },
        code,
        code === 'altitude.outside'
          ? `at ${z.toFixed(1)} m, outside the band [${minM}, ${maxM}] m; vertical speed held at 0`
          : `climb of ${vz} m/s would leave the band [${minM}, ${maxM}] m within ${horizonS} s; clamped to ${limitMps.toFixed(2)} m/s`,
        { altitudeM: z, requestedMps: vz, limitMps, minM, maxM },
      );
    },
  };
}
