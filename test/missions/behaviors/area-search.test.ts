import { describe, expect, it } from 'vitest';
import { AreaSearch, type AreaSearchConfig } from '../../../missions/behaviors/area-search.js';
import type { BehaviorInput } from '../../../missions/behaviors/logic.js';
import { yawToQuaternion, type PoseEstimate, type Target } from '../../../runtime/index.js';

function pose(x: number, y: number, z: number): PoseEstimate {
  return {
    frameId: 'map',
    positionM: { x, y, z },
    orientation: yawToQuaternion(0),
    yawRad: 0,
    poseCovariance: new Array<number>(36).fill(0),
    linearVelocityMps: { x: 0, y: 0, z: 0 },
    yawRateRps: 0,
    source: 'test',
  };
}

const cfg: AreaSearchConfig = {
  area: [
    [0, 0],
    [100, 0],
    [100, 40],
    [0, 40],
  ],
  laneSpacingM: 20,
  altitudeM: 30,
  speedMps: 8,
  onFire: 'suppress',
  suppressRangeM: 15,
  returnHomePct: 30,
  suppressS: 5,
};

const input = (p: PoseEstimate | undefined, nowMs: number, extra: Partial<BehaviorInput> = {}): BehaviorInput => ({
  nowMs,
  targets: [],
  ...(p === undefined ? {} : { pose: p }),
  ...extra,
});

describe('AreaSearch (a stepped narrative)', () => {
  it('takes off, sweeps the lanes, returns home and lands', () => {
    const b = new AreaSearch(cfg);
    let t = 0;
    // No pose yet: nothing is proposed.
    expect(b.step(input(undefined, t)).action).toBeUndefined();
    // On the ground at home: climb to the search altitude first.
    let out = b.step(input(pose(0, 0, 0), (t += 200)));
    expect(out.phase).toBe('takeoff');
    expect(out.action).toEqual({ kind: 'goto', target: { frame: 'local', x: 0, y: 0 }, altitudeM: 30 });
    // At altitude: fly to the first lane start.
    out = b.step(input(pose(0, 0, 30), (t += 200)));
    out = b.step(input(pose(0, 0, 30), (t += 200)));
    expect(out.action).toEqual({ kind: 'goto', target: { frame: 'local', x: 0, y: 10 }, altitudeM: 30, speedMps: 8 });
    // Visit each waypoint in turn.
    for (const [x, y] of [
      [0, 10],
      [100, 10],
      [100, 30],
    ] as const) {
      out = b.step(input(pose(x, y, 30), (t += 200)));
      expect(out.phase).toMatch(/^search/);
    }
    // Last waypoint reached: the sweep is done, head home.
    out = b.step(input(pose(0, 30, 30), (t += 200)));
    expect(out.action).toEqual({ kind: 'return_home' });
    expect(out.events?.map((e) => e.kind)).toContain('behavior.search_done');
    out = b.step(input(pose(0, 1, 30), (t += 200)));
    expect(out.action).toEqual({ kind: 'land' });
    out = b.step(input(pose(0, 1, 0.1), (t += 200)));
    expect(out.phase).toBe('done');
  });

  it('flies to suppression range of a fire, releases water, then resumes the sweep', () => {
    const b = new AreaSearch(cfg);
    b.step(input(pose(0, 0, 30), 0));
    const fire: Target = {
      id: 'fire-1',
      className: 'fire',
      positionM: { x: 60, y: 10, z: 0 },
      varianceM2: { x: 1, y: 1 },
      confidence: 0.9,
      lastSeenMs: 0,
    };
    let out = b.step(input(pose(0, 10, 30), 200, { targets: [fire] }));
    expect(out.phase).toBe('approach');
    expect(out.events?.[0]?.kind).toBe('behavior.fire_found');
    // The approach point is short of the fire by 80% of the range, on the robot's side.
    expect(out.action).toMatchObject({ kind: 'goto', target: { frame: 'local', x: 48, y: 10 } });
    out = b.step(input(pose(48, 10, 30), 400, { targets: [fire] }));
    expect(out).toMatchObject({ phase: 'suppress', action: { kind: 'payload', on: true, durationS: 5 } });
    out = b.step(input(pose(48, 10, 30), 3000, { targets: [fire] }));
    expect(out.action).toEqual({ kind: 'hold' });
    out = b.step(input(pose(48, 10, 30), 5400, { targets: [fire] }));
    expect(out.action).toEqual({ kind: 'payload', on: false });
    // The same fire is not attacked twice.
    out = b.step(input(pose(48, 10, 30), 5600, { targets: [fire] }));
    expect(out.phase).toMatch(/^search/);
  });

  it('returns home when the battery reaches the reserve', () => {
    const b = new AreaSearch(cfg);
    b.step(input(pose(0, 0, 30), 0));
    const out = b.step(input(pose(50, 10, 30), 200, { batteryPct: 29 }));
    expect(out.action).toEqual({ kind: 'return_home' });
    expect(out.events?.map((e) => e.severity)).toContain('warning');
  });
});
