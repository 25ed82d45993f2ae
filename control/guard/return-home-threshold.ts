/** What the guard made of a retask's `returnHomePct`. */
export interface ReturnHomeChange {
  readonly accepted: boolean;
  /** The threshold in force afterwards, %. */
  readonly returnHomePct: number;
  /**
   * Stable codes: `retask.return_home_raised`, `retask.return_home_unchanged`,
   * `retask.return_home_lowered` (back towards the mission's value, never under it),
   * `retask.return_home_below_mission` and `retask.return_home_invalid` (both refused).
   */
  readonly code: string;
  readonly reason: string;
}

/**
 * Decides a requested return-home threshold against the mission file's:
 * a retask may raise it (come home with more in reserve) and lower it back,
 * but never below the mission's value, which the mission's author sized for
 * the way home. Pure: the caller keeps the result.
 *
 * @example
 * boundReturnHomePct({ missionPct: 30, currentPct: 30 }, 40); // accepted, 40 %
 * boundReturnHomePct({ missionPct: 30, currentPct: 40 }, 20); // refused, stays 40 %
 */
export function boundReturnHomePct(
  bounds: { readonly missionPct: number; readonly currentPct: number },
  requestedPct: number,
): ReturnHomeChange {
  const { missionPct, currentPct } = bounds;
  if (!(Number.isFinite(requestedPct) && requestedPct >= 0 && requestedPct <= 100)) {
    return {
      accepted: false,
      returnHomePct: currentPct,
      code: 'retask.return_home_invalid',
      reason: `return-home threshold ${String(requestedPct)} % is not a charge in 0..100; keeping ${currentPct} %`,
    };
  }
  if (requestedPct < missionPct) {
    return {
      accepted: false,
      returnHomePct: currentPct,
      code: 'retask.return_home_below_mission',
      reason: `return-home threshold ${requestedPct} % is below the mission's ${missionPct} %; keeping ${currentPct} %`,
    };
  }
  const code =
    requestedPct > currentPct
      ? 'retask.return_home_raised'
      : requestedPct < currentPct
        ? 'retask.return_home_lowered'
        : 'retask.return_home_unchanged';
  return {
    accepted: true,
    returnHomePct: requestedPct,
    code,
    reason: `return-home threshold ${currentPct} % -> ${requestedPct} % (mission ${missionPct} %)`,
  };
}

/**
 * The return-home battery threshold in force, shared by the battery-reserve
 * rule and the failsafe monitor so a retask moves both at once. Starts at
 * the mission's value and only ever lies at or above it.
 */
export class ReturnHomeThreshold {
  private current: number;

  constructor(readonly missionPct: number) {
    this.current = missionPct;
  }

  get pct(): number {
    return this.current;
  }

  /** Applies a request within bounds (see `boundReturnHomePct`); a refused one changes nothing. */
  request(requestedPct: number): ReturnHomeChange {
    const change = boundReturnHomePct({ missionPct: this.missionPct, currentPct: this.current }, requestedPct);
    if (change.accepted) this.current = change.returnHomePct;
    return change;
  }
}
