import { castRay, newRayHit, type RayHit } from '../geometry.js';
import type { RandomStream } from '../random.js';
import type { SimWorld } from '../world.js';
import { GroundTexture, hash01 } from './ground-texture.js';

export interface CameraIntrinsics {
  readonly width: number;
  readonly height: number;
  /** Horizontal field of view, degrees. */
  readonly fovDeg: number;
}

/** Camera pose in the world: position (m, z above ground) and orientation (ZYX yaw-pitch-roll, FLU camera body, x = optical axis). */
export interface CameraPose {
  x: number;
  y: number;
  z: number;
  yawRad: number;
  pitchRad: number;
  rollRad: number;
}

/** A visible object's 2D box in pixels, for ground truth and dataset export. */
export interface LabelBox {
  readonly cls: string;
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface RenderResult {
  /** rgb8, row-major, width·3 bytes per row. */
  readonly data: Uint8Array;
  readonly boxes: LabelBox[];
}

const LUT_SIZE = 2048;
const NOISE_SIZE = 1 << 16;
const NOISE_MASK = NOISE_SIZE - 1;
const SKIN: readonly [number, number, number] = [225, 185, 155];
const NEAR_M = 0.2;

/** Opacity from which a smoke puff counts as visible smoke in the labels. */
const SMOKE_LABEL_ALPHA = 0.12;

const SPRITE_FIRE = 0;
const SPRITE_SMOKE = 1;
const SPRITE_PERSON = 2;
const SPRITE_VEHICLE = 3;

interface Sprite {
  kind: number;
  /** Index into world.persons / world.traffic, or the fire cell. */
  ref: number;
  x: number;
  y: number;
  z: number;
  depth: number;
  /** Smoke density 0..1, fire intensity 0..1. */
  amount: number;
}

const textures = new WeakMap<SimWorld, GroundTexture>();

/** One ground texture per world, shared by its cameras. */
export function groundTextureFor(world: SimWorld): GroundTexture {
  let t = textures.get(world);
  if (t === undefined) {
    t = new GroundTexture(world);
    textures.set(world, t);
  }
  return t;
}

/**
 * A software pinhole renderer of the 2.5D world into rgb8 frames. Two paths:
 * a camera that looks mostly down projects every pixel's ray onto the ground
 * texture (a homography, one divide per pixel); a camera that looks mostly
 * forward casts one 2D ray per image column against wall faces (a "2.5D
 * column" renderer), so walls, ground and sky cost a few operations per
 * pixel. Fires, smoke, persons and vehicles are drawn on top, far to near,
 * and clipped per column by the nearest wall. Light and fog come from a
 * distance lookup table, noise from a precomputed table: nothing is allocated
 * per pixel.
 *
 * @example
 * const cam = new CameraRenderer(world, { width: 640, height: 480, fovDeg: 90 }, rng.stream('sensor:cam'));
 * const { data, boxes } = cam.render({ x: 150, y: 120, z: 40, yawRad: 0, pitchRad: Math.PI / 2, rollRad: 0 }, 0);
 */
export class CameraRenderer {
  readonly focalPx: number;
  private readonly tex: GroundTexture;
  private readonly lutK = new Float32Array(LUT_SIZE);
  private readonly lutFog = new Float32Array(LUT_SIZE * 3);
  private readonly lutStepM: number;
  private readonly wallDist: Float32Array;
  private readonly wallTop: Float32Array;
  private readonly wallRgb: Uint8Array;
  private readonly segShade: Float32Array;
  private readonly noise = new Int8Array(NOISE_SIZE);
  private readonly hit: RayHit = newRayHit();
  private readonly sprites: Sprite[] = [];
  /** The painted extent of the shape being drawn (one per renderer: shapes are drawn one at a time). */
  private readonly tight = new TightBox();
  // Basis of the current frame (world frame): camera position, forward/right/down, and the ray of pixel (0, 0).
  private cx = 0;
  private cy = 0;
  private cz = 0;
  private f = [0, 0, 0];
  private r = [0, 0, 0];
  private d = [0, 0, 0];
  private columnMode = false;
  // Last projection.
  private pu = 0;
  private pv = 0;
  private pz = 0;

