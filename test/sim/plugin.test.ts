import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Lifecycle,
  MessageBus,
  Services,
  SimClock,
  batteryTopic,
  commandsTopic,
  queue,
  reliable,
  sensorTopic,
  silentLogger,
  type AssemblyContext,
  type Component,
  type Envelope,
} from '../../runtime/index.js';
import type { Mission } from '../../missions/index.js';
import { simPlugin, simTruthTopic, simWorldService, type SimTruth } from '../../sim/index.js';
import { mission, rover } from './fixtures.js';

const SENSORS = [
  {
    id: 'cam',
    type: 'camera',
    source: { kind: 'sim' },
    rateHz: 15,
    width: 80,
    height: 60,
    fovDeg: 90,
    mount: { rpyDeg: [0, 90, 0] },
  },
  { id: 'imu', type: 'imu', source: { kind: 'sim' }, rateHz: 100 },
  { id: 'gnss', type: 'gnss', source: { kind: 'sim' }, rateHz: 5 },
  { id: 'odom', type: 'odometry', source: { kind: 'sim' }, rateHz: 50 },
  { id: 'lidar', type: 'lidar', source: { kind: 'sim' }, rateHz: 10 },
  { id: 'battery', type: 'battery', source: { kind: 'sim' }, rateHz: 1 },
];

/** The sim plugin's components for a mission, as createRuntime would assemble them. */
function components(m: Mission): Component[] {
  const asm: AssemblyContext = { mission: m, baseDir: process.cwd(), clock: new SimClock(), logger: silentLogger() };
  const out: Component[] = [];
  const add = (c: Component | readonly Component[]): void => {
    if (Array.isArray(c)) out.push(...(c as readonly Component[]));
    else out.push(c as Component);
  };
  add(simPlugin.simulation!(m.simulation!, asm));
  for (const s of m.sensors) add(simPlugin.sources!.sim!(s, asm));
  add(simPlugin.actuators!.sim!(m.actuator!, asm));
  return out;
}

interface Run {
  readonly counts: Map<string, number>;
  /** sha256 over every message per topic, in arrival order. */
  readonly hashes: Map<string, string>;
  readonly stamps: Map<string, number[]>;
  readonly truth: SimTruth | undefined;
}

/** Runs a mission on a SimClock for `seconds`, hashing every message on every sensor topic. */
async function run(m: Mission, seconds: number, drive?: (bus: MessageBus, tS: number) => void): Promise<Run> {
  const clock = new SimClock();
  const bus = new MessageBus({ clock });
  const services = new Services();
  const lifecycle = new Lifecycle(components(m), { bus, clock, logger: silentLogger(), services });
  const hashers = new Map<string, ReturnType<typeof createHash>>();
  const counts = new Map<string, number>();
  const stamps = new Map<string, number[]>();
  let truth: SimTruth | undefined;
  const record = (env: Envelope<unknown>): void => {
    let h = hashers.get(env.topic);
    if (h === undefined) {
      h = createHash('sha256');
      hashers.set(env.topic, h);
    }
    h.update(`${env.stampMs}|`);
    h.update(serialise(env.data));
    counts.set(env.topic, (counts.get(env.topic) ?? 0) + 1);
    stamps.set(env.topic, [...(stamps.get(env.topic) ?? []), env.stampMs]);
  };
  for (const s of m.sensors)
    bus.subscribe(sensorTopic(s.type, s.id), record, { policy: reliable(), subscriber: 'test' });
  bus.subscribe(batteryTopic, record, { policy: reliable(), subscriber: 'test' });
  bus.subscribe(
    simTruthTopic,
    (e) => {
      truth = e.data;
    },
    { policy: queue(1), subscriber: 'test' },
  );
  await lifecycle.start();
  expect(services.get(simWorldService).scenario.name).toBe(m.simulation!.scenario);
  for (let t = 0; t < seconds * 10; t++) {
    drive?.(bus, t / 10);
    await clock.advance(100);
  }
  await lifecycle.stop('test done');
  await bus.drain();
  const hashes = new Map([...hashers].map(([k, h]) => [k, h.digest('hex')]));
  return { counts, hashes, stamps, truth };
}

