import { CELL_BURNING, CELL_BURNT, CELL_EXTINGUISHED, CELL_UNBURNT } from '../entities/fire.js';
import { boundsOf, pointInPolygon, type Rgb, type XY } from '../geometry.js';
import type { SimWorld } from '../world.js';

/** Texels per world at most: bounds the memory and build time of big scenarios. */
const MAX_TEXELS = 2_000_000;

/**
 * The world seen from straight above, rasterised once: ground colour with
 * procedural variation (tree crowns, concrete stains), painted areas, roofs
 * and wall tops. Fire scars are painted in as cells burn. Cameras sample it
 * per pixel, so a frame costs one lookup per ground pixel.
 */
export class GroundTexture {
  readonly resM: number;
  readonly width: number;
  readonly height: number;
  readonly x0: number;
  readonly y0: number;
  readonly rgb: Uint8Array;
  /** Fire cell state last painted, so only changes are repainted. */
  private painted: Uint8Array | undefined;

  constructor(private readonly world: SimWorld) {
    const b = world.scenario.bounds;
    const area = (b.maxX - b.minX) * (b.maxY - b.minY);
    this.resM = Math.max(0.1, Math.sqrt(area / MAX_TEXELS));
    this.x0 = b.minX;
    this.y0 = b.minY;
    this.width = Math.ceil((b.maxX - b.minX) / this.resM);
    this.height = Math.ceil((b.maxY - b.minY) / this.resM);
    this.rgb = new Uint8Array(this.width * this.height * 3);
    this.paintBase();
    for (const a of world.scenario.ground.areas) this.fillPolygon(a.polygon, a.colour, 0.3);
    for (const s of world.solids) this.fillPolygon(s.polygon, s.roofColour, 0.1);
    for (const w of world.scenario.walls) {
      for (let i = 0; i + 1 < w.points.length; i++)
        this.paintSegment(w.points[i] as XY, w.points[i + 1] as XY, Math.max(w.thicknessM, this.resM), w.colour);
    }
  }

  /** Paints scorched, burning and wetted cells that changed since the last call. */
  updateFire(): void {
    const fire = this.world.fire;
    if (fire === undefined) return;
    this.painted ??= new Uint8Array(fire.state.length);
    const painted = this.painted;
    for (let i = 0; i < fire.state.length; i++) {
      const st = fire.state[i] as number;
      if (st === painted[i]) continue;
      painted[i] = st;
      if (st === CELL_UNBURNT) continue;
      const colour: Rgb =
        st === CELL_BURNING
          ? [70, 38, 20]
          : st === CELL_BURNT
            ? [38, 34, 30]
            : st === CELL_EXTINGUISHED
              ? [58, 60, 54]
              : [0, 0, 0];
      const x = fire.cellCenterX(i) - fire.cellM / 2;
      const y = fire.cellCenterY(i) - fire.cellM / 2;
      this.fillRect(x, y, x + fire.cellM, y + fire.cellM, colour, st === CELL_BURNT ? 0.25 : 0.15);
    }
  }

  private paintBase(): void {
    const g = this.world.scenario.ground;
    const seed = this.world.rng.seed;
    const [r, gg, b] = g.colour;
    for (let ty = 0; ty < this.height; ty++) {
      const y = this.y0 + (ty + 0.5) * this.resM;
      for (let tx = 0; tx < this.width; tx++) {
        const x = this.x0 + (tx + 0.5) * this.resM;
        // Two octaves: clumps of ~6 m (crowns, stains) and ~1.5 m grain.
        const n = 0.65 * valueNoise(x / 6, y / 6, seed) + 0.35 * valueNoise(x / 1.5, y / 1.5, seed + 17) - 0.5;
        const k = 1 + 2 * g.variation * n;
        const o = (ty * this.width + tx) * 3;
        this.rgb[o] = clampByte(r * k);
        this.rgb[o + 1] = clampByte(gg * k);
        this.rgb[o + 2] = clampByte(b * k);
      }
    }
  }

  /** Fills a polygon, keeping some of the base texture's variation (`grain`) so flat areas do not look pasted on. */
  private fillPolygon(polygon: readonly XY[], colour: Rgb, grain: number): void {
    const bb = boundsOf(polygon);
    this.scan(bb.minX, bb.minY, bb.maxX, bb.maxY, colour, grain, (x, y) => pointInPolygon(polygon, x, y));
  }

  private fillRect(x0: number, y0: number, x1: number, y1: number, colour: Rgb, grain: number): void {
    this.scan(x0, y0, x1, y1, colour, grain, () => true);
  }

  private paintSegment(a: XY, b: XY, widthM: number, colour: Rgb): void {
    const ex = b[0] - a[0];
    const ey = b[1] - a[1];
    const len2 = ex * ex + ey * ey;
    const half = widthM / 2;
    this.scan(
      Math.min(a[0], b[0]) - half,
      Math.min(a[1], b[1]) - half,
      Math.max(a[0], b[0]) + half,
      Math.max(a[1], b[1]) + half,
      colour,
      0,
      (x, y) => {
        let t = len2 === 0 ? 0 : ((x - a[0]) * ex + (y - a[1]) * ey) / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        return Math.hypot(a[0] + t * ex - x, a[1] + t * ey - y) <= half;
      },
    );
  }

  private scan(
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    colour: Rgb,
    grain: number,
    inside: (x: number, y: number) => boolean,
  ): void {
    const tx0 = Math.max(0, Math.floor((x0 - this.x0) / this.resM));
    const tx1 = Math.min(this.width - 1, Math.ceil((x1 - this.x0) / this.resM));
    const ty0 = Math.max(0, Math.floor((y0 - this.y0) / this.resM));
    const ty1 = Math.min(this.height - 1, Math.ceil((y1 - this.y0) / this.resM));
    const base = this.world.scenario.ground.colour;
    const baseLum = (base[0] + base[1] + base[2]) / 3 || 1;
    for (let ty = ty0; ty <= ty1; ty++) {
      const y = this.y0 + (ty + 0.5) * this.resM;
      for (let tx = tx0; tx <= tx1; tx++) {
        const x = this.x0 + (tx + 0.5) * this.resM;
        if (!inside(x, y)) continue;
        const o = (ty * this.width + tx) * 3;
        const lum = ((this.rgb[o] as number) + (this.rgb[o + 1] as number) + (this.rgb[o + 2] as number)) / 3;
        const k = 1 + grain * (lum / baseLum - 1);
        this.rgb[o] = clampByte(colour[0] * k);
        this.rgb[o + 1] = clampByte(colour[1] * k);
        this.rgb[o + 2] = clampByte(colour[2] * k);
      }
    }
  }
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** Integer hash of a lattice point to [0, 1). */
export function hash01(ix: number, iy: number, seed: number): number {
  let h = Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ Math.imul(seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Smooth value noise in [0, 1). */
function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = x - ix;
  const fy = y - iy;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const a = hash01(ix, iy, seed);
  const b = hash01(ix + 1, iy, seed);
  const c = hash01(ix, iy + 1, seed);
  const d = hash01(ix + 1, iy + 1, seed);
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
}