  constructor(
    private readonly world: SimWorld,
    readonly intrinsics: CameraIntrinsics,
    private readonly rng: RandomStream,
    /** Standard deviation of pixel noise, grey levels. Default 3. */
    noiseStd = 3,
  ) {
    this.focalPx = intrinsics.width / 2 / Math.tan((intrinsics.fovDeg * Math.PI) / 360);
    this.tex = groundTextureFor(world);
    this.wallDist = new Float32Array(intrinsics.width);
    this.wallTop = new Float32Array(intrinsics.width);
    this.wallRgb = new Uint8Array(intrinsics.width * 3);
    const seg = world.segments;
    this.segShade = new Float32Array(seg.count);
    for (let i = 0; i < seg.count; i++) {
      // Faces lit from the south-west look lighter: cheap relief without normals per pixel.
      const ex = (seg.bx[i] as number) - (seg.ax[i] as number);
      const ey = (seg.by[i] as number) - (seg.ay[i] as number);
      const len = Math.hypot(ex, ey) || 1;
      this.segShade[i] = 0.65 + 0.35 * Math.abs((-ey / len) * 0.8 + (ex / len) * 0.6);
    }
    const light = world.scenario.lighting;
    const sky = world.scenario.sky;
    this.lutStepM = Math.min(4 * light.visibilityM, 4000) / LUT_SIZE;
    for (let i = 0; i < LUT_SIZE; i++) {
      const dist = (i + 0.5) * this.lutStepM;
      const head = light.headlightM > 0 ? Math.max(0, 1 - dist / light.headlightM) ** 1.5 : 0;
      const lit = Math.min(1.25, light.ambient + head);
      const fog = 1 - Math.exp(-dist / light.visibilityM);
      this.lutK[i] = lit * (1 - fog);
      this.lutFog[i * 3] = sky[0] * fog;
      this.lutFog[i * 3 + 1] = sky[1] * fog;
      this.lutFog[i * 3 + 2] = sky[2] * fog;
    }
    for (let i = 0; i < NOISE_SIZE; i++)
      this.noise[i] = Math.max(-127, Math.min(127, Math.round(rng.gaussian(0, noiseStd))));
  }

  render(pose: CameraPose, frameIndex: number): RenderResult {
    const { width, height } = this.intrinsics;
    const buffer = new ArrayBuffer(width * height * 3);
    // A clamped view writes shaded values with rounding and saturation for free.
    const out = new Uint8ClampedArray(buffer);
    this.tex.updateFire();
    this.setBasis(pose);
    // Sensor noise is added while the background is written (one pass over the frame, not two); sprites are drawn clean.
    const noiseOffset = this.rng.int(NOISE_SIZE);
    if (this.columnMode) this.renderColumns(out, noiseOffset);
    else this.renderDown(out, noiseOffset);
    const boxes: LabelBox[] = [];
    this.drawSprites(out, frameIndex, boxes);
    return { data: new Uint8Array(buffer), boxes };
  }

  private setBasis(p: CameraPose): void {
    const cy = Math.cos(p.yawRad);
    const sy = Math.sin(p.yawRad);
    const cp = Math.cos(p.pitchRad);
    const sp = Math.sin(p.pitchRad);
    const cr = Math.cos(p.rollRad);
    const sr = Math.sin(p.rollRad);
    // Columns of Rz(yaw)·Ry(pitch)·Rx(roll): forward = x, left = y, up = z of the camera body.
    this.f = [cy * cp, sy * cp, -sp];
    const left = [cy * sp * sr - sy * cr, sy * sp * sr + cy * cr, cp * sr];
    const up = [cy * sp * cr + sy * sr, sy * sp * cr - cy * sr, cp * cr];
    this.r = [-(left[0] as number), -(left[1] as number), -(left[2] as number)];
    this.d = [-(up[0] as number), -(up[1] as number), -(up[2] as number)];
    this.cx = p.x;
    this.cy = p.y;
    this.cz = Math.max(0.01, p.z);
    this.columnMode = (this.f[2] as number) > -0.7;
  }

  /** Ray of pixel centre (u, v) is o + u·du + v·dv; returns o, du, dv flattened. */
  private rays(): [number, number, number, number, number, number, number, number, number] {
    const fp = this.focalPx;
    const { width, height } = this.intrinsics;
    const [fx, fy, fz] = this.f as [number, number, number];
    const [rx, ry, rz] = this.r as [number, number, number];
    const [dx, dy, dz] = this.d as [number, number, number];
    const u0 = (0.5 - width / 2) / fp;
    const v0 = (0.5 - height / 2) / fp;
    return [
      fx + u0 * rx + v0 * dx,
      fy + u0 * ry + v0 * dy,
      fz + u0 * rz + v0 * dz,
      rx / fp,
      ry / fp,
      rz / fp,
      dx / fp,
      dy / fp,
      dz / fp,
    ];
  }