/** Bytes of a message: typed arrays raw, numbers at full precision. */
function serialise(data: unknown): Buffer {
  const parts: Buffer[] = [];
  const walk = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) parts.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v).sort()) {
        parts.push(Buffer.from(k));
        walk((v as Record<string, unknown>)[k]);
      }
    } else parts.push(Buffer.from(String(v)));
  };
  walk(data);
  return Buffer.concat(parts);
}

const flyEast = (bus: MessageBus, tS: number): void => {
  if (tS === 0.5) {
    bus.publish(commandsTopic, {
      proposalId: 'p1',
      action: { kind: 'goto', target: { frame: 'local', x: 40, y: 20 }, altitudeM: 25 },
      issuedAtMs: 0,
    });
  }
};

describe('sim plugin on a SimClock', () => {
  it('publishes every sensor at its rate, stamped at measurement time', async () => {
    const r = await run(mission({ sensors: SENSORS }), 5);
    // 5 s of sim time. Rates allow for seeded dropouts (IMU 0.1 %, GNSS 1 %, odometry 0.2 %) and for messages still in flight.
    expect(r.counts.get('sensors/imu')).toBeGreaterThanOrEqual(495);
    expect(r.counts.get('sensors/imu')).toBeLessThanOrEqual(500);
    expect(r.counts.get('sensors/odom')).toBeGreaterThanOrEqual(247);
    expect(r.counts.get('sensors/gnss')).toBeGreaterThanOrEqual(23);
    // The last lidar scan, camera frame and battery reading, measured at 5.000 s, are still inside their latency.
    expect(r.counts.get('sensors/lidar')).toBe(49);
    expect(r.counts.get('sensors/cam')).toBe(74);
    expect(r.counts.get('sensors/battery')).toBe(4);
    expect(r.counts.get('state/battery')).toBe(4);
    // Stamps are measurement times on the sensor's period: the lidar at 10 Hz measures every 100 ms.
    const lidar = r.stamps.get('sensors/lidar')!;
    expect(lidar[1]! - lidar[0]!).toBe(100);
    expect(lidar[0]! - Date.UTC(2026, 0, 1)).toBe(100);
  });

  it('applies commands to the vehicle and reports it in ground truth', async () => {
    const r = await run(mission({ sensors: [] }), 12, flyEast);
    const v = r.truth!.vehicle;
    expect(v.positionM.z).toBeGreaterThan(10);
    expect(Math.hypot(v.positionM.x - -10, v.positionM.y - -10)).toBeGreaterThan(10);
  });

  it('gives the same streams for the same seed (hash of every message)', async () => {
    const m = mission({ sensors: SENSORS });
    const a = await run(m, 3, flyEast);
    const b = await run(m, 3, flyEast);
    expect(a.hashes.size).toBe(SENSORS.length + 1);
    expect([...a.hashes]).toEqual([...b.hashes]);
    const c = await run(mission({ sensors: SENSORS, seed: 8 }), 3, flyEast);
    expect(c.hashes.get('sensors/imu')).not.toBe(a.hashes.get('sensors/imu'));
  });

  it('keeps a sensor stream unchanged when another sensor is added', async () => {
    const imuOnly = await run(mission({ sensors: [SENSORS[1]] }), 2);
    const withGnss = await run(mission({ sensors: [SENSORS[2], SENSORS[1]] }), 2);
    expect(withGnss.hashes.get('sensors/imu')).toBe(imuOnly.hashes.get('sensors/imu'));
  });

  it('runs a ground robot in the dark factory', async () => {
    const sensors = [
      { id: 'cam_front', type: 'camera', source: { kind: 'sim' }, rateHz: 10, width: 64, height: 48 },
      { id: 'lidar', type: 'lidar', source: { kind: 'sim' }, rateHz: 10 },
      { id: 'odom', type: 'odometry', source: { kind: 'sim' }, rateHz: 50 },
    ];
    const r = await run(mission({ scenario: 'dark-factory', platform: rover, sensors }), 2, (bus, tS) => {
      if (tS === 0)
        bus.publish(commandsTopic, {
          proposalId: 'p',
          action: { kind: 'goto', target: { frame: 'local', x: 8, y: 5 } },
          issuedAtMs: 0,
        });
    });
    expect(r.counts.get('sensors/lidar')).toBe(19);
    expect(r.truth!.vehicle.positionM.x).toBeGreaterThan(3.2);
  });
});
