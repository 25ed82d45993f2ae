import { describe, expect, it } from 'vitest';
import { WorldModel } from '../../../perception/fusion/world-model.js';
import { ApproximateTimeSync } from '../../../perception/fusion/approximate-time.js';
import { PoseHistory } from '../../../perception/fusion/pose-history.js';
import { yawToQuaternion, type PoseEstimate } from '../../../runtime/index.js';
import { rng } from './helpers.js';

describe('WorldModel', () => {
  const opts = { gateM: 5, expireMs: 10_000, minSightings: 3, minVarianceM2: 0.01, motionNoiseM2PerS: 0 };

  it('merges repeated sightings into one target whose estimate tightens', () => {
    const w = new WorldModel(opts);
    const r = rng(5);
    let id = '';
    for (let i = 0; i < 30; i++) {
      id = w.observe({
        className: 'fire',
        positionM: { x: 40 + r.gauss(1.5), y: 20 + r.gauss(1.5), z: 0 },
        varianceM2: { x: 2.25, y: 2.25 },
        score: 0.6,
        timeMs: i * 100,
      });
    }
    const targets = w.targets();
    expect(targets).toHaveLength(1);
    expect(targets[0]!.id).toBe(id);
    expect(Math.hypot(targets[0]!.positionM.x - 40, targets[0]!.positionM.y - 20)).toBeLessThan(1);
    expect(targets[0]!.varianceM2.x).toBeLessThan(0.2);
    expect(targets[0]!.confidence).toBeGreaterThan(0.99);
  });

  it('keeps classes and distant targets apart, reports only confirmed ones, and expires old ones', () => {
    const w = new WorldModel(opts);
    const see = (className: string, x: number, t: number): string =>
      w.observe({ className, positionM: { x, y: 0, z: 0 }, varianceM2: { x: 1, y: 1 }, score: 0.5, timeMs: t });
    for (let i = 0; i < 3; i++) {
      see('fire', 0, i);
      see('person', 0, i);
      see('fire', 50, i);
    }
    see('fire', 200, 3); // one sighting only
    expect(
      w
        .targets()
        .map((t) => t.className)
        .sort(),
    ).toEqual(['fire', 'fire', 'person']);
    expect(w.expire(10_003 + 1)).toHaveLength(4);
    expect(w.targets()).toEqual([]);
  });
});

describe('WorldModel with a moving target', () => {
  it('a tracker hint keeps a fast vehicle one target, and motion noise lets it follow', () => {
    const w = new WorldModel({
      gateM: 5,
      expireMs: 10_000,
      minSightings: 3,
      minVarianceM2: 0.05,
      motionNoiseM2PerS: 4,
    });
    let id: string | undefined;
    for (let i = 0; i < 20; i++) {
      // 8 m/s along x, seen at 2 Hz: 4 m between sightings.
      const s = {
        className: 'vehicle',
        positionM: { x: i * 4, y: 0, z: 0 },
        varianceM2: { x: 1, y: 1 },
        score: 0.6,
        timeMs: i * 500,
      };
      id = w.observe(s, id);
    }
    const targets = w.targets();
    expect(targets).toHaveLength(1);
    expect(targets[0]!.positionM.x).toBeGreaterThan(70);
  });
});

describe('ApproximateTimeSync', () => {
  it('pairs messages within the slop, in time order, each used once', () => {
    const sets: [number, number][] = [];
    const sync = new ApproximateTimeSync<[string, string]>(2, 20, 10, ([a, b]) => sets.push([a.stampMs, b.stampMs]));
    for (const t of [0, 33, 66, 100]) sync.add(0, t, `frame@${t}`);
    for (const t of [5, 45, 70, 98]) sync.add(1, t, `pose@${t}`);
    expect(sets).toEqual([
      [0, 5],
      [33, 45],
      [66, 70],
      [100, 98],
    ]);
    expect(sync.dropped).toBe(0);
  });

  it('drops a message that can no longer be matched', () => {
    const sets: [number, number][] = [];
    const sync = new ApproximateTimeSync<[string, string]>(2, 10, 10, ([a, b]) => sets.push([a.stampMs, b.stampMs]));
    sync.add(0, 0, 'frame@0');
    sync.add(1, 50, 'pose@50'); // nothing near 0 will ever come on stream 1 now
    sync.add(0, 52, 'frame@52');
    expect(sets).toEqual([[52, 50]]);
    expect(sync.dropped).toBe(1);
  });

  it('BAD CALL - needs two streams', () => {
    expect(() => new ApproximateTimeSync<[number]>(1, 10, 5, () => undefined)).toThrow(RangeError);
  });
});

describe('PoseHistory', () => {
  const pose = (x: number, yaw: number): PoseEstimate => ({
    frameId: 'map',
    positionM: { x, y: 0, z: 0 },
    orientation: yawToQuaternion(yaw),
    yawRad: yaw,
    poseCovariance: new Array<number>(36).fill(0),
    linearVelocityMps: { x: 0, y: 0, z: 0 },
    yawRateRps: 0,
    source: 'test',
  });

  it('interpolates the pose at a frame stamp, across the ±π seam', () => {
    const h = new PoseHistory(1000, 100);
    h.add(0, pose(0, Math.PI - 0.1));
    h.add(100, pose(10, -Math.PI + 0.1));
    const p = h.at(50)!;
    expect(p.positionM.x).toBeCloseTo(5, 9);
    expect(Math.abs(p.yawRad)).toBeCloseTo(Math.PI, 9);
    expect(h.at(500)).toBeUndefined();
  });
});
