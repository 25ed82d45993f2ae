import { describe, expect, it } from 'vitest';
import { BehaviorComponent } from '../../../missions/behaviors/behavior-component.js';
import { Patrol } from '../../../missions/behaviors/patrol.js';
import { retaskFactory } from '../../../missions/behaviors/plugin.js';
import { loadMissionFile } from '../../../missions/index.js';
import {
  decisionsTopic,
  eventsTopic,
  type RuntimeEvent,
  Lifecycle,
  MessageBus,
  operatorTopic,
  poseTopic,
  proposalsTopic,
  Services,
  silentLogger,
  SimClock,
  yawToQuaternion,
  type ActionProposal,
} from '../../../runtime/index.js';

function setup(options: ConstructorParameters<typeof BehaviorComponent>[1] = {}) {
  const clock = new SimClock();
  const bus = new MessageBus({ clock });
  const behavior = new BehaviorComponent(
    new Patrol({
      route: [
        [10, 0],
        [10, 10],
      ],
      loop: true,
      speedMps: 2,
      altitudeM: undefined,
      report: [],
    }),
    options,
  );
  const lc = new Lifecycle([behavior], { bus, clock, logger: silentLogger(), services: new Services() });
  const proposals: ActionProposal[] = [];
  const events: string[] = [];
  const full: RuntimeEvent[] = [];
  bus.subscribe(proposalsTopic, (m) => void proposals.push(m.data), { policy: { kind: 'reliable' } });
  bus.subscribe(
    eventsTopic,
    (m) => {
      events.push(m.data.kind);
      full.push(m.data);
    },
    { policy: { kind: 'reliable' } },
  );
  const pose = (x = 0, y = 0, z = 0): void =>
    void bus.publish(poseTopic, {
      frameId: 'map',
      positionM: { x, y, z },
      orientation: yawToQuaternion(0),
      yawRad: 0,
      poseCovariance: new Array<number>(36).fill(0),
      linearVelocityMps: { x: 0, y: 0, z: 0 },
      yawRateRps: 0,
      source: 'test',
    });
  return { clock, bus, behavior, lc, proposals, events, full, pose };
}