  private renderDown(out: Uint8ClampedArray, noiseOffset: number): void {
    const { width, height } = this.intrinsics;
    const [ox, oy, oz, dux, duy, duz, dvx, dvy, dvz] = this.rays();
    const tex = this.tex;
    const trgb = tex.rgb;
    const tw = tex.width;
    const th = tex.height;
    const inv = 1 / tex.resM;
    const lutK = this.lutK;
    const lutFog = this.lutFog;
    const invStep = 1 / this.lutStepM;
    const sky = this.world.scenario.sky;
    const camX = this.cx;
    const camY = this.cy;
    const camZ = this.cz;
    const tx0 = tex.x0;
    const ty0 = tex.y0;
    const sky0 = sky[0];
    const sky1 = sky[1];
    const sky2 = sky[2];
    const noise = this.noise;
    let o = 0;
    for (let v = 0; v < height; v++) {
      const rx = ox + v * dvx;
      const ry = oy + v * dvy;
      const rz = oz + v * dvz;
      for (let u = 0; u < width; u++, o += 3) {
        const nz = noise[(o + noiseOffset) & NOISE_MASK] as number;
        const dx = rx + u * dux;
        const dy = ry + u * duy;
        const dz = rz + u * duz;
        if (dz > -1e-6) {
          out[o] = sky0 + nz;
          out[o + 1] = sky1 + nz;
          out[o + 2] = sky2 + nz;
          continue;
        }
        const t = -camZ / dz;
        const tx = ((camX + dx * t - tx0) * inv) | 0;
        const ty = ((camY + dy * t - ty0) * inv) | 0;
        let li = (t * Math.sqrt(dx * dx + dy * dy + dz * dz) * invStep) | 0;
        if (li >= LUT_SIZE) li = LUT_SIZE - 1;
        const k = lutK[li] as number;
        const fi = li * 3;
        if (tx < 0 || ty < 0 || tx >= tw || ty >= th) {
          out[o] = (lutFog[fi] as number) + 60 * k + nz;
          out[o + 1] = (lutFog[fi + 1] as number) + 60 * k + nz;
          out[o + 2] = (lutFog[fi + 2] as number) + 60 * k + nz;
          continue;
        }
        const ti = (ty * tw + tx) * 3;
        out[o] = (trgb[ti] as number) * k + (lutFog[fi] as number) + nz;
        out[o + 1] = (trgb[ti + 1] as number) * k + (lutFog[fi + 1] as number) + nz;
        out[o + 2] = (trgb[ti + 2] as number) * k + (lutFog[fi + 2] as number) + nz;
      }
    }
  }

