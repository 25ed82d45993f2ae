import { describe, expect, it } from 'vitest';
import { BehaviorComponent } from '../../../missions/behaviors/behavior-component.js';
import { Patrol } from '../../../missions/behaviors/patrol.js';
import {
  eventsTopic,
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

function setup() {
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
  );
  const lc = new Lifecycle([behavior], { bus, clock, logger: silentLogger(), services: new Services() });
  const proposals: ActionProposal[] = [];
  const events: string[] = [];
  bus.subscribe(proposalsTopic, (m) => void proposals.push(m.data), { policy: { kind: 'reliable' } });
  bus.subscribe(eventsTopic, (m) => void events.push(m.data.kind), { policy: { kind: 'reliable' } });
  const pose = (): void =>
    void bus.publish(poseTopic, {
      frameId: 'map',
      positionM: { x: 0, y: 0, z: 0 },
      orientation: yawToQuaternion(0),
      yawRad: 0,
      poseCovariance: new Array<number>(36).fill(0),
      linearVelocityMps: { x: 0, y: 0, z: 0 },
      yawRateRps: 0,
      source: 'test',
    });
  return { clock, bus, behavior, lc, proposals, events, pose };
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
});