describe('BehaviorComponent', () => {
  it('proposes its next waypoint, carrying the stamp of the pose it used', async () => {
    const h = setup();
    await h.lc.start();
    h.pose();
    await h.clock.advance(200);
    expect(h.proposals.at(-1)).toMatchObject({
      source: 'behavior/patrol',
      action: { kind: 'goto', target: { x: 10, y: 0 } },
    });
    expect(h.proposals.at(-1)?.basis?.poseStampMs).toBe(h.clock.nowMs() - 200);
    await h.lc.stop('done');
  });

  it('an operator pause holds the robot and freezes the behavior until resume', async () => {
    const h = setup();
    await h.lc.start();
    h.pose();
    await h.clock.advance(400);
    h.bus.publish(operatorTopic, { operator: 'alice', commandId: 'p1', command: { kind: 'pause' } });
    await h.clock.advance(2000);
    const during = h.proposals.slice(-3);
    expect(during.every((p) => p.action.kind === 'hold')).toBe(true);
    expect(h.behavior.paused).toBe(true);
    h.bus.publish(operatorTopic, { operator: 'alice', commandId: 'r1', command: { kind: 'resume' } });
    await h.clock.advance(200);
    expect(h.proposals.at(-1)?.action.kind).toBe('goto');
    expect(h.events).toEqual(expect.arrayContaining(['behavior.paused', 'behavior.resumed']));
    await h.lc.stop('done');
  });

  it('a retask switches the running behavior and says what changed', async () => {
    const mission = (await loadMissionFile('missions/examples/firefighting-drone.yaml')).mission;
    const h = setup({ retask: retaskFactory(mission) });
    await h.lc.start();
    h.pose();
    await h.clock.advance(400);
    h.bus.publish(operatorTopic, {
      operator: 'alice',
      commandId: 't1',
      command: {
        kind: 'retask',
        retask: {
          planId: 'plan-7',
          behavior: 'area_search',
          areaName: 'east sector',
          area: [
            [200, 0],
            [400, 0],
            [400, 230],
            [200, 230],
          ],
          altitudeM: 35,
          speedMps: 6,
          targets: ['fire'],
          payload: 'confirm',
        },
      },
    });
    await h.clock.advance(400);
    const retasked = h.full.find((e) => e.kind === 'behavior.retasked');
    expect(retasked?.message).toContain('behavior patrol -> area_search over east sector');
    expect(retasked?.data?.['changed']).toEqual(
      expect.arrayContaining(['altitude 35 m', 'speed 6 m/s', 'payload confirm']),
    );
    expect(h.behavior.current.kind).toBe('area_search');
    // The new behavior climbs to its altitude from where the robot is, proposed under its own name.
    expect(h.proposals.at(-1)).toMatchObject({
      source: 'behavior/area_search',
      action: { kind: 'goto', altitudeM: 35 },
    });
    h.bus.publish(operatorTopic, {
      operator: 'alice',
      commandId: 't2',
      command: { kind: 'retask', retask: { planId: 'plan-8', behavior: 'land' } },
    });
    await h.clock.advance(400);
    expect(h.proposals.at(-1)?.action).toEqual({ kind: 'land' });
    await h.lc.stop('done');
  });

  it('a hold or an inspection over a zone flies there first, and a return home after them still flies home', async () => {
    const mission = (await loadMissionFile('missions/examples/firefighting-drone.yaml')).mission;
    const h = setup({ retask: retaskFactory(mission) });
    const square: [number, number][] = [
      [100, 0],
      [120, 0],
      [120, 20],
      [100, 20],
    ];
    const retask = async (planId: string, r: object): Promise<void> => {
      h.bus.publish(operatorTopic, {
        operator: 'alice',
        commandId: planId,
        command: { kind: 'retask', retask: { planId, ...r } },
      });
      await h.clock.advance(400);
    };
    await h.lc.start();
    h.pose(0, 0, 20); // where it started: the patrol knows no home, the component does
    await h.clock.advance(400);
    await retask('h1', { behavior: 'hold', areaName: 'pad', area: square, altitudeM: 30 });
    expect(h.proposals.at(-1)?.action).toMatchObject({ kind: 'goto', target: { x: 110, y: 10 }, altitudeM: 30 });
    h.pose(110, 10, 30);
    await h.clock.advance(400);
    expect(h.proposals.at(-1)?.action).toEqual({ kind: 'hold' });
    // Before: the hold forgot home, and a return home landed where the robot was.
    await retask('h2', { behavior: 'return_home' });
    expect(h.proposals.at(-1)?.action).toMatchObject({ kind: 'goto', target: { x: 0, y: 0 } });
    h.pose(50, 50, 30);
    await retask('h3', { behavior: 'inspection', areaName: 'pad', area: square });
    expect(h.behavior.current.kind).toBe('inspection');
    expect(h.proposals.at(-1)?.action).toMatchObject({ kind: 'goto', target: { x: 110, y: 10 } });
    await h.lc.stop('done');
  });

  it('EXPECTED FAILURE - a retask to area_search without an area is refused, and nothing changes', async () => {
    const mission = (await loadMissionFile('missions/examples/firefighting-drone.yaml')).mission;
    const h = setup({ retask: retaskFactory(mission) });
    await h.lc.start();
    h.pose();
    h.bus.publish(operatorTopic, {
      operator: 'bob',
      commandId: 't1',
      command: { kind: 'retask', retask: { planId: 'plan-9', behavior: 'area_search' } },
    });
    await h.clock.advance(400);
    expect(h.events).toContain('behavior.retask_refused');
    expect(h.behavior.current.kind).toBe('patrol');
    await h.lc.stop('done');
  });

  it("feeds the guard's decisions on its own proposals back to the behavior, and only those", async () => {
    const h = setup();
    await h.lc.start();
    h.pose();
    await h.clock.advance(200);
    const mine = h.proposals.at(-1);
    expect(mine?.id).toMatch(/^behavior-patrol-/);
    const seen: string[] = [];
    const logic = h.behavior.current;
    const step = logic.step.bind(logic);
    logic.step = (input) => {
      for (const d of input.decisions ?? []) seen.push(d.proposalId);
      return step(input);
    };
    for (const id of [mine?.id ?? '', 'failsafe-000001']) {
      h.bus.publish(decisionsTopic, {
        proposalId: id,
        source: 'x',
        verdict: 'deny',
        requested: { kind: 'hold' },
        ruleId: 'r',
        code: 'c',
        reason: 'r',
        decidedAtMs: 0,
      });
    }
    await h.clock.advance(200);
    expect(seen).toEqual([mine?.id]);
    await h.lc.stop('done');
  });
});
