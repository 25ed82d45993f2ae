import { describe, expect, it } from 'vitest';
import {
  createRuntime,
  driveSimClock,
  eventsTopic,
  commandsTopic,
  parseMission,
  operatorTopic,
  reliable,
  silentLogger,
  SimClock,
  type RuntimeEvent,
  type Command,
} from '../../../index.js';
import { SIM_LINK_PEER, simTruthTopic } from '../../../sim/index.js';
import { linkTopic } from '../../../runtime/index.js';

/**
 * Failsafes on the simulator: the forest-fire scenario scripts a 15 s GNSS
 * outage at 150 s. The drone has GNSS and an IMU only (no velocity source to
 * dead-reckon on), so the pose goes stale and the mission's staleSensor
 * failsafe must hold it in place until GNSS returns, then clear.
 */
const MISSION_YAML = `
apiVersion: kestrel/v1
mission: { id: failsafe-gnss, version: 1.0.0 }
platform: { kind: multirotor, id: d1, maxSpeedMps: 15, payload: { kind: water, capacity: 40, rangeM: 20 } }
origin: { lat: 38.8977, lon: -121.0335, altM: 420 }
simulation: { scenario: forest-fire, seed: 7 }
sensors:
  - { id: imu, type: imu, source: { kind: sim }, rateHz: 100 }
  - { id: gnss, type: gnss, source: { kind: sim }, rateHz: 5, staleAfterMs: 2000 }
  - { id: battery, type: battery, source: { kind: sim }, rateHz: 1 }
guardrails:
  geofence: [[[-20, -20], [420, -20], [420, 320], [-20, 320]]]
  altitude: { minM: 5, maxM: 80 }
  speed: { maxLinearMps: 12 }
  staleSensor: { afterMs: 2000, action: hold }
  battery: { returnHomePct: 30, landPct: 15 }
behavior: { kind: area_search, area: [[0, 0], [400, 0], [400, 230], [0, 230]], laneSpacingM: 40, altitudeM: 40, speedMps: 10 }
actuator: { kind: sim }
logging: { level: silent }
`;
const mission = parseMission(MISSION_YAML);
/** The same mission with a ground-station link that may be silent for 5 s before the drone returns home. */
const linkMission = parseMission(
  MISSION_YAML.replace(
    '  battery: { returnHomePct: 30, landPct: 15 }',
    '  battery: { returnHomePct: 30, landPct: 15 }\n  linkLoss: { afterMs: 5000, action: return_home }',
  ),
);

