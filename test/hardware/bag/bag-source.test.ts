import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BagError, BagSource, BufferReadable, openMcapBag } from '../../../hardware/index.js';
import type { BagSourceOptions } from '../../../hardware/index.js';
import { sensorTopic, latest, queue } from '../../../runtime/index.js';
import type { Envelope, GnssFix, ImuSample } from '../../../runtime/index.js';
import { testContext } from '../context.js';
import { sensorsDb3, sensorsMcap } from './paths.js';

const MCAP_BYTES = readFileSync(sensorsMcap);
const inMemory = (): Promise<Awaited<ReturnType<typeof openMcapBag>>> =>
  openMcapBag(new BufferReadable(MCAP_BYTES), 'sensors.mcap', () => Promise.resolve());

function source(overrides: Partial<BagSourceOptions>): BagSource {
  return new BagSource({
    sensorId: 'imu',
    sensorType: 'imu',
    rateHz: 100,
    path: sensorsMcap,
    topic: '/imu',
    loop: false,
    open: inMemory,
    ...overrides,
  });
}

describe('BagSource', () => {
  it('replays the IMU at its recorded 10 ms spacing on a SimClock, stamps re-based onto the clock', async () => {
    const ctx = testContext();
    const got: Envelope<ImuSample>[] = [];
    ctx.bus.subscribe(sensorTopic('imu', 'imu'), (m) => void got.push(m), { policy: queue(100) });
    const src = source({});
    await src.configure(ctx);
    const t0 = ctx.clock.nowMs();
    await src.start(ctx);
    await ctx.clock.advance(0);
    // step 1: at t=0 only the first sample is due
    expect(got).toHaveLength(1);
    // step 2: 45 ms later, samples at 0..40 ms
    await ctx.clock.advance(45);
    expect(got).toHaveLength(5);
    // step 3: past the end of the bag, all 10 and the source reports the end
    await ctx.clock.advance(100);
    await src.finished();
    expect(got).toHaveLength(10);
    expect(got.map((m) => m.stampMs - t0)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(got[3]!.data.angularVelocityRps.x).toBeCloseTo(0.03, 12);
    expect(ctx.health.current()).toMatchObject({ state: 'degraded', code: 'bag.ended' });
    await src.stop();
  });

  it('plays twice as fast at speed 2', async () => {
    const ctx = testContext();
    const got: number[] = [];
    ctx.bus.subscribe(sensorTopic('imu', 'imu'), (m) => void got.push(m.stampMs), { policy: queue(100) });
    const src = source({ speed: 2 });
    await src.configure(ctx);
    await src.start(ctx);
    await ctx.clock.advance(22);
    expect(got).toHaveLength(5);
    await src.stop();
  });

  it('counts NO_FIX with NaN latitude as rejected and publishes only the real fixes', async () => {
    const ctx = testContext();
    const got: GnssFix[] = [];
    ctx.bus.subscribe(sensorTopic('gnss', 'gps'), (m) => void got.push(m.data), { policy: queue(10) });
    const src = source({ sensorId: 'gps', sensorType: 'gnss', rateHz: 1, topic: '/fix' });
    await src.configure(ctx);
    await src.start(ctx);
    await ctx.clock.advance(2500);
    await src.finished();
    expect(got.map((f) => f.latDeg)).toEqual([47.3977, 47.3977]);
    expect(src.stats()).toEqual({ published: 2, rejected: { 'gnss.no_fix': 1 } });
    await src.stop();
  });

  it('loops a one-message topic at the sensor rate, and stops when asked', async () => {
    const ctx = testContext();
    let n = 0;
    ctx.bus.subscribe(
      sensorTopic('odometry', 'odom'),
      () => {
        n++;
      },
      { policy: latest },
    );
    const src = source({ sensorId: 'odom', sensorType: 'odometry', rateHz: 10, topic: '/odom', loop: true });
    await src.configure(ctx);
    await src.start(ctx);
    // 10 ms steps, as driveSimClock advances a simulated run.
    for (let t = 0; t < 1000; t += 10) await ctx.clock.advance(10);
    expect(n).toBeGreaterThanOrEqual(10);
    expect(n).toBeLessThanOrEqual(11);
    await src.stop();
    const after = n;
    await ctx.clock.advance(1000);
    expect(n).toBe(after);
  });

  it('replays an old-style sqlite3 bag with no stored definitions', async () => {
    const ctx = testContext();
    const got: number[] = [];
    ctx.bus.subscribe(sensorTopic('camera', 'cam'), (m) => void got.push(m.data.width), { policy: queue(10) });
    const src = new BagSource({
      sensorId: 'cam',
      sensorType: 'camera',
      rateHz: 10,
      path: sensorsDb3,
      topic: '/image',
      loop: false,
    });
    await src.configure(ctx);
    await src.start(ctx);
    await ctx.clock.advance(10);
    await src.finished();
    expect(got).toEqual([2]);
    await src.stop();
  });

  it('EXPECTED FAILURE - a topic the bag lacks is bag.unknown_topic, listing what it has', async () => {
    const err = await source({ topic: '/nope' })
      .configure(testContext())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BagError);
    expect(err).toMatchObject({
      code: 'bag.unknown_topic',
      message: expect.stringContaining('/imu (sensor_msgs/msg/Imu)'),
    });
  });

  it('EXPECTED FAILURE - a topic of the wrong type for the sensor is bag.type_mismatch', async () => {
    await expect(source({ topic: '/cmd_vel' }).configure(testContext())).rejects.toMatchObject({
      code: 'bag.type_mismatch',
    });
    await expect(source({ topic: '/fix' }).configure(testContext())).rejects.toMatchObject({
      code: 'bag.type_mismatch',
    });
  });

  it('BAD CALL - a replay speed of 0 is a RangeError', () => {
    expect(() => source({ speed: 0 })).toThrow(RangeError);
  });
});
