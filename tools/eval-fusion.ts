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

interface Sample {
  t: number;
  fused?: number;
  gnss?: number;
  odom?: number;
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

let fused: { x: number; y: number } | undefined;
let gnss: { x: number; y: number } | undefined;
let odom: { x: number; y: number } | undefined;
const samples: Sample[] = [];
runtime.bus.subscribe(poseTopic, (m) => {
  fused = { x: m.data.positionM.x, y: m.data.positionM.y };
});
runtime.bus.subscribe(sensorTopic('gnss', 'gnss'), (m) => {
  if (m.data.status < 0 || !Number.isFinite(m.data.latDeg)) return;
  const e = frame.toEnu(m.data.latDeg, m.data.lonDeg, m.data.altM);
  gnss = { x: e.x, y: e.y };
});
runtime.bus.subscribe(sensorTopic('odometry', 'odom'), (m) => {
  odom = { x: m.data.positionM.x, y: m.data.positionM.y };
});
runtime.bus.subscribe(simTruthTopic, (m) => {
  const p = m.data.vehicle.positionM;
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

await runtime.start();
await driveSimClock(clock, { speed: Infinity, stepMs: 10, durationMs: seconds * 1000 });
await runtime.stop('evaluation done');

const outage = mission.simulation.scenario === 'perimeter' ? ([45, 65] as const) : undefined;
const rmse = (key: 'fused' | 'gnss' | 'odom', from: number, to: number): number => {
  const v = samples.filter((s) => s.t >= from && s.t < to && s[key] !== undefined).map((s) => s[key]!);
  return Math.sqrt(v.reduce((a, b) => a + b * b, 0) / Math.max(1, v.length));
};
const max = (key: 'fused' | 'gnss' | 'odom', from: number, to: number): number =>
  Math.max(0, ...samples.filter((s) => s.t >= from && s.t < to && s[key] !== undefined).map((s) => s[key]!));
const warm = 5;
const before = outage?.[0] ?? seconds;
const figures = {
  seed,
  drive: `${warm}-${before} s with GNSS`,
  fusedRmseM: rmse('fused', warm, before),
  gnssRmseM: rmse('gnss', warm, before),
  odomRmseM: rmse('odom', warm, before),
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
const yMax = Math.max(4, ...samples.map((s) => Math.max(s.fused ?? 0, s.gnss ?? 0))) * 1.1;
const sx = (t: number): number => M + (t / seconds) * (W - 2 * M);
const sy = (e: number): number => H - M - (Math.min(e, yMax) / yMax) * (H - 2 * M);
const line = (key: 'fused' | 'gnss' | 'odom', colour: string): string => {
  const pts = samples.filter((s) => s[key] !== undefined).map((s) => `${sx(s.t).toFixed(1)},${sy(s[key]!).toFixed(1)}`);
  return `<polyline points="${pts.join(' ')}" fill="none" stroke="${colour}" stroke-width="1.8"/>`;
};
const parts = [
  `<rect width="${W}" height="${H}" fill="#fff"/>`,
  outage === undefined
    ? ''
    : `<rect x="${sx(outage[0])}" y="${M}" width="${sx(outage[1]) - sx(outage[0])}" height="${H - 2 * M}" fill="#eee"/>`,
  `<path d="M${M},${M} V${H - M} H${W - M}" stroke="#000" fill="none"/>`,
  line('gnss', '#e57373'),
  line('odom', '#81c784'),
  line('fused', '#1565c0'),
  `<text x="${M}" y="30" font-family="sans-serif" font-size="14">Position error vs ground truth, perimeter scenario (seed ${seed}): blue EKF ${figures.fusedRmseM.toFixed(2)} m RMSE, red GNSS alone ${figures.gnssRmseM.toFixed(2)} m, green odometry alone ${figures.odomRmseM.toFixed(2)} m; grey = GNSS outage</text>`,
  `<text x="${W / 2}" y="${H - 12}" font-family="sans-serif" font-size="13">time, s (0-${seconds})</text>`,
  `<text x="8" y="${M + 4}" font-family="sans-serif" font-size="13">${yMax.toFixed(1)} m</text>`,
];
await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`))
  .png()
  .toFile(out);
process.stdout.write(`wrote ${out}\n`);
