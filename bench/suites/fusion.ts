/**
 * Fusion benchmarks: EKF predict+update throughput for the 15-state filter
 * (target >= 100k/s), against predict alone as the reference, and the cost of
 * placing one detection in the world (projection + world-model merge).
 */
import { Ekf, type Measurement } from '../../perception/fusion/ekf.js';
import { DEFAULT_INITIAL_COVARIANCE, DEFAULT_PROCESS_NOISE } from '../../perception/fusion/ekf-estimator.js';
import { cameraFromFov, localiseBox } from '../../perception/fusion/localise.js';
import { S } from '../../perception/fusion/state.js';
import { compose, fromMount, fromRpy } from '../../perception/fusion/transforms.js';
import { WorldModel } from '../../perception/fusion/world-model.js';
import { assertWork, entry, gc, median, type BenchContext, type BenchEntry } from '../harness.js';

const SUITE = 'fusion';
const STEPS = 50_000;

function newEkf(): Ekf {
  return new Ekf({
    twoD: false,
    processNoise: DEFAULT_PROCESS_NOISE,
    initialCovariance: DEFAULT_INITIAL_COVARIANCE,
    gateSigma: 1e9,
  });
}

const gnss: Measurement = {
  timeMs: 0,
  sensor: 'gnss',
  indices: [S.x, S.y, S.z],
  values: [1, 2, 3],
  covariance: [4, 0, 0, 0, 4, 0, 0, 0, 9],
};
const imu: Measurement = {
  timeMs: 0,
  sensor: 'imu',
  indices: [S.roll, S.pitch, S.yaw, S.vroll, S.vpitch, S.vyaw],
  values: [0.01, -0.02, 0.5, 0, 0, 0.1],
  covariance: [
    0.01, 0, 0, 0, 0, 0, 0, 0.01, 0, 0, 0, 0, 0, 0, 0.05, 0, 0, 0, 0, 0, 0, 1e-4, 0, 0, 0, 0, 0, 0, 1e-4, 0, 0, 0, 0, 0,
    0, 1e-4,
  ],
};

/** Steps per second of predict(dt) plus one update (GNSS or IMU, alternating, like a real stream mix). */
function timeFilter(withUpdate: boolean): number {
  const ekf = newEkf();
  let applied = 0;
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) {
    ekf.predict(0.01);
    if (withUpdate && ekf.correct(i % 2 === 0 ? imu : gnss).kind === 'applied') applied++;
  }
  const s = (performance.now() - t0) / 1000;
  if (withUpdate) assertWork('EKF updates applied', applied, STEPS);
  if (!ekf.x.every(Number.isFinite)) throw new Error('EKF state went non-finite during the benchmark');
  return STEPS / s;
}

function timeLocalisation(): number {
  const cam = cameraFromFov(640, 480, 90);
  const mapTcam = compose(fromRpy(0, 0, 0.3, { x: 100, y: 50, z: 40 }), fromMount([0, 0, 0], [0, 90, 0]));
  const world = new WorldModel();
  const n = 20_000;
  let placed = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const u = 100 + (i % 400);
    const located = localiseBox({ x1: u, y1: 200, x2: u + 20, y2: 240 }, cam, mapTcam, {
      groundZ: 0,
      pixelSigma: 3,
      poseVarianceM2: { x: 1, y: 1 },
    });
    if (located === undefined) continue;
    world.observe({
      className: i % 3 === 0 ? 'person' : 'fire',
      positionM: located.positionM,
      varianceM2: located.varianceM2,
      score: 0.5,
      timeMs: i,
    });
    placed++;
  }
  const us = ((performance.now() - t0) * 1000) / n;
  assertWork('detections placed', placed, n);
  return us;
}

export async function fusionSuite(ctx: BenchContext): Promise<BenchEntry[]> {
  const full: number[] = [];
  const predictOnly: number[] = [];
  const loc: number[] = [];
  timeFilter(true); // warm-up: let the JIT settle before sampling
  for (let r = 0; r < ctx.repeats; r++) {
    gc();
    predictOnly.push(timeFilter(false));
    gc();
    full.push(timeFilter(true));
    gc();
    loc.push(timeLocalisation());
  }
  await Promise.resolve();
  const fullMed = median(full);
  const predMed = median(predictOnly);
  return [
    entry({
      suite: SUITE,
      metric: 'EKF predict+update (15 states)',
      value: fullMed,
      unit: 'steps/s',
      reference: { name: 'EKF predict alone', value: predMed },
      target: { op: '>=', value: 100_000 },
    }),
    entry({ suite: SUITE, metric: 'EKF predict alone (15 states)', value: predMed, unit: 'steps/s' }),
    entry({ suite: SUITE, metric: 'localise + merge one detection', value: median(loc), unit: 'µs' }),
  ];
}