  private renderColumns(out: Uint8ClampedArray, noiseOffset: number): void {
    const { width, height } = this.intrinsics;
    const [ox, oy, oz, dux, duy, duz, dvx, dvy, dvz] = this.rays();
    const seg = this.world.segments;
    const maxM = this.lutStepM * LUT_SIZE;
    const horizonV = height / 2 - 0.5;
    for (let u = 0; u < width; u++) {
      const hx = ox + u * dux + horizonV * dvx;
      const hy = oy + u * duy + horizonV * dvy;
      const hn = Math.hypot(hx, hy);
      this.wallDist[u] = Infinity;
      if (hn < 1e-9) continue;
      castRay(seg, this.cx, this.cy, hx / hn, hy / hn, maxM, this.hit);
      const i = this.hit.index;
      if (i < 0) continue;
      this.wallDist[u] = this.hit.distanceM;
      this.wallTop[u] = seg.heightM[i] as number;
      const shade = this.segShade[i] as number;
      this.wallRgb[u * 3] = (seg.rgb[i * 3] as number) * shade;
      this.wallRgb[u * 3 + 1] = (seg.rgb[i * 3 + 1] as number) * shade;
      this.wallRgb[u * 3 + 2] = (seg.rgb[i * 3 + 2] as number) * shade;
    }
    const tex = this.tex;
    const trgb = tex.rgb;
    const tw = tex.width;
    const th = tex.height;
    const inv = 1 / tex.resM;
    const lutK = this.lutK;
    const lutFog = this.lutFog;
    const invStep = 1 / this.lutStepM;
    const sky = this.world.scenario.sky;
    const wallDist = this.wallDist;
    const wallTop = this.wallTop;
    const wallRgb = this.wallRgb;
    const camX = this.cx;
    const camY = this.cy;
    const camZ = this.cz;
    const tx0 = tex.x0;
    const ty0 = tex.y0;
    const sky0 = sky[0];
    const sky1 = sky[1];
    const sky2 = sky[2];
    const noise = this.noise;
    let o = 0;
    for (let v = 0; v < height; v++) {
      const rx = ox + v * dvx;
      const ry = oy + v * dvy;
      const rz = oz + v * dvz;
      // Sky (or ceiling) darkens toward the horizon a little, for depth.
      const skyK = 0.8 + (0.3 * (height - v)) / height;
      const sr = sky0 * skyK;
      const sg = sky1 * skyK;
      const sb = sky2 * skyK;
      for (let u = 0; u < width; u++, o += 3) {
        const nz = noise[(o + noiseOffset) & NOISE_MASK] as number;
        const dx = rx + u * dux;
        const dy = ry + u * duy;
        const dz = rz + u * duz;
        const h = Math.sqrt(dx * dx + dy * dy);
        const tg = dz < 0 ? -camZ / dz : Infinity;
        const gd = tg * h;
        const wd = wallDist[u] as number;
        if (wd < gd) {
          const zHit = camZ + (dz * wd) / h;
          if (zHit <= (wallTop[u] as number)) {
            let li = (wd * invStep) | 0;
            if (li >= LUT_SIZE) li = LUT_SIZE - 1;
            const k = lutK[li] as number;
            const fi = li * 3;
            const wi = u * 3;
            out[o] = (wallRgb[wi] as number) * k + (lutFog[fi] as number) + nz;
            out[o + 1] = (wallRgb[wi + 1] as number) * k + (lutFog[fi + 1] as number) + nz;
            out[o + 2] = (wallRgb[wi + 2] as number) * k + (lutFog[fi + 2] as number) + nz;
            continue;
          }
        }
        if (dz >= 0) {
          out[o] = sr + nz;
          out[o + 1] = sg + nz;
          out[o + 2] = sb + nz;
          continue;
        }
        let li = (gd * invStep) | 0;
        if (li >= LUT_SIZE) li = LUT_SIZE - 1;
        const k = lutK[li] as number;
        const fi = li * 3;
        const tx = ((camX + dx * tg - tx0) * inv) | 0;
        const ty = ((camY + dy * tg - ty0) * inv) | 0;
        if (tx < 0 || ty < 0 || tx >= tw || ty >= th) {
          out[o] = (lutFog[fi] as number) + 60 * k + nz;
          out[o + 1] = (lutFog[fi + 1] as number) + 60 * k + nz;
          out[o + 2] = (lutFog[fi + 2] as number) + 60 * k + nz;
          continue;
        }
        const ti = (ty * tw + tx) * 3;
        out[o] = (trgb[ti] as number) * k + (lutFog[fi] as number) + nz;
        out[o + 1] = (trgb[ti + 1] as number) * k + (lutFog[fi + 1] as number) + nz;
        out[o + 2] = (trgb[ti + 2] as number) * k + (lutFog[fi + 2] as number) + nz;
      }
    }
  }

  /** Projects a world point; false when it is behind the near plane. Result in pu, pv (pixels), pz (depth, m). */
  private project(x: number, y: number, z: number): boolean {
    const rx = x - this.cx;
    const ry = y - this.cy;
    const rz = z - this.cz;
    const [fx, fy, fz] = this.f as [number, number, number];
    const depth = rx * fx + ry * fy + rz * fz;
    if (depth < NEAR_M) return false;
    const [r0, r1, r2] = this.r as [number, number, number];
    const [d0, d1, d2] = this.d as [number, number, number];
    this.pz = depth;
    this.pu = this.intrinsics.width / 2 + (this.focalPx * (rx * r0 + ry * r1 + rz * r2)) / depth;
    this.pv = this.intrinsics.height / 2 + (this.focalPx * (rx * d0 + ry * d1 + rz * d2)) / depth;
    return true;
  }

  private drawSprites(out: Uint8ClampedArray, frameIndex: number, boxes: LabelBox[]): void {
    const sprites = this.sprites;
    let n = 0;
    const push = (kind: number, ref: number, x: number, y: number, z: number, amount: number): void => {
      const depth =
        (x - this.cx) * (this.f[0] as number) +
        (y - this.cy) * (this.f[1] as number) +
        (z - this.cz) * (this.f[2] as number);
      if (depth < NEAR_M) return;
      let s = sprites[n];
      if (s === undefined) {
        s = { kind, ref, x, y, z, depth, amount };
        sprites[n] = s;
      } else {
        s.kind = kind;
        s.ref = ref;
        s.x = x;
        s.y = y;
        s.z = z;
        s.depth = depth;
        s.amount = amount;
      }
      n++;
    };
    const world = this.world;
    const fire = world.fire;
    if (fire !== undefined) {
      for (const i of fire.burningCells())
        push(SPRITE_FIRE, i, fire.cellCenterX(i), fire.cellCenterY(i), 0, fire.intensity[i] as number);
      this.pushSmoke(push);
    }
    world.persons.forEach((p, i) => push(SPRITE_PERSON, i, p.x, p.y, this.columnMode ? 0.9 : 0, 1));
    world.traffic.forEach((v, i) => push(SPRITE_VEHICLE, i, v.x, v.y, this.columnMode ? v.heightM / 2 : v.heightM, 1));
    const active = sprites.slice(0, n).sort((a, b) => b.depth - a.depth);
    for (const s of active) {
      if (s.kind === SPRITE_FIRE) this.drawFire(out, s, frameIndex, boxes);
      else if (s.kind === SPRITE_SMOKE) this.drawSmoke(out, s, boxes);
      else if (s.kind === SPRITE_PERSON) this.drawPerson(out, s, boxes);
      else this.drawVehicle(out, s, boxes);
    }
  }

