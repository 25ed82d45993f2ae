import { describe, expect, it } from 'vitest';
import { EkfEstimator } from '../../../perception/fusion/ekf-estimator.js';
import { parseMission } from '../../../missions/index.js';
import {
  EnuFrame,
  eventsTopic,
  Lifecycle,
  MessageBus,
  poseTopic,
  sensorTopic,
  Services,
  silentLogger,
  SimClock,
  yawToQuaternion,
  type ComponentHealth,
  type PoseEstimate,
} from '../../../runtime/index.js';

const mission = parseMission(`
apiVersion: kestrel/v1
mission: { id: est, version: 1.0.0 }
platform: { kind: ground, id: r1, maxSpeedMps: 2 }
origin: { lat: 51.0, lon: -2.0, altM: 0 }
sensors:
  - { id: gnss, type: gnss, source: { kind: ros2, topic: /fix }, rateHz: 5, staleAfterMs: 1000 }
  - { id: odom, type: odometry, source: { kind: ros2, topic: /odom }, rateHz: 20 }
estimator: { maxDeadReckoningMs: 5000 }
guardrails: {}
behavior: { kind: hold }
`).mission;

const frame = new EnuFrame({ latDeg: 51, lonDeg: -2, altM: 0 });

/** A GNSS fix at local ENU `at` (m) with diagonal covariance `variance` (m²). */
function publishFix(
  bus: MessageBus,
  now: number,
  at: readonly [number, number, number],
  variance: readonly [number, number, number],
): void {
  const g = frame.toGeodetic(at[0], at[1], at[2]);
  bus.publish(
    sensorTopic('gnss', 'gnss'),
    {
      frameId: 'gnss',
      status: 0,
      latDeg: g.latDeg,
      lonDeg: g.lonDeg,
      altM: g.altM,
      positionCovariance: [variance[0], 0, 0, 0, variance[1], 0, 0, 0, variance[2]],
    },
    now,
  );
}

/** The estimator alone on a bus and a SimClock, not started yet. */
function build(m: typeof mission) {
  const clock = new SimClock();
  const bus = new MessageBus({ clock });
  const est = new EkfEstimator(m);
  const health: ComponentHealth[] = [];
  const lc = new Lifecycle([est], {
    bus,
    clock,
    logger: silentLogger(),
    services: new Services(),
    onHealthChange: (h) => health.push(h),
  });
  return { clock, bus, est, lc, health };
}

function setup() {
  const { clock, bus, est, lc, health } = build(mission);
  const poses: { stampMs: number; pose: PoseEstimate }[] = [];
  bus.subscribe(poseTopic, (m) => void poses.push({ stampMs: m.stampMs, pose: m.data }), {
    policy: { kind: 'reliable' },
  });
  return { clock, bus, est, lc, poses, health };
}

/** A robot driving east at 1 m/s from the origin: odometry at 20 Hz, GNSS at 5 Hz unless `gnssOff(t)`. */
async function drive(
  h: ReturnType<typeof setup>,
  seconds: number,
  gnssOff: (tS: number) => boolean,
  gnssNorthM = 0,
): Promise<void> {
  for (let i = 0; i < seconds * 20; i++) {
    const tS = h.clock.elapsed() / 1000;
    const now = h.clock.nowMs();
    const cov = new Array<number>(36).fill(0);
    cov[0] = cov[7] = cov[14] = 1e-3;
    cov[35] = 1e-4;
    h.bus.publish(
      sensorTopic('odometry', 'odom'),
      {
        frameId: 'odom',
        childFrameId: 'base_link',
        positionM: { x: tS, y: 0, z: 0 },
        orientation: yawToQuaternion(0),
        poseCovariance: cov,
        linearVelocityMps: { x: 1, y: 0, z: 0 },
        angularVelocityRps: { x: 0, y: 0, z: 0 },
        twistCovariance: cov,
      },
      now,
    );
    if (i % 4 === 0 && !gnssOff(tS)) {
      publishFix(h.bus, now, [tS, gnssNorthM, 0], [1, 1, 4]);
    }
    await h.clock.advance(50);
  }
}

