import { pointInPolygon, type XY } from '../geometry.js';
import type { RandomStream } from '../random.js';
import type { ScenarioFire } from '../scenario/schema.js';

/** Cell states of the fuel grid. */
export const CELL_UNBURNT = 0;
export const CELL_BURNING = 1;
export const CELL_BURNT = 2;
export const CELL_EXTINGUISHED = 3;

/** Fire advances in fixed 100 ms ticks, so its random draws do not depend on the physics step. */
const TICK_S = 0.1;
/** A cell reaches full intensity this long after it ignites, s. */
const RAMP_S = 20;
/** Once its fuel is gone a cell dies down over this long, s. */
const DECAY_S = 30;
/** Wet ground resists ignition this long per cell-load of water, s. */
const WET_S_PER_LOAD = 120;
/** How strongly wind favours downwind spread: factor exp(k·v·cosθ). */
const WIND_GAIN_PER_MPS = 0.35;

const NEIGHBOURS: readonly (readonly [number, number])[] = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
  [1, 1],
  [1, -1],
  [-1, 1],
  [-1, -1],
];

export interface FireGridOptions {
  readonly bounds: { minX: number; minY: number; maxX: number; maxY: number };
  readonly spec: ScenarioFire;
  /** Wind the fire spreads with: speed m/s and the direction it blows toward, radians from east. */
  readonly wind: { speedMps: number; towardRad: number };
}

/**
 * Wildfire on a grid of fuel cells (a cellular automaton, like the classic
 * forest-fire models): a burning cell ignites each neighbour with a chance per
 * second scaled by the neighbour's fuel, its own intensity and the wind, burns
 * its fuel down, then dies out. Water lowers intensity and wets cells so they
 * resist ignition. State is typed arrays indexed by cell.
 */
export class FireGrid {
  readonly cellM: number;
  readonly cols: number;
  readonly rows: number;
  readonly x0: number;
  readonly y0: number;
  /** Remaining fuel, 0..1. */
  readonly fuel: Float32Array;
  /** Flame intensity, 0..1 (non-zero only while burning). */
  readonly intensity: Float32Array;
  readonly state: Uint8Array;
  /** Seconds the cell stays too wet to ignite. */
  readonly wetS: Float32Array;
  /** Ignition time of each cell, s (NaN never). */
  readonly ignitedAtS: Float32Array;
  private burning: number[] = [];
  private readonly pending: { x: number; y: number; atS: number }[];
  private readonly windFactor: Float32Array;
  private readonly spec: ScenarioFire;
  private accS = 0;
  private timeS = 0;
  private burntCount = 0;
  private extinguishedCount = 0;

  constructor(
    options: FireGridOptions,
    private readonly rng: RandomStream,
  ) {
    const { bounds, spec, wind } = options;
    this.spec = spec;
    this.cellM = spec.cellM;
    this.x0 = bounds.minX;
    this.y0 = bounds.minY;
    this.cols = Math.max(1, Math.ceil((bounds.maxX - bounds.minX) / spec.cellM));
    this.rows = Math.max(1, Math.ceil((bounds.maxY - bounds.minY) / spec.cellM));
    const n = this.cols * this.rows;
    this.fuel = new Float32Array(n);
    this.intensity = new Float32Array(n);
    this.state = new Uint8Array(n);
    this.wetS = new Float32Array(n);
    this.ignitedAtS = new Float32Array(n).fill(Number.NaN);
    for (const f of spec.fuel) this.paintFuel(f.polygon, f.load);
    this.pending = spec.ignitions.map((i) => ({ x: i.at[0], y: i.at[1], atS: i.atS })).sort((a, b) => a.atS - b.atS);
    this.windFactor = new Float32Array(NEIGHBOURS.length);
    NEIGHBOURS.forEach(([dx, dy], k) => {
      const cos = (dx * Math.cos(wind.towardRad) + dy * Math.sin(wind.towardRad)) / Math.hypot(dx, dy);
      // Diagonal neighbours are √2 further away: they catch less often.
      this.windFactor[k] = Math.exp(WIND_GAIN_PER_MPS * wind.speedMps * cos) / Math.hypot(dx, dy);
    });
  }

  get burningCount(): number {
    return this.burning.length;
  }

  get burntCells(): number {
    return this.burntCount;
  }

  get extinguishedCells(): number {
    return this.extinguishedCount;
  }

  /** Cell index at a point, or -1 outside the grid. */
  cellAt(x: number, y: number): number {
    const c = Math.floor((x - this.x0) / this.cellM);
    const r = Math.floor((y - this.y0) / this.cellM);
    if (c < 0 || r < 0 || c >= this.cols || r >= this.rows) return -1;
    return r * this.cols + c;
  }

  cellCenterX(i: number): number {
    return this.x0 + ((i % this.cols) + 0.5) * this.cellM;
  }

  cellCenterY(i: number): number {
    return this.y0 + (Math.floor(i / this.cols) + 0.5) * this.cellM;
  }

  /** Indices of the burning cells (borrowed: do not keep across steps). */
  burningCells(): readonly number[] {
    return this.burning;
  }

  /** Sets the cell at (x, y) burning if it has fuel and is dry. */
  ignite(x: number, y: number): boolean {
    const i = this.cellAt(x, y);
    if (i < 0) return false;
    return this.igniteCell(i);
  }