  /** One puff per 4x4 block of fire cells, drifted downwind: bounded work however large the fire grows. */
  private pushSmoke(push: (kind: number, ref: number, x: number, y: number, z: number, amount: number) => void): void {
    const fire = this.world.fire;
    if (fire === undefined || fire.burningCount === 0) return;
    const smoke = this.world.scenario.smoke;
    if (smoke.opacity <= 0) return;
    const blocks = new Map<number, number>();
    for (const i of fire.burningCells()) {
      const c = i % fire.cols;
      const r = (i - c) / fire.cols;
      const key = (r >> 2) * 65536 + (c >> 2);
      blocks.set(key, (blocks.get(key) ?? 0) + (fire.intensity[i] as number));
    }
    const wind = this.world.wind;
    // Smoke rises at about 2 m/s: it drifts downwind for heightM / 2 seconds.
    const drift = smoke.heightM / 2;
    for (const [key, sum] of blocks) {
      const c = (key % 65536) * 4 + 2;
      const r = Math.floor(key / 65536) * 4 + 2;
      const x = fire.x0 + c * fire.cellM + wind.vx * drift;
      const y = fire.y0 + r * fire.cellM + wind.vy * drift;
      push(SPRITE_SMOKE, key, x, y, smoke.heightM, Math.min(1, sum / 4));
    }
  }

  /** True when the sprite at world (x, y) is behind the nearest wall in image column u. */
  private occluded(u: number, x: number, y: number): boolean {
    if (!this.columnMode) return false;
    const w = this.wallDist[u];
    return w !== undefined && Math.hypot(x - this.cx, y - this.cy) > w;
  }

  private drawFire(out: Uint8ClampedArray, s: Sprite, frameIndex: number, boxes: LabelBox[]): void {
    const fire = this.world.fire;
    if (fire === undefined) return;
    const { width, height } = this.intrinsics;
    if (!this.columnMode) {
      this.drawFireGlow(out, s);
      // Three flame tongues per cell at hashed offsets, each flickering on its own: a ragged front, not a grid of dots.
      let box: { x: number; y: number; w: number; h: number } | undefined;
      for (let k = 0; k < 3; k++) {
        const jx = (hash01(s.ref, k, 11) - 0.5) * 0.8 * fire.cellM;
        const jy = (hash01(s.ref, k, 23) - 0.5) * 0.8 * fire.cellM;
        if (!this.project(s.x + jx, s.y + jy, 0)) continue;
        const fl = 0.75 + 0.5 * hash01(s.ref * 3 + k, frameIndex, 7);
        const radius = (this.focalPx * fire.cellM * 0.42 * (0.5 + 0.5 * s.amount) * fl) / this.pz;
        const b = this.disc(this.pu, this.pv, Math.max(1, radius), (o, q) => {
          // Per-pixel jitter on the band edges so flames are not concentric rings.
          const qn = q + 0.3 * (hash01(o, frameIndex, 5) - 0.5);
          if (qn < 0.18) setRgb(out, o, 255, 240, 160);
          else if (qn < 0.55) setRgb(out, o, 255, 150, 30);
          else if (qn < 0.85) setRgb(out, o, 225, 60, 15);
        });
        if (b !== undefined) box = box === undefined ? b : union(box, b);
      }
      if (box !== undefined) boxes.push({ cls: 'fire', id: `cell-${s.ref}`, ...box });
      return;
    }
    // Upright flame: a triangle from the ground to a height that grows with intensity.
    if (!this.project(s.x, s.y, 0)) return;
    const u0 = this.pu;
    const vBottom = this.pv;
    const depth = this.pz;
    const heightM = (1.5 + 3 * s.amount) * (0.8 + 0.4 * hash01(s.ref, frameIndex, 7));
    if (!this.project(s.x, s.y, heightM)) return;
    const vTop = this.pv;
    const halfW = (this.focalPx * fire.cellM * 0.4) / depth;
    const y0 = Math.max(0, Math.floor(vTop));
    const y1 = Math.min(height - 1, Math.ceil(vBottom));
    let minX = Infinity;
    let maxX = -Infinity;
    for (let v = y0; v <= y1; v++) {
      const frac = (v - vTop) / Math.max(1, vBottom - vTop);
      const hw = halfW * (0.2 + 0.8 * frac);
      const x0 = Math.max(0, Math.floor(u0 - hw));
      const x1 = Math.min(width - 1, Math.ceil(u0 + hw));
      for (let u = x0; u <= x1; u++) {
        if (this.occluded(u, s.x, s.y)) continue;
        const o = (v * width + u) * 3;
        if (frac > 0.6) setRgb(out, o, 255, 225, 120);
        else if (frac > 0.3) setRgb(out, o, 255, 135, 25);
        else setRgb(out, o, 210, 45, 12);
        if (u < minX) minX = u;
        if (u > maxX) maxX = u;
      }
    }
    if (maxX >= minX && y1 >= y0)
      boxes.push({ cls: 'fire', id: `cell-${s.ref}`, x: minX, y: y0, w: maxX - minX + 1, h: y1 - y0 + 1 });
  }