describe('EkfEstimator on the bus', () => {
  it('publishes a pose that follows the robot, at the configured rate', async () => {
    const h = setup();
    await h.lc.start();
    await drive(h, 10, () => false);
    const last = h.poses.at(-1)!.pose;
    expect(last.source).toBe('ekf');
    expect(last.positionM.x).toBeCloseTo(10, 0);
    expect(Math.abs(last.positionM.y)).toBeLessThan(0.5);
    // 30 Hz for ~10 s (it starts once the first measurement is fused).
    expect(h.poses.length).toBeGreaterThan(250);
    await h.lc.stop('done');
  });

  it('dead-reckons through a short GNSS outage, then declares the pose stale', async () => {
    const h = setup();
    await h.lc.start();
    await drive(h, 4, () => false);
    // GNSS goes away: odometry keeps the estimate going, health says so.
    await drive(h, 3, () => true);
    expect(h.health.at(-1)).toMatchObject({ state: 'degraded', code: 'estimator.dead_reckoning' });
    const during = h.poses.at(-1)!;
    expect(during.pose.positionM.x).toBeCloseTo(h.clock.elapsed() / 1000, 0);
    // Beyond maxDeadReckoningMs (5 s) without a fix, no pose is published at all.
    await drive(h, 4, () => true);
    expect(h.health.at(-1)).toMatchObject({ state: 'degraded', code: 'source.stale' });
    const count = h.poses.length;
    await drive(h, 1, () => true);
    expect(h.poses.length).toBe(count);
    // GNSS returns: back to fused.
    await drive(h, 2, () => false);
    expect(h.health.at(-1)).toMatchObject({ state: 'ok' });
    await h.lc.stop('done');
  });

  it('re-initialises from the first GNSS fix after an outage when the estimate has drifted from it, not 2 s later', async () => {
    const h = setup();
    const resets: number[] = [];
    h.bus.subscribe(eventsTopic, (m) => {
      if (m.data.kind === 'estimator.reset') resets.push(h.clock.elapsed());
    });
    await h.lc.start();
    await drive(h, 4, () => false);
    await drive(h, 3, () => true);
    // GNSS comes back 15 m north of where odometry carried the estimate (a slipping wheel, say).
    const backAtMs = h.clock.elapsed();
    await drive(h, 3, () => false, 15);
    expect(resets).toHaveLength(1);
    expect(resets[0]! - backAtMs).toBeLessThanOrEqual(250);
    const last = h.poses.at(-1)!.pose;
    expect(last.positionM.y).toBeCloseTo(15, 0);
    await h.lc.stop('done');
  });

  it('EXPECTED FAILURE - counts and rejects NO_FIX, NaN and future-stamped fixes', async () => {
    const h = setup();
    await h.lc.start();
    const now = h.clock.nowMs();
    const fix = { frameId: 'gnss', latDeg: 51, lonDeg: -2, altM: 0, positionCovariance: [1, 0, 0, 0, 1, 0, 0, 0, 4] };
    h.bus.publish(sensorTopic('gnss', 'gnss'), { ...fix, status: -1 }, now);
    h.bus.publish(sensorTopic('gnss', 'gnss'), { ...fix, status: 0, latDeg: NaN }, now);
    h.bus.publish(sensorTopic('gnss', 'gnss'), { ...fix, status: 0 }, now + 60_000);
    h.bus.publish(
      sensorTopic('gnss', 'gnss'),
      { ...fix, status: 0, positionCovariance: [1, 5, 0, 0, 1, 0, 0, 0, 4] },
      now,
    );
    await h.bus.drain();
    expect(h.est.stats().rejected).toEqual({ gnss: { no_fix: 1, non_finite: 1, future: 1, bad_covariance: 1 } });
    expect(h.est.stats().applied).toBe(0);
    await h.lc.stop('done');
  });
});

