/**
 * Fusion on the simulator: drives the perimeter-patrol mission (ground robot
 * with GNSS at 5 Hz, wheel odometry at 50 Hz and an IMU; the scenario scripts
 * a 20 s GNSS outage at 45 s) and compares, against ground truth, the EKF's
 * pose with GNSS alone and odometry alone. Prints the figures and writes
 * docs/fusion-perimeter.png.
 *
 *   npx tsx tools/eval-fusion.ts [--seconds 90] [--seed 11] [--out docs/fusion-perimeter.png]
 */
import { join } from 'node:path';
import sharp from 'sharp';
import {
  createRuntime,
  EnuFrame,
  loadMissionFile,
  poseTopic,
  sensorTopic,
  silentLogger,
  SimClock,
  driveSimClock,
} from '../index.js';
import { simTruthTopic } from '../sim/index.js';

/** The error series: EKF, GNSS alone, odometry alone, and the oracle floor. */
type Series = 'fused' | 'gnss' | 'odom' | 'floor';

interface Sample {
  t: number;
  fused?: number;
  gnss?: number;
  odom?: number;
  floor?: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const seconds = Number(arg('seconds', '90'));
const seed = Number(arg('seed', '11'));
const out = arg('out', 'docs/fusion-perimeter.png');

const loaded = await loadMissionFile(join(import.meta.dirname, '../missions/examples/perimeter-patrol.yaml'));
const mission = {
  ...loaded.mission,
  simulation: { ...loaded.mission.simulation!, seed },
  telemetry: { ...loaded.mission.telemetry, broker: undefined },
};
const clock = new SimClock();
const runtime = createRuntime({ ...loaded, mission }, { clock, logger: silentLogger() });
const origin = mission.origin!;
const frame = new EnuFrame({ latDeg: origin.lat, lonDeg: origin.lon, altM: origin.altM });

/** GNSS fix minus the true antenna position at the fix's own stamp (sim time t, s): its bias plus its white noise. */
interface FixError {
  t: number;
  dx: number;
  dy: number;
}
const truthTrail: { stampMs: number; t: number; x: number; y: number }[] = [];
const fixErrors: FixError[] = [];
const pendingFixes: { stampMs: number; x: number; y: number }[] = [];
let fused: { x: number; y: number } | undefined;
let gnss: { x: number; y: number } | undefined;
let odom: { x: number; y: number } | undefined;
const samples: Sample[] = [];
runtime.bus.subscribe(poseTopic, (m) => {
  fused = { x: m.data.positionM.x, y: m.data.positionM.y };
});
runtime.bus.subscribe(sensorTopic('gnss', 'gnss'), (m) => {
  if (m.data.status < 0 || !Number.isFinite(m.data.latDeg)) {
    // No fix: GNSS alone has no estimate (holding the last fix would plot an error that is not the receiver's).
    gnss = undefined;
    return;
  }
  const e = frame.toEnu(m.data.latDeg, m.data.lonDeg, m.data.altM);
  gnss = { x: e.x, y: e.y };
  // The fix arrives after its capture (receiver latency): matched with the truth of its own stamp below.
  pendingFixes.push({ stampMs: m.stampMs, x: e.x, y: e.y });
});
runtime.bus.subscribe(sensorTopic('odometry', 'odom'), (m) => {
  odom = { x: m.data.positionM.x, y: m.data.positionM.y };
});
runtime.bus.subscribe(simTruthTopic, (m) => {
  const p = m.data.vehicle.positionM;
  truthTrail.push({ stampMs: m.stampMs, t: m.data.timeMs / 1000, x: p.x, y: p.y });
  matchFixes();
  const err = (q: { x: number; y: number } | undefined): number | undefined =>
    q === undefined ? undefined : Math.hypot(q.x - p.x, q.y - p.y);
  const s: Sample = { t: m.data.timeMs / 1000 };
  const f = err(fused);
  const g = err(gnss);
  const o = err(odom);
  if (f !== undefined) s.fused = f;
  if (g !== undefined) s.gnss = g;
  if (o !== undefined) s.odom = o;
  samples.push(s);
});

/** Pairs each fix with the truth sample nearest its stamp once truth has passed it (the antenna sits on the vehicle's centre here). */
function matchFixes(): void {
  const last = truthTrail.at(-1);
  while (pendingFixes.length > 0 && last !== undefined && pendingFixes[0]!.stampMs <= last.stampMs) {
    const fix = pendingFixes.shift()!;
    let best = truthTrail[truthTrail.length - 1]!;
    for (let i = truthTrail.length - 1; i >= 0; i--) {
      const c = truthTrail[i]!;
      if (Math.abs(c.stampMs - fix.stampMs) < Math.abs(best.stampMs - fix.stampMs)) best = c;
      if (c.stampMs < fix.stampMs - 1000) break;
    }
    fixErrors.push({ t: best.t, dx: fix.x - best.x, dy: fix.y - best.y });
  }
}

await runtime.start();
await driveSimClock(clock, { speed: Infinity, stepMs: 10, durationMs: seconds * 1000 });
await runtime.stop('evaluation done');

const outage = mission.simulation.scenario === 'perimeter' ? ([45, 65] as const) : undefined;
const rmse = (key: Series, from: number, to: number): number => {
  const v = samples.filter((s) => s.t >= from && s.t < to && s[key] !== undefined).map((s) => s[key]!);
  return Math.sqrt(v.reduce((a, b) => a + b * b, 0) / Math.max(1, v.length));
};
const max = (key: Series, from: number, to: number): number =>
  Math.max(0, ...samples.filter((s) => s.t >= from && s.t < to && s[key] !== undefined).map((s) => s[key]!));
const warm = 5;
const before = outage?.[0] ?? seconds;
/**
 * The floor for any filter whose only absolute reference is this GNSS: an
 * oracle that knows the vehicle's motion exactly (perfect odometry) can still
 * not tell the receiver's slowly wandering bias from an offset of the whole
 * track, so its best estimate at t is the truth plus the fixes' mean error
 * over t ± 5 s (white noise averaged out, the bias left in). Non-causal, so
 * it is a lower bound for a causal filter, not a target.
 */
const ORACLE_HALF_WINDOW_S = 5;
const gnssHz = mission.sensors.find((s) => s.type === 'gnss')?.rateHz ?? 5;
for (const s of samples) {
  const near = fixErrors.filter((f) => Math.abs(f.t - s.t) <= ORACLE_HALF_WINDOW_S);
  // A full window only (less a few dropped fixes): not at the start, nor beside the outage.
  if (near.length < 0.8 * gnssHz * 2 * ORACLE_HALF_WINDOW_S) continue;
  const mx = near.reduce((a, f) => a + f.dx, 0) / near.length;
  const my = near.reduce((a, f) => a + f.dy, 0) / near.length;
  s.floor = Math.hypot(mx, my);
}
const figures = {
  seed,
  drive: `${warm}-${before} s with GNSS`,
  fusedRmseM: rmse('fused', warm, before),
  gnssRmseM: rmse('gnss', warm, before),
  odomRmseM: rmse('odom', warm, before),
  /** Lower bound for any GNSS-referenced filter (see ORACLE_HALF_WINDOW_S): the GNSS's own bias. */
  gnssBiasFloorRmseM: rmse('floor', warm, before),
  ...(outage === undefined
    ? {}
    : {
        outage: `${outage[0]}-${outage[1]} s`,
        fusedMaxErrorInOutageM: max('fused', outage[0], outage[1]),
        odomMaxErrorInOutageM: max('odom', outage[0], outage[1]),
      }),
};
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);

