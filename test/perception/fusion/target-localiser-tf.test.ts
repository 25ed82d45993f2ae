import { describe, expect, it } from 'vitest';
import { parseMission } from '../../../missions/index.js';
import { TargetLocaliser, sightingsTopic } from '../../../perception/index.js';
import { detectionsTopic, poseTopic, queue, transformsTopic } from '../../../runtime/index.js';
import type { PoseEstimate, TransformsMessage } from '../../../runtime/index.js';
import type { SightingReport } from '../../../perception/index.js';
import { testContext } from '../../hardware/context.js';

function mission(withTf: boolean) {
  return parseMission(
    [
      'apiVersion: kestrel/v1',
      'mission: { id: tf-mount, version: 0.1.0 }',
      'platform: { kind: multirotor, id: d1, maxSpeedMps: 5 }',
      'sensors:',
      // The mission says "looking forward"; the robot's URDF (tf) says "looking straight down".
      '  - { id: cam, type: camera, source: { kind: ros2, topic: /cam/image_raw }, rateHz: 5, width: 640, height: 480, fovDeg: 90, frameId: cam_optical_frame, mount: { xyzM: [0, 0, 0], rpyDeg: [0, 0, 0] } }',
      ...(withTf ? ['transforms: { kind: ros2 }'] : []),
      'guardrails: {}',
      'behavior: { kind: hold }',
    ].join('\n'),
  ).mission;
}

const pose = (stampMs: number): PoseEstimate => ({
  frameId: 'map',
  positionM: { x: 10, y: 5, z: 40 },
  orientation: { x: 0, y: 0, z: 0, w: 1 },
  yawRad: 0,
  poseCovariance: Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? 0.01 : 0)),
  linearVelocityMps: { x: 0, y: 0, z: 0 },
  yawRateRps: 0,
  source: 'test',
  measuredAtMs: stampMs,
});

// base_link -> cam_optical_frame for a nadir camera, image top towards the nose: a half turn about (1, -1, 0)/sqrt 2.
const nadir: TransformsMessage = {
  isStatic: true,
  transforms: [
    {
      parent: 'base_link',
      child: 'cam_optical_frame',
      stampMs: 0,
      translation: { x: 0, y: 0, z: 0 },
      rotation: { x: Math.SQRT1_2, y: -Math.SQRT1_2, z: 0, w: 0 },
    },
  ],
};

async function sight(withTf: boolean, boxes: { x1: number; y1: number; x2: number; y2: number }[]) {
  const ctx = testContext();
  const loc = new TargetLocaliser(mission(withTf));
  const seen: SightingReport[] = [];
  ctx.bus.subscribe(sightingsTopic, (m) => void seen.push(m.data), { policy: queue(10) });
  loc.start(ctx);
  ctx.bus.publish(transformsTopic, nadir, 0);
  ctx.bus.publish(poseTopic, pose(1000), 1000);
  ctx.bus.publish(poseTopic, pose(1100), 1100);
  ctx.bus.publish(detectionsTopic, {
    pipeline: 'p',
    camera: 'cam',
    model: 'm',
    width: 640,
    height: 480,
    frameStampMs: 1050,
    detections: boxes.map((box) => ({ classId: 0, className: 'fire', score: 0.9, box })),
    latencyMs: {},
  });
  await ctx.clock.advance(0);
  await ctx.bus.drain();
  const sources = loc.mountSources();
  loc.stop();
  return { seen, sources };
}

describe('TargetLocaliser with a tf tree', () => {
  // A box around the image centre, and one right of it.
  const centre = { x1: 310, y1: 230, x2: 330, y2: 250 };
  const right = { x1: 470, y1: 230, x2: 490, y2: 250 };

  it('takes the camera mount from tf (optical frame) once base_link links to the camera frame', async () => {
    const { seen, sources } = await sight(true, [centre, right]);
    expect(sources).toEqual({ cam: 'tf' });
    const placed = seen[0]?.placed ?? [];
    expect(placed).toHaveLength(2);
    // Straight down from (10, 5, 40), within a metre (the box anchor is its bottom edge).
    expect(placed[0]!.positionM.x).toBeCloseTo(10, 0);
    expect(placed[0]!.positionM.y).toBeGreaterThan(4);
    expect(placed[0]!.positionM.y).toBeLessThan(6);
    // Image right is the drone's right: smaller y (REP-103: y left).
    expect(placed[1]!.positionM.y).toBeLessThan(placed[0]!.positionM.y - 10);
  });

  it('EXPECTED FAILURE - without a tf tree the mission mount (looking forward) puts the same box near the horizon', async () => {
    const { seen, sources } = await sight(false, [centre]);
    expect(sources).toEqual({ cam: 'mission' });
    // The box's bottom edge is 10 px under the horizon: a ray that meets the ground more than a kilometre ahead.
    const p = seen[0]?.placed[0];
    expect(p?.rangeM).toBeGreaterThan(1000);
    expect(p?.positionM.x).toBeGreaterThan(1000);
  });
});