/** A multirotor mission with GNSS and the given IMU sensor line (YAML, indented as a list item). */
function droneMission(id: string, imu: string): typeof mission {
  return parseMission(`
apiVersion: kestrel/v1
mission: { id: ${id}, version: 1.0.0 }
platform: { kind: multirotor, id: d1, maxSpeedMps: 12 }
origin: { lat: 51.0, lon: -2.0, altM: 0 }
sensors:
  - { id: gnss, type: gnss, source: { kind: ros2, topic: /fix }, rateHz: 5, staleAfterMs: 1000 }
${imu}
guardrails: {}
behavior: { kind: hold }
`).mission;
}

/** A level, not rotating IMU sample facing east, accelerating forward at `ax`. */
function publishLevelImu(bus: MessageBus, now: number, ax: number): void {
  bus.publish(
    sensorTopic('imu', 'imu'),
    {
      frameId: 'imu',
      orientation: yawToQuaternion(0),
      angularVelocityRps: { x: 0, y: 0, z: 0 },
      linearAccelerationMps2: { x: ax, y: 0, z: 9.81 },
    },
    now,
  );
}

/** The estimator alone on a bus, started on a SimClock. */
async function startAlone(m: typeof mission) {
  const built = build(m);
  await built.lc.start();
  return built;
}

describe('EkfEstimator without a velocity source', () => {
  it('EXPECTED FAILURE - an IMU alone does not dead-reckon: the pose goes stale when GNSS does', async () => {
    const { clock, bus, lc, health } = await startAlone(
      droneMission('est2', '  - { id: imu, type: imu, source: { kind: ros2, topic: /imu }, rateHz: 50 }'),
    );
    let poses = 0;
    bus.subscribe(
      poseTopic,
      () => {
        poses++;
      },
      { policy: { kind: 'reliable' } },
    );
    for (let i = 0; i < 200; i++) {
      const now = clock.nowMs();
      publishLevelImu(bus, now, 0);
      // GNSS for the first 2 s only.
      if (i % 10 === 0 && i < 100) {
        bus.publish(
          sensorTopic('gnss', 'gnss'),
          {
            frameId: 'gnss',
            status: 0,
            latDeg: 51,
            lonDeg: -2,
            altM: 0,
            positionCovariance: [1, 0, 0, 0, 1, 0, 0, 0, 4],
          },
          now,
        );
      }
      await clock.advance(20);
    }
    expect(health.at(-1)).toMatchObject({ state: 'degraded', code: 'source.stale' });
    const count = poses;
    await clock.advance(500);
    expect(poses).toBe(count);
    await lc.stop('done');
  });
});

describe('EkfEstimator on a multirotor', () => {
  it('with the accelerometer in its fuse list, follows a hard stop from 10 m/s', async () => {
    const { clock, bus, est, lc } = await startAlone(
      droneMission(
        'est3',
        `  - id: imu
    type: imu
    source: { kind: ros2, topic: /imu }
    rateHz: 100
    fuse: [roll, pitch, yaw, vroll, vpitch, vyaw, ax, ay, az]`,
      ),
    );
    let worstM = 0;
    let truthX = 0;
    bus.subscribe(poseTopic, (m) => void (worstM = Math.max(worstM, Math.abs(m.data.positionM.x - truthX))), {
      policy: { kind: 'reliable' },
    });
    // Hovering, then 10 m/s east (after 5 s of flight the filter has the speed), then a 3.5 m/s² stop at 15 s.
    let v = 0;
    for (let i = 0; i < 2500; i++) {
      const t = i / 100;
      const a = t < 2 ? 0 : t < 4.9 ? 3.5 : t < 15 ? 0 : v > 0 ? -3.5 : 0;
      v = Math.max(0, v + a / 100);
      truthX += v / 100;
      const now = clock.nowMs();
      publishLevelImu(bus, now, v > 0 || a > 0 ? a : 0);
      if (i % 20 === 0) {
        publishFix(bus, now, [truthX, 0, 10], [0.36, 0.36, 1]);
      }
      await clock.advance(10);
    }
    expect(est.stats().resets).toBe(0);
    expect(worstM).toBeLessThan(2);
    await lc.stop('done');
  });
});