describe('failsafes on the simulator', () => {
  it('GNSS outage: the pose goes stale, the drone holds within the timeout, and the failsafe clears when GNSS returns', async () => {
    const clock = new SimClock();
    const rt = createRuntime(mission, { clock, logger: silentLogger() });
    const events: { t: number; e: RuntimeEvent }[] = [];
    const commands: { t: number; c: Command }[] = [];
    const speeds: { t: number; v: number }[] = [];
    rt.bus.subscribe(eventsTopic, (m) => void events.push({ t: clock.elapsed() / 1000, e: m.data }), {
      policy: reliable(),
    });
    rt.bus.subscribe(commandsTopic, (m) => void commands.push({ t: clock.elapsed() / 1000, c: m.data }), {
      policy: reliable(),
    });
    rt.bus.subscribe(simTruthTopic, (m) => {
      const v = m.data.vehicle.velocityMps;
      speeds.push({ t: clock.elapsed() / 1000, v: Math.hypot(v.x, v.y) });
    });
    await rt.start();
    await driveSimClock(clock, { speed: Infinity, stepMs: 10, durationMs: 175_000 });
    await rt.stop('test over');

    if (process.env.KESTREL_DEBUG_FAILSAFE === '1') {
      for (const x of commands.filter((c) => c.t > 149 && c.t < 168))
        console.log('cmd', x.t.toFixed(2), JSON.stringify(x.c.action));
      for (const x of speeds.filter((c) => c.t > 149 && c.t < 168)) console.log('v', x.t.toFixed(2), x.v.toFixed(2));
      for (const x of events.filter((c) => c.t > 149 && c.t < 168))
        console.log('ev', x.t.toFixed(2), x.e.kind, x.e.message);
    }
    const triggered = events.find((x) => x.e.kind === 'failsafe.triggered' && x.t >= 150);
    expect(triggered, 'a failsafe triggers after the outage begins').toBeDefined();
    // The outage starts at 150 s; staleness is declared after 2 s and the monitor runs every 100 ms.
    expect(triggered!.t).toBeLessThanOrEqual(150 + 2 + 0.5);
    expect(triggered!.e.data).toMatchObject({ action: 'hold' });
    // The hold reaches the vehicle; it brakes, comes back to the point where the hold began (a position
    // hold, as a flight controller's loiter) and is still within 8 s.
    expect(commands.some((x) => x.t >= 150 && x.t < 155 && x.c.action.kind === 'hold')).toBe(true);
    const stopped = speeds.filter((x) => x.t > 160 && x.t < 165);
    expect(Math.max(...stopped.map((x) => x.v))).toBeLessThan(0.5);
    // GNSS returns at 165 s: the failsafe clears and the search resumes.
    expect(events.some((x) => x.e.kind === 'failsafe.cleared' && x.t >= 165)).toBe(true);
    expect(Math.max(...speeds.filter((x) => x.t > 170).map((x) => x.v))).toBeGreaterThan(2);
  }, 120_000);

  it('low battery: at the reserve the drone returns home and lands there', async () => {
    // A slow sweep (4 m/s) so the drone is still far out when the battery drops.
    const m = mission.mission;
    if (m.behavior.kind !== 'area_search') throw new Error('the test mission sweeps an area');
    const slow = { ...mission, mission: { ...m, behavior: { ...m.behavior, speedMps: 4 } } };
    const clock = new SimClock();
    const rt = createRuntime(slow, { clock, logger: silentLogger() });
    const commands: { t: number; c: Command }[] = [];
    const truth: { t: number; x: number; y: number; z: number; landed: boolean; pct: number }[] = [];
    rt.bus.subscribe(commandsTopic, (m) => void commands.push({ t: clock.elapsed() / 1000, c: m.data }), {
      policy: reliable(),
    });
    rt.bus.subscribe(simTruthTopic, (m) => {
      const v = m.data.vehicle;
      truth.push({
        t: clock.elapsed() / 1000,
        x: v.positionM.x,
        y: v.positionM.y,
        z: v.positionM.z,
        landed: v.landed,
        pct: v.batteryPct,
      });
    });
    await rt.start();
    const home = { x: 0, y: 0 };
    // The scenario drops the battery to 28 % at 600 s, under the 30 % return-home reserve.
    await driveSimClock(clock, { speed: Infinity, stepMs: 10, durationMs: 700_000 });
    await rt.stop('test over');
    const start = truth[0]!;
    home.x = start.x;
    home.y = start.y;
    const before = truth.filter((x) => x.t > 590 && x.t < 600);
    expect(Math.min(...before.map((x) => Math.hypot(x.x - home.x, x.y - home.y)))).toBeGreaterThan(50);
    const rth = commands.find((x) => x.t >= 600 && x.c.action.kind === 'return_home');
    expect(rth, 'return_home is commanded once the battery is under the reserve').toBeDefined();
    expect(rth!.t).toBeLessThan(602);
    // No motion away from home is approved after that: every later command is return_home, land, hold or stop.
    const later = commands.filter((x) => x.t > rth!.t + 0.5).map((x) => x.c.action.kind);
    expect(later.every((k) => ['return_home', 'land', 'hold', 'stop'].includes(k))).toBe(true);
    const end = truth.at(-1)!;
    const landedAt = truth.find((x) => x.t > rth!.t && x.landed)?.t;
    console.info(
      `low battery: ${Math.hypot(before[0]!.x - home.x, before[0]!.y - home.y).toFixed(0)} m out at 590 s; return_home at ${rth!.t.toFixed(1)} s; landed at ${landedAt?.toFixed(1)} s, ${Math.hypot(end.x - home.x, end.y - home.y).toFixed(1)} m from home`,
    );
    expect(Math.hypot(end.x - home.x, end.y - home.y)).toBeLessThan(5);
    expect(end.landed).toBe(true);
  }, 120_000);

  it('link loss: the link drops at 240 s, the drone returns home after afterMs, and resumes only when an operator says so', async () => {
    // The forest-fire scenario cuts the ground-station link at 240 s for 20 s; this mission waits 5 s, then returns home.
    const m = linkMission;
    const clock = new SimClock();
    const rt = createRuntime(m, { clock, logger: silentLogger() });
    const events: { t: number; e: RuntimeEvent }[] = [];
    const commands: { t: number; c: Command; source: string }[] = [];
    const links: { t: number; up: boolean; peer: string }[] = [];
    const truth: { t: number; x: number; y: number; v: number }[] = [];
    rt.bus.subscribe(eventsTopic, (e) => void events.push({ t: clock.elapsed() / 1000, e: e.data }), {
      policy: reliable(),
    });
    rt.bus.subscribe(
      commandsTopic,
      (c) => void commands.push({ t: clock.elapsed() / 1000, c: c.data, source: c.data.proposalId }),
      {
        policy: reliable(),
      },
    );
    rt.bus.subscribe(linkTopic, (l) => void links.push({ t: clock.elapsed() / 1000, ...l.data }), {
      policy: reliable(),
    });
    rt.bus.subscribe(simTruthTopic, (x) => {
      const v = x.data.vehicle;
      truth.push({
        t: clock.elapsed() / 1000,
        x: v.positionM.x,
        y: v.positionM.y,
        v: Math.hypot(v.velocityMps.x, v.velocityMps.y),
      });
    });
    await rt.start();
    await driveSimClock(clock, { speed: Infinity, stepMs: 10, durationMs: 270_000 });
    // The link is back since 260 s; the failsafe latches (on_reset) until an operator resumes at 270 s.
    rt.bus.publish(operatorTopic, { operator: 'alice', commandId: 'c-1', command: { kind: 'resume' } });
    await driveSimClock(clock, { speed: Infinity, stepMs: 10, durationMs: 20_000 });
    await rt.stop('test over');

    const home = truth[0]!;
    const dist = (p: { x: number; y: number }): number => Math.hypot(p.x - home.x, p.y - home.y);
    // The simulated ground station: heartbeats at 1 Hz while up, one down notice at 240 s, up again at 260 s.
    expect(links.every((l) => l.peer === SIM_LINK_PEER)).toBe(true);
    const down = links.find((l) => !l.up);
    expect(down?.t).toBeGreaterThanOrEqual(240);
    expect(down!.t).toBeLessThan(240.2);
    expect(links.filter((l) => l.t > down!.t && l.t < 260)).toEqual([]);
    const back = links.find((l) => l.up && l.t > down!.t);
    expect(back!.t).toBeGreaterThanOrEqual(260);
    expect(back!.t).toBeLessThan(260.2);
    expect(links.filter((l) => l.up && l.t < 240).length).toBeGreaterThanOrEqual(239);

    const triggered = events.find((x) => x.e.kind === 'failsafe.triggered' && x.e.data?.['cause'] === 'link_lost');
    expect(triggered, 'the link-loss failsafe triggers').toBeDefined();
    // afterMs 5000 from the last moment the link was up; the monitor runs every 100 ms.
    expect(triggered!.t).toBeGreaterThan(245);
    expect(triggered!.t).toBeLessThanOrEqual(245.3);
    expect(triggered!.e.data).toMatchObject({ action: 'return_home' });
    const rth = commands.find((x) => x.t >= 245 && x.c.action.kind === 'return_home');
    expect(rth, 'return_home reaches the vehicle').toBeDefined();
    expect(rth!.t - triggered!.t).toBeLessThan(0.2);
    // Flying home: closer to home at 259 s than at 246 s.
    const at = (t: number) => truth.find((x) => x.t >= t)!;
    expect(dist(at(259))).toBeLessThan(dist(at(246)) - 20);
    // The link is back at 260 s but the failsafe is on_reset: nothing the behavior proposes runs until the resume.
    expect(
      events.some((x) => x.e.kind === 'failsafe.cleared' && x.e.data?.['cause'] === 'link_lost' && x.t < 270),
    ).toBe(false);
    const between = commands.filter((x) => x.t > rth!.t && x.t < 270);
    expect(between.every((x) => ['return_home', 'land', 'hold', 'stop'].includes(x.c.action.kind))).toBe(true);
    // The operator resumes at 270 s: the failsafe clears and the search goes on, away from home again.
    const cleared = events.find((x) => x.e.kind === 'failsafe.cleared' && x.e.data?.['cause'] === 'link_lost');
    expect(cleared!.t).toBeGreaterThanOrEqual(270);
    expect(cleared!.t).toBeLessThan(270.2);
    const resumed = commands.find((x) => x.t >= 270 && x.c.proposalId.startsWith('behavior-'));
    expect(resumed, 'the behavior commands again after the resume').toBeDefined();
    expect(resumed!.t).toBeLessThan(271.5);
    expect(Math.max(...truth.filter((x) => x.t > 272).map((x) => x.v))).toBeGreaterThan(2);
    console.info(
      `link loss: down ${down!.t.toFixed(2)} s, failsafe ${triggered!.t.toFixed(2)} s -> return_home ${rth!.t.toFixed(2)} s, ` +
        `${dist(at(246)).toFixed(0)} m -> ${dist(at(259)).toFixed(0)} m from home; link up ${back!.t.toFixed(2)} s; ` +
        `resume 270 s -> cleared ${cleared!.t.toFixed(2)} s, behavior command ${resumed!.t.toFixed(2)} s`,
    );
  }, 120_000);
});
