/**
 * What became of each scripted fire at the end of a simulated run: the
 * ground truth a scenario is judged on (the scenario suite, `kestrel model
 * promote --fly`).
 */
import { CELL_BURNING, CELL_BURNT, CELL_EXTINGUISHED } from './entities/fire.js';
import type { SimWorld } from './world.js';

/** One scripted ignition and the state of the fire cells nearest to it. */
export interface IgnitionOutcome {
  readonly at: readonly [number, number];
  readonly atS: number;
  readonly burning: number;
  readonly burnt: number;
  readonly extinguished: number;
}

/**
 * Each fire cell that ever caught belongs to the ignition nearest to it.
 * A fire is out when none of its cells burn and water put some out.
 */
export function ignitionOutcomes(world: SimWorld): IgnitionOutcome[] {
  const fire = world.fire;
  const spec = world.scenario.fire;
  if (fire === undefined || spec === undefined) return [];
  const out = spec.ignitions.map((i) => ({ at: i.at, atS: i.atS, burning: 0, burnt: 0, extinguished: 0 }));
  for (let c = 0; c < fire.state.length; c++) {
    const st = fire.state[c];
    if (st !== CELL_BURNING && st !== CELL_BURNT && st !== CELL_EXTINGUISHED) continue;
    const x = fire.cellCenterX(c);
    const y = fire.cellCenterY(c);
    let best = out[0];
    for (const o of out) {
      if (best === undefined || Math.hypot(o.at[0] - x, o.at[1] - y) < Math.hypot(best.at[0] - x, best.at[1] - y))
        best = o;
    }
    if (best === undefined) continue;
    if (st === CELL_BURNING) best.burning++;
    else if (st === CELL_BURNT) best.burnt++;
    else best.extinguished++;
  }
  return out;
}