  /**
   * Pours `litres` of water on the burning cells whose centres lie within
   * `radiusM` of (x, y) (the nozzle aims at flames), and wets every cell
   * there. Returns the number of burning cells reached.
   */
  applyWater(x: number, y: number, radiusM: number, litres: number): number {
    if (litres <= 0) return 0;
    const r2 = radiusM * radiusM;
    const c0 = Math.max(0, Math.floor((x - radiusM - this.x0) / this.cellM));
    const c1 = Math.min(this.cols - 1, Math.floor((x + radiusM - this.x0) / this.cellM));
    const r0 = Math.max(0, Math.floor((y - radiusM - this.y0) / this.cellM));
    const r1 = Math.min(this.rows - 1, Math.floor((y + radiusM - this.y0) / this.cellM));
    let targets = 0;
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const i = r * this.cols + c;
        if (this.state[i] === CELL_BURNING && this.within(i, x, y, r2)) targets++;
      }
    }
    const perCellLoad = targets > 0 ? litres / targets / this.spec.waterPerCellL : 0;
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const i = r * this.cols + c;
        if (!this.within(i, x, y, r2)) continue;
        if (this.state[i] === CELL_BURNING) {
          const left = (this.intensity[i] as number) - perCellLoad;
          this.wetS[i] = (this.wetS[i] as number) + perCellLoad * WET_S_PER_LOAD;
          if (left <= 0) {
            this.intensity[i] = 0;
            this.state[i] = CELL_EXTINGUISHED;
            this.extinguishedCount++;
          } else {
            this.intensity[i] = left;
          }
        } else if (targets === 0) {
          // Nothing burning in reach: the water soaks the ground instead.
          this.wetS[i] = (this.wetS[i] as number) + (litres / this.spec.waterPerCellL) * WET_S_PER_LOAD;
        }
      }
    }
    if (targets > 0) this.burning = this.burning.filter((i) => this.state[i] === CELL_BURNING);
    return targets;
  }

  step(dtS: number): void {
    this.accS += dtS;
    while (this.accS >= TICK_S - 1e-9) {
      this.accS -= TICK_S;
      this.tick(TICK_S);
    }
  }

  private tick(dtS: number): void {
    this.timeS += dtS;
    while (this.pending.length > 0 && (this.pending[0] as { atS: number }).atS <= this.timeS) {
      const p = this.pending.shift() as { x: number; y: number };
      this.ignite(p.x, p.y);
    }
    for (let i = 0; i < this.wetS.length; i++) {
      const w = this.wetS[i] as number;
      if (w > 0) this.wetS[i] = Math.max(0, w - dtS);
    }
    // Iterate a snapshot: cells lit in this tick start spreading next tick.
    const current = this.burning;
    const still: number[] = [];
    const lit: number[] = [];
    const baseChance = this.spec.spreadPerS * dtS;
    for (const i of current) {
      if (this.state[i] !== CELL_BURNING) continue;
      let inten = this.intensity[i] as number;
      let fuel = this.fuel[i] as number;
      if (fuel > 0.02) {
        inten = Math.min(1, inten + dtS / RAMP_S);
        fuel = Math.max(0, fuel - (dtS / this.spec.burnTimeS) * inten);
      } else {
        inten -= dtS / DECAY_S;
      }
      this.fuel[i] = fuel;
      if (inten <= 0) {
        this.intensity[i] = 0;
        this.state[i] = CELL_BURNT;
        this.burntCount++;
        continue;
      }
      this.intensity[i] = inten;
      still.push(i);
      const c = i % this.cols;
      const r = (i - c) / this.cols;
      for (let k = 0; k < NEIGHBOURS.length; k++) {
        const [dc, dr] = NEIGHBOURS[k] as readonly [number, number];
        const nc = c + dc;
        const nr = r + dr;
        if (nc < 0 || nr < 0 || nc >= this.cols || nr >= this.rows) continue;
        const j = nr * this.cols + nc;
        if (this.state[j] !== CELL_UNBURNT || (this.fuel[j] as number) <= 0 || (this.wetS[j] as number) > 0) continue;
        // One draw per candidate pair per tick, in a fixed order: deterministic for a seed.
        if (this.rng.next() < baseChance * (this.fuel[j] as number) * inten * (this.windFactor[k] as number))
          lit.push(j);
      }
    }
    this.burning = still;
    for (const j of lit) this.igniteCell(j);
  }

  private igniteCell(i: number): boolean {
    if (this.state[i] !== CELL_UNBURNT || (this.fuel[i] as number) <= 0 || (this.wetS[i] as number) > 0) return false;
    this.state[i] = CELL_BURNING;
    this.intensity[i] = 0.25;
    this.ignitedAtS[i] = this.timeS;
    this.burning.push(i);
    return true;
  }

  private within(i: number, x: number, y: number, r2: number): boolean {
    const dx = this.cellCenterX(i) - x;
    const dy = this.cellCenterY(i) - y;
    return dx * dx + dy * dy <= r2;
  }

  private paintFuel(polygon: readonly XY[], load: number): void {
    for (let r = 0; r < this.rows; r++) {
      const y = this.y0 + (r + 0.5) * this.cellM;
      for (let c = 0; c < this.cols; c++) {
        if (pointInPolygon(polygon, this.x0 + (c + 0.5) * this.cellM, y)) this.fuel[r * this.cols + c] = load;
      }
    }
  }
}
