import { describe, expect, it } from 'vitest';
import { controlPlugin, createGuardComponent, estopTopic, guardService } from '../../control/index.js';
import type { Guardrails, Mission } from '../../missions/index.js';
import {
  batteryTopic,
  commandsTopic,
  decisionsTopic,
  eventsTopic,
  linkTopic,
  MessageBus,
  operatorTopic,
  poseTopic,
  proposalsTopic,
  Services,
  SimClock,
  silentLogger,
} from '../../runtime/index.js';
import type {
  Action,
  Command,
  Component,
  ComponentContext,
  Decision,
  Health,
  OperatorMessage,
  RuntimeEvent,
} from '../../runtime/index.js';
import { guardrails, pose, vel } from './fixtures.js';

/** A component context on in-memory doubles; everything published is recorded. */
function harness(rails: Guardrails) {
  const clock = new SimClock();
  const bus = new MessageBus({ clock });
  const services = new Services();
  let health: Health = { state: 'starting', sinceMs: 0 };
  const ctx: ComponentContext = {
    bus,
    clock,
    logger: silentLogger(),
    services,
    signal: new AbortController().signal,
    health: {
      ok: () => (health = { state: 'ok', sinceMs: clock.nowMs() }),
      degraded: (reason, code) =>
        (health = { state: 'degraded', reason, ...(code === undefined ? {} : { code }), sinceMs: clock.nowMs() }),
      failed: (reason, code) =>
        (health = { state: 'failed', reason, ...(code === undefined ? {} : { code }), sinceMs: clock.nowMs() }),
      current: () => health,
    },
  };
  const decisions: Decision[] = [];
  const commands: Command[] = [];
  const events: RuntimeEvent[] = [];
  bus.subscribe(decisionsTopic, (m) => void decisions.push(m.data), { policy: { kind: 'reliable' } });
  bus.subscribe(commandsTopic, (m) => void commands.push(m.data), { policy: { kind: 'reliable' } });
  bus.subscribe(eventsTopic, (m) => void events.push(m.data), { policy: { kind: 'reliable' } });
  const component = createGuardComponent({
    guardrails: rails,
    failsafePeriodMs: 100,
    estop: { authorizeReset: (r) => r.token === 'ok' },
  });
  return {
    clock,
    bus,
    ctx,
    services,
    component,
    decisions,
    commands,
    events,
    health: () => health,
    async start(c: Component = component) {
      await c.configure?.(ctx);
      await c.start(ctx);
    },
    propose(id: string, action: Action) {
      bus.publish(proposalsTopic, { id, source: 'behavior/test', action, proposedAtMs: clock.nowMs() });
    },
    freshState() {
      bus.publish(poseTopic, pose(0, 0));
      bus.publish(batteryTopic, { frameId: 'b', percent: 80, voltageV: 22, currentA: 3 });
    },
  };
}

const rails = guardrails({
  geofence: [
    [
      [-50, -50],
      [50, -50],
      [50, 50],
      [-50, 50],
    ],
  ],
  speed: { maxLinearMps: 5 },
  staleSensor: { afterMs: 1000, action: 'hold' },
  battery: { returnHomePct: 30, landPct: 15 },
});

