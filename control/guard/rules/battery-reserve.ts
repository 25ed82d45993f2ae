import type { Action } from '../../../runtime/index.js';
import { ageMs, ALLOW, deny, type GuardRule } from '../rule.js';

export interface BatteryReserveOptions {
  /** At or below this charge only the way home is allowed, %. */
  readonly returnHomePct: number;
  /** At or below this charge only landing (and stopping) is allowed, %. */
  readonly landPct: number;
  /** A battery reading older than this is stale, ms. Default 10000. */
  readonly staleAfterMs?: number;
  /** The threshold in force after retasks; wins over `returnHomePct` when given. */
  readonly returnHome?: { readonly pct: number };
}

/** What may still run at each level. Gimbal moves cost nothing and help the operator see. */
const AT_RESERVE: ReadonlySet<Action['kind']> = new Set(['return_home', 'land', 'hold', 'stop', 'gimbal']);
const AT_CRITICAL: ReadonlySet<Action['kind']> = new Set(['land', 'hold', 'stop', 'gimbal']);

/**
 * Battery reserve: at or below `returnHomePct` only return home, land, hold
 * and stop run (`battery.reserve`); at or below `landPct`, not even return
 * home (`battery.critical`). Without a fresh reading, outbound actions are
 * denied with `source.stale`: an unknown charge is not a full one.
 * The failsafe monitor triggers the return; this rule stops anything else
 * from undoing it.
 */
export function batteryReserveRule(options: BatteryReserveOptions): GuardRule {
  const staleAfterMs = options.staleAfterMs ?? 10_000;
  return {
    id: 'battery-reserve',
    evaluate(action, state, nowMs) {
      if (AT_CRITICAL.has(action.kind)) return ALLOW;
      const battery = state.battery;
      const age = ageMs(state.batteryStampMs, nowMs);
      if (battery === undefined || !(age <= staleAfterMs)) {
        if (action.kind === 'return_home') return ALLOW;
        return deny(
          'source.stale',
          battery === undefined ? 'no battery reading yet' : `battery reading is ${Math.round(age)} ms old`,
          {
            source: 'battery',
            ageMs: Number.isFinite(age) ? age : null,
            staleAfterMs,
          },
        );
      }
      const pct = battery.percent;
      if (!Number.isFinite(pct)) {
        return deny('battery.invalid', `battery reports ${String(pct)} %`, { percent: String(pct) });
      }
      if (pct <= options.landPct) {
        return deny('battery.critical', `battery at ${pct} % (land at ${options.landPct} %): only land, hold or stop`, {
          percent: pct,
          landPct: options.landPct,
        });
      }
      const returnHomePct = options.returnHome?.pct ?? options.returnHomePct;
      if (pct <= returnHomePct && !AT_RESERVE.has(action.kind)) {
        return deny(
          'battery.reserve',
          `battery at ${pct} % (return home at ${returnHomePct} %): the reserve is for the way home`,
          {
            percent: pct,
            returnHomePct,
          },
        );
      }
      return ALLOW;
    },
  };
}