  /**
   * At night a burning cell lights the ground around it: an additive orange
   * halo, brightest at the cell, that is not part of the fire's label (the
   * label is the flames). It makes a night fire look unlike a day one: a big
   * soft orange blob with the flames at its heart.
   */
  private drawFireGlow(out: Uint8ClampedArray, s: Sprite): void {
    const glowM = this.world.scenario.lighting.fireGlowM;
    if (glowM <= 0 || !this.project(s.x, s.y, 0)) return;
    const radius = (this.focalPx * glowM * (0.6 + 0.4 * s.amount)) / this.pz;
    const strength = 0.55 * s.amount;
    this.disc(this.pu, this.pv, radius, (o, q) => {
      const a = strength * (1 - q) * (1 - q);
      out[o] = (out[o] as number) + 255 * a;
      out[o + 1] = (out[o + 1] as number) + 105 * a;
      out[o + 2] = (out[o + 2] as number) + 20 * a;
    });
  }

  private drawSmoke(out: Uint8ClampedArray, s: Sprite, boxes: LabelBox[]): void {
    if (!this.project(s.x, s.y, s.z)) return;
    const smoke = this.world.scenario.smoke;
    const radius = (this.focalPx * smoke.radiusM) / this.pz;
    const alpha = smoke.opacity * s.amount;
    const grey = 150 * Math.min(1, this.world.scenario.lighting.ambient + 0.2);
    const cu = this.pu;
    const cv = this.pv;
    const label = { seen: false };
    this.disc(cu, cv, radius, (o, q, u) => {
      if (this.occluded(u, s.x, s.y)) return;
      const a = alpha * (1 - q);
      if (a >= SMOKE_LABEL_ALPHA) label.seen = true;
      out[o] = (out[o] as number) * (1 - a) + grey * a;
      out[o + 1] = (out[o + 1] as number) * (1 - a) + grey * a;
      out[o + 2] = (out[o + 2] as number) * (1 - a) + grey * a;
    });
    if (!label.seen) return;
    // The puff fades to nothing at its rim: label only the part a person would call smoke (opacity >= SMOKE_LABEL_ALPHA).
    const visible = radius * Math.sqrt(1 - SMOKE_LABEL_ALPHA / alpha);
    const box = clipBox(cu - visible, cv - visible, cu + visible, cv + visible, this.intrinsics);
    if (box !== undefined) boxes.push({ cls: 'smoke', id: `smoke-${s.ref}`, ...box });
  }