describe('guard component', () => {
  it('publishes a decision for every proposal and a command for each approved one', async () => {
    const h = harness(rails);
    await h.start();
    h.freshState();
    await h.bus.drain();
    h.propose('a', vel(2));
    h.propose('b', vel(9));
    h.propose('c', vel(Number.NaN));
    await h.bus.drain();
    expect(h.decisions.map((d) => [d.proposalId, d.verdict, d.code])).toEqual([
      ['a', 'allow', 'allow'],
      ['b', 'modify', 'speed.clamp'],
      ['c', 'deny', 'action.not_finite'],
    ]);
    expect(h.commands.map((c) => [c.proposalId, c.action])).toEqual([
      ['a', vel(2)],
      ['b', vel(5)],
    ]);
    expect(h.services.get(guardService).rules[0]?.id).toBe('estop');
    await h.component.stop('test');
  });

  it('runs the failsafe on the clock: a stale pose holds, with an event and health degraded', async () => {
    const h = harness(rails);
    await h.start();
    h.freshState();
    await h.bus.drain();
    // The pose source dies; battery keeps reporting.
    for (let i = 0; i < 12; i++) {
      h.bus.publish(batteryTopic, { frameId: 'b', percent: 80, voltageV: 22, currentA: 3 });
      await h.clock.advance(100);
      await h.bus.drain();
    }
    expect(h.events).toContainEqual(
      expect.objectContaining({
        kind: 'failsafe.triggered',
        data: expect.objectContaining({ cause: 'pose_stale', action: 'hold' }),
      }),
    );
    expect(h.decisions).toContainEqual(expect.objectContaining({ source: 'failsafe/pose_stale', verdict: 'allow' }));
    expect(h.commands.at(-1)?.action).toEqual({ kind: 'hold' });
    expect(h.health()).toMatchObject({ state: 'degraded', code: 'failsafe.pose_stale' });
    // Behaviors cannot override it... (their velocity is denied by pose-fresh or the lock)
    h.propose('late', vel(1));
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ proposalId: 'late', verdict: 'deny' });
    await h.component.stop('test');
  });

  it('link loss returns home once the link was up and then went down for afterMs', async () => {
    const h = harness(guardrails({ linkLoss: { afterMs: 500, action: 'return_home' } }));
    await h.start();
    h.bus.publish(linkTopic, { up: true, peer: 'mqtt://gcs' });
    h.bus.publish(poseTopic, pose(0, 0));
    await h.bus.drain();
    // While the link is up, time passing is not link loss.
    for (let i = 0; i < 10; i++) {
      h.bus.publish(poseTopic, pose(0, 0));
      await h.clock.advance(100);
      await h.bus.drain();
    }
    expect(h.commands.some((c) => c.action.kind === 'return_home')).toBe(false);
    h.bus.publish(linkTopic, { up: false, peer: 'mqtt://gcs' });
    await h.bus.drain();
    for (let i = 0; i < 7; i++) {
      h.bus.publish(poseTopic, pose(0, 0));
      await h.clock.advance(100);
      await h.bus.drain();
    }
    expect(h.commands.at(-1)).toMatchObject({ action: { kind: 'return_home' } });
    await h.component.stop('test');
  });

  it('an e-stop on the bus stops at once, latches, and needs an authorised reset', async () => {
    const h = harness(rails);
    await h.start();
    h.freshState();
    h.bus.publish(estopTopic, { engage: true, by: 'operator/alice', reason: 'person on the field' });
    await h.bus.drain();
    expect(h.commands.at(-1)?.action).toEqual({ kind: 'stop' });
    h.propose('x', vel(1));
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ proposalId: 'x', verdict: 'deny', code: 'estop.engaged' });
    h.bus.publish(estopTopic, { engage: false, by: 'operator/mallory', token: 'nope' });
    await h.bus.drain();
    expect(h.events.at(-1)).toMatchObject({ kind: 'estop.reset_refused' });
    h.bus.publish(estopTopic, { engage: false, by: 'operator/alice', token: 'ok' });
    await h.bus.drain();
    h.propose('y', vel(1));
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ proposalId: 'y', verdict: 'allow' });
    await h.component.stop('test');
  });

  it('authenticated operator commands: e-stop, reset, confirmation and actions', async () => {
    const h = harness(guardrails({ requireConfirmation: ['payload'] }));
    await h.start();
    h.freshState();
    const op = (commandId: string, command: OperatorMessage['command']): void => {
      h.bus.publish(operatorTopic, { operator: 'alice', commandId, command });
    };
    // A payload release waits for a confirmation...
    h.propose('drop-1', { kind: 'payload', on: true });
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ proposalId: 'drop-1', verdict: 'deny', code: 'confirmation.required' });
    // ...a confirmation of another proposal does nothing...
    op('c0', { kind: 'confirm', proposalId: 'nope' });
    await h.bus.drain();
    h.propose('drop-2', { kind: 'payload', on: true });
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ proposalId: 'drop-2', code: 'confirmation.required' });
    // ...the operator confirms it, and the next proposal of that kind runs, once.
    op('c1', { kind: 'confirm', proposalId: 'drop-2' });
    await h.bus.drain();
    h.propose('drop-3', { kind: 'payload', on: true });
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ proposalId: 'drop-3', verdict: 'allow' });
    h.propose('drop-4', { kind: 'payload', on: true });
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ proposalId: 'drop-4', verdict: 'deny', code: 'confirmation.required' });
    // An operator action is proposed under the operator's name and guarded.
    op('a1', { kind: 'action', action: { kind: 'hold' } });
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ source: 'operator/alice', verdict: 'allow' });
    // E-stop through the channel latches; a reset through the channel releases it.
    op('e1', { kind: 'estop', reason: 'smoke over the road' });
    await h.bus.drain();
    expect(h.commands.at(-1)?.action).toEqual({ kind: 'stop' });
    h.propose('v1', vel(1));
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ proposalId: 'v1', code: 'estop.engaged' });
    op('r1', { kind: 'estop_reset' });
    await h.bus.drain();
    h.propose('v2', vel(1));
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ proposalId: 'v2', verdict: 'allow' });
    await h.component.stop('test');
  });

  it('controlPlugin provides the guard for a mission', () => {
    const factory = controlPlugin.guard;
    if (factory === undefined) throw new Error('controlPlugin has no guard');
    const mission = {
      guardrails: rails,
      platform: { kind: 'ground', id: 'g', maxSpeedMps: 2, maxYawRateDps: 90, maxAccelMps2: 1, wheelBaseM: 0.5 },
      sensors: [],
    } as unknown as Mission;
    const made = factory(rails, { mission, baseDir: '.', clock: new SimClock(), logger: silentLogger() });
    const components: readonly Component[] = Array.isArray(made) ? (made as readonly Component[]) : [made as Component];
    expect(components.map((c) => c.name)).toEqual(['guard']);
  });
});