// Error-over-time plot.
const W = 900;
const H = 420;
const M = 50;
// Scaled to the filter's errors: odometry alone leaves the chart within seconds (its figure is in the title).
const yMax = Math.max(2, ...samples.map((s) => Math.max(s.fused ?? 0, s.floor ?? 0))) * 1.5;
const sx = (t: number): number => M + (t / seconds) * (W - 2 * M);
const sy = (e: number): number => H - M - (Math.min(e, yMax) / yMax) * (H - 2 * M);
/** One polyline per run of samples that have `key` (a gap, such as GNSS in the outage, breaks the line). */
const line = (key: Series, colour: string, dash = ''): string => {
  const runs: string[][] = [[]];
  for (const s of samples) {
    const v = s[key];
    if (v === undefined) {
      if (runs.at(-1)!.length > 0) runs.push([]);
      continue;
    }
    runs.at(-1)!.push(`${sx(s.t).toFixed(1)},${sy(v).toFixed(1)}`);
  }
  return runs
    .filter((r) => r.length > 1)
    .map(
      (r) =>
        `<polyline points="${r.join(' ')}" fill="none" stroke="${colour}" stroke-width="1.8"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}/>`,
    )
    .join('');
};
const f2 = (v: number): string => v.toFixed(2);
const parts = [
  `<rect width="${W}" height="${H}" fill="#fff"/>`,
  outage === undefined
    ? ''
    : `<rect x="${sx(outage[0])}" y="${M}" width="${sx(outage[1]) - sx(outage[0])}" height="${H - 2 * M}" fill="#eee"/>`,
  `<path d="M${M},${M} V${H - M} H${W - M}" stroke="#000" fill="none"/>`,
  line('gnss', '#e57373'),
  line('odom', '#81c784'),
  line('floor', '#424242', '5,4'),
  line('fused', '#1565c0'),
  `<text x="${M}" y="18" font-family="sans-serif" font-size="13">Position error vs ground truth, perimeter scenario, seed ${seed} (RMSE ${warm}-${before} s): blue EKF ${f2(figures.fusedRmseM)} m, red GNSS alone ${f2(figures.gnssRmseM)} m,</text>`,
  `<text x="${M}" y="34" font-family="sans-serif" font-size="13">green odometry alone ${f2(figures.odomRmseM)} m (off the chart), dashed: floor for any GNSS-referenced filter ${f2(figures.gnssBiasFloorRmseM)} m</text>`,
  `<text x="${M}" y="${M - 2}" font-family="sans-serif" font-size="12">(the receiver's own wandering bias, seen by an oracle that knows the motion exactly); grey: GNSS outage</text>`,
  `<text x="${W / 2}" y="${H - 12}" font-family="sans-serif" font-size="13">time, s (0-${seconds})</text>`,
  `<text x="4" y="${M + 14}" font-family="sans-serif" font-size="13">${yMax.toFixed(1)} m</text>`,
];
await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`))
  .png()
  .toFile(out);
process.stdout.write(`wrote ${out}\n`);