  private drawPerson(out: Uint8ClampedArray, s: Sprite, boxes: LabelBox[]): void {
    const p = this.world.persons[s.ref];
    if (p === undefined) return;
    const k = this.lightAt(s.depth);
    const [cr, cg, cb] = p.colour;
    if (!this.columnMode) {
      if (!this.project(p.x, p.y, 0)) return;
      const rBody = Math.max(1, (this.focalPx * 0.3) / this.pz);
      const rHead = (this.focalPx * 0.12) / this.pz;
      const box = this.disc(this.pu, this.pv, rBody, (o, q) => {
        if (q * rBody * rBody < rHead * rHead) setRgb(out, o, SKIN[0] * k, SKIN[1] * k, SKIN[2] * k);
        else setRgb(out, o, cr * k, cg * k, cb * k);
      });
      if (box !== undefined) boxes.push({ cls: 'person', id: p.id, ...box });
      return;
    }
    if (!this.project(p.x, p.y, 0)) return;
    const vFeet = this.pv;
    const u0 = this.pu;
    const depth = this.pz;
    if (!this.project(p.x, p.y, p.heightM)) return;
    const vHead = this.pv;
    const halfW = (this.focalPx * 0.25) / depth;
    const { width, height } = this.intrinsics;
    const y0 = Math.max(0, Math.floor(vHead));
    const y1 = Math.min(height - 1, Math.ceil(vFeet));
    const span = Math.max(1, vFeet - vHead);
    let minX = Infinity;
    let maxX = -Infinity;
    for (let v = y0; v <= y1; v++) {
      const frac = (v - vHead) / span;
      const hw = frac < 0.13 ? halfW * 0.55 : halfW;
      const x0 = Math.max(0, Math.floor(u0 - hw));
      const x1 = Math.min(width - 1, Math.ceil(u0 + hw));
      for (let u = x0; u <= x1; u++) {
        if (this.occluded(u, p.x, p.y)) continue;
        const o = (v * width + u) * 3;
        if (frac < 0.13) setRgb(out, o, SKIN[0] * k, SKIN[1] * k, SKIN[2] * k);
        else if (frac < 0.58) setRgb(out, o, cr * k, cg * k, cb * k);
        else setRgb(out, o, 45 * k, 45 * k, 60 * k);
        if (u < minX) minX = u;
        if (u > maxX) maxX = u;
      }
    }
    if (maxX >= minX && y1 >= y0)
      boxes.push({ cls: 'person', id: p.id, x: minX, y: y0, w: maxX - minX + 1, h: y1 - y0 + 1 });
  }

  private drawVehicle(out: Uint8ClampedArray, s: Sprite, boxes: LabelBox[]): void {
    const v = this.world.traffic[s.ref];
    if (v === undefined) return;
    const k = this.lightAt(s.depth);
    const c = Math.cos(v.yawRad);
    const sn = Math.sin(v.yawRad);
    const hl = v.lengthM / 2;
    const hw = v.widthM / 2;
    // Corners of the footprint, then of the roof.
    const us: number[] = [];
    const vs: number[] = [];
    const levels = this.columnMode ? [0, v.heightM] : [v.heightM];
    for (const z of levels) {
      for (const [a, b] of [
        [hl, hw],
        [-hl, hw],
        [-hl, -hw],
        [hl, -hw],
      ] as const) {
        if (!this.project(v.x + a * c - b * sn, v.y + a * sn + b * c, z)) return;
        us.push(this.pu);
        vs.push(this.pv);
      }
    }
    const { width, height } = this.intrinsics;
    const [r, g, b] = v.colour;
    if (!this.columnMode) {
      const box = this.fillQuad(us, vs, (o) => setRgb(out, o, r * k, g * k, b * k));
      if (box !== undefined) boxes.push({ cls: v.label, id: v.id, ...box });
      return;
    }
    const x0 = Math.max(0, Math.floor(Math.min(...us)));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(...us)));
    const y0 = Math.max(0, Math.floor(Math.min(...vs)));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(...vs)));
    let minX = Infinity;
    let maxX = -Infinity;
    const span = Math.max(1, y1 - y0);
    for (let y = y0; y <= y1; y++) {
      const frac = (y - y0) / span;
      for (let u = x0; u <= x1; u++) {
        if (this.occluded(u, v.x, v.y)) continue;
        const o = (y * width + u) * 3;
        if (frac > 0.85) setRgb(out, o, 25 * k, 25 * k, 25 * k);
        else if (
          frac > 0.15 &&
          frac < 0.4 &&
          (u - x0) / Math.max(1, x1 - x0) > 0.1 &&
          (u - x0) / Math.max(1, x1 - x0) < 0.9
        )
          setRgb(out, o, 40 * k, 55 * k, 70 * k);
        else setRgb(out, o, r * k * 0.9, g * k * 0.9, b * k * 0.9);
        if (u < minX) minX = u;
        if (u > maxX) maxX = u;
      }
    }
    if (maxX >= minX && y1 >= y0)
      boxes.push({ cls: v.label, id: v.id, x: minX, y: y0, w: maxX - minX + 1, h: y1 - y0 + 1 });
  }

  private lightAt(distM: number): number {
    let li = (distM / this.lutStepM) | 0;
    if (li >= LUT_SIZE) li = LUT_SIZE - 1;
    return Math.max(0.15, this.lutK[li] as number);
  }

  /** Calls `paint(offset, q, u)` for each pixel of a disc, q = (r / radius)² in [0, 1). Returns the clipped box. */
  private disc(
    cu: number,
    cv: number,
    radius: number,
    paint: (o: number, q: number, u: number) => void,
  ): { x: number; y: number; w: number; h: number } | undefined {
    const { width, height } = this.intrinsics;
    const x0 = Math.max(0, Math.floor(cu - radius));
    const x1 = Math.min(width - 1, Math.ceil(cu + radius));
    const y0 = Math.max(0, Math.floor(cv - radius));
    const y1 = Math.min(height - 1, Math.ceil(cv + radius));
    if (x1 < x0 || y1 < y0) return undefined;
    const inv = 1 / (radius * radius);
    const tight = this.tight.reset();
    for (let v = y0; v <= y1; v++) {
      const dv = v + 0.5 - cv;
      for (let u = x0; u <= x1; u++) {
        const du = u + 0.5 - cu;
        const q = (du * du + dv * dv) * inv;
        if (q >= 1) continue;
        paint((v * width + u) * 3, q, u);
        tight.add(u, v);
      }
    }
    return tight.box();
  }

  /** Fills a convex quad given by its projected corners (first four of us, vs). */
  private fillQuad(
    us: readonly number[],
    vs: readonly number[],
    paint: (o: number) => void,
  ): { x: number; y: number; w: number; h: number } | undefined {
    const { width, height } = this.intrinsics;
    const x0 = Math.max(0, Math.floor(Math.min(...us)));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(...us)));
    const y0 = Math.max(0, Math.floor(Math.min(...vs)));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(...vs)));
    if (x1 < x0 || y1 < y0) return undefined;
    const tight = this.tight.reset();
    for (let v = y0; v <= y1; v++) {
      for (let u = x0; u <= x1; u++) {
        const px = u + 0.5;
        const py = v + 0.5;
        let pos = 0;
        let neg = 0;
        for (let i = 0; i < 4; i++) {
          const j = (i + 1) & 3;
          const ax = us[i] as number;
          const ay = vs[i] as number;
          const cross = ((us[j] as number) - ax) * (py - ay) - ((vs[j] as number) - ay) * (px - ax);
          if (cross > 0) pos++;
          else if (cross < 0) neg++;
        }
        if (pos > 0 && neg > 0) continue;
        paint((v * width + u) * 3);
        tight.add(u, v);
      }
    }
    const box = tight.box();
    // Tiny quads (a car seen from 100 m) still mark their pixel.
    if (box === undefined) {
      const u = Math.round((us[0] as number) + (us[2] as number)) >> 1;
      const v = Math.round((vs[0] as number) + (vs[2] as number)) >> 1;
      if (u >= 0 && v >= 0 && u < width && v < height) {
        paint((v * width + u) * 3);
        return { x: u, y: v, w: 1, h: 1 };
      }
      return undefined;
    }
    return box;
  }
}

