import { describe, expect, it } from 'vitest';
import { AreaSearch, type AreaSearchConfig } from '../../../missions/behaviors/area-search.js';
import type { BehaviorInput } from '../../../missions/behaviors/logic.js';
import { yawToQuaternion, type Decision, type PoseEstimate, type Target } from '../../../runtime/index.js';

function pose(x: number, y: number, z: number, vz = 0): PoseEstimate {
  return {
    frameId: 'map',
    positionM: { x, y, z },
    orientation: yawToQuaternion(0),
    yawRad: 0,
    poseCovariance: new Array<number>(36).fill(0),
    linearVelocityMps: { x: 0, y: 0, z: vz },
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
  payloadRangeM: 20,
  payloadCapacityL: 40,
  minAltitudeM: 15,
  confirmS: 2,
  standoff: [{ className: 'person', noPayloadM: 50 }],
};

const target = (id: string, className: string, x: number, y: number, lastSeenMs = 0): Target => ({
  id,
  className,
  positionM: { x, y, z: 0 },
  varianceM2: { x: 1, y: 1 },
  confidence: 0.9,
  lastSeenMs,
});

const decided = (requested: Decision['requested'], verdict: Decision['verdict'], code = 'ok'): Decision => ({
  proposalId: 'p',
  source: 'behavior/area_search',
  verdict,
  requested,
  ruleId: 'r',
  code,
  reason: code,
  decidedAtMs: 0,
});

const input = (p: PoseEstimate | undefined, nowMs: number, extra: Partial<BehaviorInput> = {}): BehaviorInput => ({
  nowMs,
  targets: [],
  ...(p === undefined ? {} : { pose: p }),
  ...extra,
});

/**
 * A drone on a 20 m-reach payload with its floor at 6 m, over a single hot spot at (60, 10): it releases
 * from √(20² − 9²) − 4 = 13.9 m (a 14.4 m disc) and the guard has approved a 15 s burst at t = 1 s.
 */
function burstingLow(): { b: AreaSearch; fire: Target } {
  const b = new AreaSearch({ ...cfg, minAltitudeM: 5, suppressS: 15 });
  b.step(input(pose(0, 0, 30), 0));
  const fire = target('fire-1', 'fire', 60, 10, 100);
  b.step(input(pose(60, 10, 30), 200, { targets: [fire] }));
  b.step(input(pose(60, 10, 30), 400, { targets: [fire] }));
  const down = b.step(input(pose(60, 10, 30), 600, { targets: [fire] }));
  expect(down.action).toMatchObject({ kind: 'goto', altitudeM: 13.9 });
  const start = b.step(input(pose(60, 10, 13.9), 800, { targets: [fire] }));
  expect(start).toMatchObject({ phase: 'suppress fire#1', action: { kind: 'payload', on: true } });
  const approved = decided({ kind: 'payload', on: true, durationS: 15 }, 'allow');
  b.step(input(pose(60, 10, 13.9), 1000, { targets: [fire], decisions: [approved] }));
  return { b, fire };
}

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
    for (const [x, y] of [
      [0, 10],
      [100, 10],
      [100, 30],
    ] as const) {
      out = b.step(input(pose(x, y, 30), (t += 200)));
      expect(out.phase).toMatch(/^search/);
    }
    // Last waypoint reached: the sweep is done, fly home at search altitude (a guarded goto), then land.
    out = b.step(input(pose(0, 30, 30), (t += 200)));
    expect(out.action).toEqual({ kind: 'goto', target: { frame: 'local', x: 0, y: 0 }, altitudeM: 30, speedMps: 8 });
    expect(out.events?.map((e) => e.kind)).toContain('behavior.search_done');
    out = b.step(input(pose(0, 1, 30), (t += 200)));
    expect(out.action).toEqual({ kind: 'land' });
    // The last 4 m at 0.5 m/s, whatever the height estimate reads (here 3 m above the truth): not landed yet.
    for (let i = 0; i < 40; i++) {
      out = b.step(input(pose(0, 1, 7 - i * 0.1, -0.5), (t += 200)));
      expect(out.phase).toBe('land');
    }
    // Touched down: the height stops falling; once the detector's trend test has held 2 s (LANDED_CONFIRM_MS), done.
    const touchdown = t;
    const kinds: string[] = [];
    for (let i = 0; i < 40 && out.phase !== 'done'; i++) {
      out = b.step(input(pose(0, 1, 3), (t += 200)));
      kinds.push(...(out.events ?? []).map((e) => e.kind));
    }
    expect(out.phase).toBe('done');
    expect(kinds).toContain('behavior.done');
    expect(t - touchdown).toBeGreaterThanOrEqual(2000);
    expect(t - touchdown).toBeLessThanOrEqual(7000);
  });

  it("descends into the payload's 3D reach over the fire, releases, climbs back and reports what it saw", () => {
    const b = new AreaSearch(cfg);
    b.step(input(pose(0, 0, 30), 0));
    const fire = target('fire-1', 'fire', 60, 10, 100);
    let out = b.step(input(pose(0, 10, 30), 200, { targets: [fire] }));
    expect(out.events?.map((e) => e.kind)).toContain('behavior.fire_found');
    expect(out.phase).toBe('transit fire#1');
    expect(out.action).toEqual({ kind: 'goto', target: { frame: 'local', x: 60, y: 10 }, altitudeM: 30, speedMps: 8 });
    // The action names the frame it came from: the newest sighting of the fire.
    expect(out.frameStampMs).toBe(100);
    // Over the fire at 30 m: water from there never reaches the ground (20 m range). A single hot spot
    // wants a 9 m disc (a cell and the aim tolerance around it) even if the height estimate is 4 m low:
    // √(20² − 9²) − 4 = 13.9 m, under the guard's floor + 1, so it descends to 16 m.
    out = b.step(input(pose(60, 10, 30), 400, { targets: [fire] }));
    expect(out.phase).toBe('descend fire#1');
    out = b.step(input(pose(60, 10, 30), 600, { targets: [fire] }));
    expect(out.action).toEqual({ kind: 'goto', target: { frame: 'local', x: 60, y: 10 }, altitudeM: 16, speedMps: 4 });
    expect(out.action?.kind).not.toBe('payload');
    // 3 m off the aim point at the right height: not yet.
    out = b.step(input(pose(63, 10, 16.2), 700, { targets: [fire] }));
    expect(out.action?.kind).toBe('goto');
    out = b.step(input(pose(60, 10, 16.2), 800, { targets: [fire] }));
    expect(out).toMatchObject({ phase: 'suppress fire#1', action: { kind: 'payload', on: true, durationS: 5 } });
    // The guard approves: 10 L booked.
    const approved = decided({ kind: 'payload', on: true, durationS: 5 }, 'allow');
    out = b.step(input(pose(60, 10, 16.2), 1000, { targets: [fire], decisions: [approved] }));
    expect(b.waterLeftL).toBe(30);
    out = b.step(input(pose(60, 10, 16.2), 5900, { targets: [fire] }));
    expect(out.phase).toBe('climb fire#1');
    out = b.step(input(pose(60, 10, 30), 6000, { targets: [fire] }));
    expect(out.phase).toBe('confirm fire#1');
    // Seen burning again after the burst, 6 m east of where it was: another burst, aimed at what still burns.
    const still = target('fire-1', 'fire', 66, 10, 7000);
    out = b.step(input(pose(60, 10, 30), 8200, { targets: [still] }));
    expect(out.events?.map((e) => e.kind) ?? []).not.toContain('behavior.fire_not_out');
    expect(out.phase).toBe('transit fire#1');
    expect(out.action).toMatchObject({ kind: 'goto', target: { x: 66, y: 10 } });
    expect(b.fires()).toMatchObject([{ id: 'fire#1', state: 'active', bursts: 1, waterL: 10 }]);
  });

  it('with one burst per fire, a fire still burning after it is reported and the search resumes', () => {
    const b = new AreaSearch({ ...cfg, maxBurstsPerFire: 1 });
    b.step(input(pose(0, 0, 30), 0));
    const fire = target('fire-1', 'fire', 60, 10, 100);
    b.step(input(pose(60, 10, 30), 200, { targets: [fire] }));
    b.step(input(pose(60, 10, 30), 400, { targets: [fire] }));
    b.step(input(pose(60, 10, 16), 600, { targets: [fire] }));
    b.step(
      input(pose(60, 10, 16), 800, { decisions: [decided({ kind: 'payload', on: true }, 'allow')], targets: [fire] }),
    );
    b.step(input(pose(60, 10, 16), 5700, { targets: [fire] }));
    b.step(input(pose(60, 10, 30), 5900, { targets: [fire] }));
    const still = target('fire-1', 'fire', 60, 10, 7000);
    let out = b.step(input(pose(60, 10, 30), 8200, { targets: [still] }));
    expect(out.events?.map((e) => e.kind)).toContain('behavior.fire_not_out');
    expect(b.fires()).toMatchObject([{ id: 'fire#1', state: 'burning', bursts: 1, waterL: 10 }]);
    out = b.step(input(pose(60, 10, 30), 8400, { targets: [still] }));
    expect(out.phase).toMatch(/^search/);
  });

  it('bursts on a fire that keeps burning until the tank is empty, then reports it and every later fire', () => {
    const b = new AreaSearch({ ...cfg, maxBurstsPerFire: 10 });
    b.step(input(pose(0, 0, 30), 0));
    let t = 100;
    const burning = (): Target => target('fire-1', 'fire', 60, 10, t);
    const kinds: string[] = [];
    let approvedAt = -1;
    for (let i = 0; i < 400 && b.waterLeftL > 0; i++) {
      t += 200;
      const out = b.step(
        input(pose(60, 10, i % 2 === 0 ? 16 : 30), t, {
          targets: [burning()],
          ...(approvedAt === -1 ? {} : { decisions: [decided({ kind: 'payload', on: true, durationS: 5 }, 'allow')] }),
        }),
      );
      approvedAt = out.action?.kind === 'payload' && out.action.on ? t : -1;
      kinds.push(...(out.events ?? []).map((e) => e.kind));
    }
    expect(kinds.filter((k) => k === 'behavior.suppress')).toHaveLength(4);
    expect(b.waterLeftL).toBe(0);
    const more: string[] = [];
    for (let i = 0; i < 200 && !more.includes('behavior.fire_not_out'); i++) {
      const out = b.step(input(pose(60, 10, 30), (t += 200), { targets: [burning()] }));
      more.push(...(out.events ?? []).map((e) => e.kind));
    }
    expect(more).toContain('behavior.fire_not_out');
    expect(b.fires()).toMatchObject([{ state: 'burning', bursts: 4, waterL: 40 }]);
    const later = b.step(
      input(pose(60, 10, 30), (t += 200), { targets: [burning(), target('fire-9', 'fire', -5, 40, t)] }),
    );
    const again = b.step(
      input(pose(60, 10, 30), (t += 200), { targets: [burning(), target('fire-9', 'fire', -5, 40, t)] }),
    );
    expect([...(later.events ?? []), ...(again.events ?? [])].map((e) => e.kind)).toContain('behavior.fire_reported');
  });

  it('aims where its water disc covers the most hot spots seen, and descends lower for a wider fire', () => {
    const b = new AreaSearch({ ...cfg, minAltitudeM: 5 });
    b.step(input(pose(0, 0, 30), 0));
    // Two hot spots 8 m apart, and one seen long ago (put out) 30 m away: aim between the two burning now.
    const spots = [
      target('fire-1', 'fire', 56, 10, 20_000),
      target('fire-2', 'fire', 64, 10, 20_000),
      target('fire-3', 'fire', 60, 40, 1_000),
    ];
    let out = b.step(input(pose(0, 10, 30), 20_100, { targets: spots }));
    expect(out.action).toMatchObject({ kind: 'goto', target: { x: 60, y: 10 } });
    out = b.step(input(pose(60, 10, 30), 20_300, { targets: spots }));
    out = b.step(input(pose(60, 10, 30), 20_500, { targets: spots }));
    // Disc 4 + 7 + 2 = 13 m: √(20² − 13²) − 4 = 11.2 m (the floor, 6 m, is lower).
    expect(out.action).toMatchObject({ kind: 'goto', altitudeM: 11.2 });
    // A single spot with the same low floor: a 9 m disc, from 13.9 m.
    const one = new AreaSearch({ ...cfg, minAltitudeM: 5 });
    one.step(input(pose(0, 0, 30), 0));
    const spot = [target('fire-1', 'fire', 60, 10, 100)];
    one.step(input(pose(60, 10, 30), 200, { targets: spot }));
    one.step(input(pose(60, 10, 30), 400, { targets: spot }));
    expect(one.step(input(pose(60, 10, 30), 600, { targets: spot })).action).toMatchObject({ altitudeM: 13.9 });
  });

  it('reports a fire sighted outside the search area and does not fly to it', () => {
    const b = new AreaSearch(cfg);
    b.step(input(pose(0, 0, 30), 0));
    const far = target('fire-1', 'fire', 60, 200, 100);
    let out = b.step(input(pose(0, 10, 30), 200, { targets: [far] }));
    expect(out.events?.map((e) => e.kind)).toEqual(['behavior.fire_outside_area']);
    out = b.step(input(pose(0, 10, 30), 400, { targets: [far] }));
    expect(out.events ?? []).toHaveLength(0);
    expect(out.phase).toMatch(/^search/);
    expect(b.fires()).toHaveLength(0);
  });

  it('EXPECTED FAILURE - stops pouring when the only flames still seen lie outside the water disc at its height', () => {
    // The widest disc (from the 6 m floor) is 19.1 m, but from 13.9 m the water covers 14.4 m. A flare-up
    // seen 16 m away is not being wetted from here: the burst must stop and the drone go and look, not
    // pour on until the tank is dry.
    const { b, fire } = burstingLow();
    // The hot spot under the drone is out; a flare-up 16 m east keeps being seen.
    let out = b.step(input(pose(60, 10, 13.9), 1000, { targets: [fire] }));
    let kinds: string[] = [];
    for (let t = 1200; t <= 5000; t += 200) {
      const flare = target('fire-2', 'fire', 76, 10, t);
      out = b.step(input(pose(60, 10, 13.9), t, { targets: [fire, flare] }));
      kinds = [...kinds, ...(out.events?.map((e) => e.kind) ?? [])];
      if (out.phase.startsWith('climb')) break;
    }
    expect(kinds).toContain('behavior.knocked_down');
    expect(out).toMatchObject({ phase: 'climb fire#1', action: { kind: 'payload', on: false } });
    // Stopped after about 2 s of pouring, not 15 s: water kept for the flare-up.
    expect(b.waterLeftL).toBeGreaterThan(30);
  });

  it('walks the water onto what still burns: mid-burst, the aim moves to the flames seen in reach', () => {
    const { b, fire } = burstingLow();
    // The spot under the drone is out; the fire's east part, 8 m away and inside the 14.4 m disc, burns on.
    const east = target('fire-2', 'fire', 68, 10, 3000);
    const out = b.step(input(pose(60, 10, 13.9), 3000, { targets: [fire, east] }));
    expect(out.phase).toBe('suppress fire#1');
    expect(out.action).toMatchObject({ kind: 'goto', target: { x: 68, y: 10 }, altitudeM: 13.9, speedMps: 2 });
    // Nothing new in reach: the aim holds where it went.
    const later = b.step(input(pose(66, 10, 13.9), 3200, { targets: [fire, { ...east, lastSeenMs: 3200 }] }));
    expect(later.action).toMatchObject({ kind: 'goto', target: { x: 68, y: 10 } });
  });

  it('does not walk the water toward a person', () => {
    const { b, fire } = burstingLow();
    const east = target('fire-2', 'fire', 68, 10, 3000);
    const person = target('person-1', 'person', 100, 10, 3000);
    const out = b.step(input(pose(60, 10, 13.9), 3000, { targets: [fire, east, person] }));
    expect(out.action).toMatchObject({ kind: 'goto', target: { x: 60, y: 10 } });
  });

  it('calls a fire out when nothing is seen burning after the burst', () => {
    const b = new AreaSearch(cfg);
    b.step(input(pose(0, 0, 30), 0));
    const fire = target('fire-1', 'fire', 60, 10, 100);
    b.step(input(pose(60, 10, 30), 200, { targets: [fire] }));
    b.step(input(pose(60, 10, 30), 400, { targets: [fire] }));
    b.step(input(pose(60, 10, 16), 600, { targets: [fire] }));
    b.step(input(pose(60, 10, 16), 800, { decisions: [decided({ kind: 'payload', on: true }, 'allow')], targets: [] }));
    b.step(input(pose(60, 10, 16), 5700, { targets: [] }));
    b.step(input(pose(60, 10, 30), 5900, { targets: [] }));
    const out = b.step(input(pose(60, 10, 30), 8000, { targets: [] }));
    expect(out.events?.map((e) => e.kind)).toContain('behavior.fire_out');
  });

  it('one fire, one target: hot spots of a spreading fire join the fire already found', () => {
    const wide: AreaSearchConfig['area'] = [
      [0, 0],
      [400, 0],
      [400, 40],
      [0, 40],
    ];
    const b = new AreaSearch({ ...cfg, area: wide });
    b.step(input(pose(0, 0, 30), 0));
    const spots = [
      target('fire-1', 'fire', 60, 10),
      target('fire-2', 'fire', 72, 18),
      target('fire-3', 'fire', 90, 30),
    ];
    const out = b.step(input(pose(0, 10, 30), 200, { targets: spots }));
    expect(out.events?.filter((e) => e.kind === 'behavior.fire_found')).toHaveLength(1);
    expect(b.fires()).toHaveLength(1);
    // A fire 200 m away is another fire.
    const far = b.step(input(pose(0, 10, 30), 400, { targets: [...spots, target('fire-9', 'fire', 300, 10)] }));
    expect(far.events?.filter((e) => e.kind === 'behavior.fire_found')).toHaveLength(1);
    expect(b.fires()).toHaveLength(2);
  });

  it('a release the guard keeps denying is given up, with the reason', () => {
    const b = new AreaSearch(cfg);
    b.step(input(pose(0, 0, 30), 0));
    const fire = target('fire-1', 'fire', 60, 10);
    b.step(input(pose(60, 10, 30), 200, { targets: [fire] }));
    b.step(input(pose(60, 10, 30), 400, { targets: [fire] }));
    let out = b.step(input(pose(60, 10, 16), 600, { targets: [fire] }));
    expect(out.action).toMatchObject({ kind: 'payload', on: true });
    const denied = decided({ kind: 'payload', on: true, durationS: 5 }, 'deny', 'standoff.payload');
    let t = 800;
    const kinds: string[] = [];
    for (let i = 0; i < 8; i++) {
      out = b.step(input(pose(60, 10, 16), (t += 2600), { targets: [fire], decisions: [denied] }));
      kinds.push(...(out.events ?? []).map((e) => e.kind));
    }
    expect(kinds.filter((k) => k === 'behavior.payload_denied').length).toBeGreaterThanOrEqual(3);
    expect(kinds).toContain('behavior.fire_skipped');
    expect(b.waterLeftL).toBe(40);
  });

  it('keeps its aim clear of persons: a fire with a person beside it is deferred, no water proposed', () => {
    const b = new AreaSearch(cfg);
    b.step(input(pose(0, 0, 30), 0));
    const targets = [target('fire-1', 'fire', 60, 10), target('person-1', 'person', 80, 10)];
    const out = b.step(input(pose(0, 10, 30), 200, { targets }));
    expect(out.events?.map((e) => e.kind)).toContain('behavior.fire_deferred');
    expect(out.phase).toMatch(/^search/);
  });

  it('skips a lane end the guard keeps denying, but not while a failsafe holds the robot', () => {
    const b = new AreaSearch(cfg);
    b.step(input(pose(0, 0, 30), 0));
    const goto = { kind: 'goto' as const, target: { frame: 'local' as const, x: 0, y: 10 } };
    let t = 200;
    for (let i = 0; i < 6; i++) {
      const out = b.step(input(pose(0, 0, 30), (t += 200), { decisions: [decided(goto, 'deny', 'failsafe.active')] }));
      expect(out.events?.map((e) => e.kind) ?? []).not.toContain('behavior.waypoint_skipped');
    }
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const out = b.step(
        input(pose(0, 0, 30), (t += 200), { decisions: [decided(goto, 'deny', 'geofence.target_outside')] }),
      );
      kinds.push(...(out.events ?? []).map((e) => e.kind));
    }
    expect(kinds).toContain('behavior.waypoint_skipped');
  });

  it('returns home when the battery reaches the reserve', () => {
    const b = new AreaSearch(cfg);
    b.step(input(pose(0, 0, 30), 0));
    const out = b.step(input(pose(50, 10, 30), 200, { batteryPct: 29 }));
    expect(out.action).toEqual({ kind: 'goto', target: { frame: 'local', x: 0, y: 0 }, altitudeM: 30, speedMps: 8 });
    expect(out.events?.map((e) => e.kind)).toContain('behavior.return_home');
  });

  it('a retask to payload off reports fires instead of suppressing them', () => {
    const b = new AreaSearch(cfg);
    b.step(input(pose(0, 0, 30), 0));
    expect(b.retask({ payload: 'off', targets: ['fire', 'person'] })).toEqual(['targets fire > person', 'payload off']);
    const out = b.step(input(pose(0, 10, 30), 200, { targets: [target('fire-1', 'fire', 60, 10)] }));
    expect(out.events?.map((e) => e.kind)).toContain('behavior.fire_reported');
    expect(out.phase).toMatch(/^search/);
  });
});