/**
 * The bounding box of the pixels a shape actually painted. A label is what the
 * image shows: the box of the candidate range (floor and ceil of the shape's
 * real extent) is up to two pixels wider, by an amount set by where the shape
 * falls between pixel centres, which a detector cannot see. On a 4-pixel person
 * that noise alone costs IoU 0.5.
 */
class TightBox {
  private minX = Infinity;
  private minY = Infinity;
  private maxX = -Infinity;
  private maxY = -Infinity;

  reset(): this {
    this.minX = Infinity;
    this.minY = Infinity;
    this.maxX = -Infinity;
    this.maxY = -Infinity;
    return this;
  }

  add(u: number, v: number): void {
    if (u < this.minX) this.minX = u;
    if (u > this.maxX) this.maxX = u;
    if (v < this.minY) this.minY = v;
    if (v > this.maxY) this.maxY = v;
  }

  box(): { x: number; y: number; w: number; h: number } | undefined {
    if (this.maxX < this.minX) return undefined;
    return { x: this.minX, y: this.minY, w: this.maxX - this.minX + 1, h: this.maxY - this.minY + 1 };
  }
}

function union(
  a: { x: number; y: number; w: number; h: number },
  b: { x: number; y: number; w: number; h: number },
): { x: number; y: number; w: number; h: number } {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** Integer pixel box of [x0, x1) x [y0, y1) clipped to the image, or undefined when nothing is left. */
function clipBox(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  size: CameraIntrinsics,
): { x: number; y: number; w: number; h: number } | undefined {
  const l = Math.max(0, Math.floor(x0));
  const t = Math.max(0, Math.floor(y0));
  const r = Math.min(size.width, Math.ceil(x1));
  const b = Math.min(size.height, Math.ceil(y1));
  return r > l && b > t ? { x: l, y: t, w: r - l, h: b - t } : undefined;
}

function setRgb(out: Uint8ClampedArray, o: number, r: number, g: number, b: number): void {
  out[o] = r;
  out[o + 1] = g;
  out[o + 2] = b;
}
