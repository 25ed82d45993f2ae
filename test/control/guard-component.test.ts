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

  it('watchdog: a behavior that stops proposing while the robot moves gets a hold within the limit', async () => {
    const h = harness(rails);
    await h.start();
    const moving = { ...pose(0, 0), linearVelocityMps: { x: 2, y: 0, z: 0 } };
    const fresh = (): void => {
      h.bus.publish(poseTopic, moving);
      h.bus.publish(batteryTopic, { frameId: 'b', percent: 80, voltageV: 22, currentA: 3 });
    };
    fresh();
    await h.bus.drain();
    // The behavior proposes every second for 5 s: no trip.
    for (let t = 0; t < 50; t++) {
      if (t % 10 === 0) h.propose(`v${t}`, vel(2));
      fresh();
      await h.clock.advance(100);
      await h.bus.drain();
    }
    expect(h.events.some((e) => e.kind === 'watchdog.tripped')).toBe(false);
    // Then it hangs: the last approved command was at 4.0 s; the limit is 3 s, the check runs every 100 ms.
    const lastMs = h.clock.nowMs() - 1000;
    let trippedAtMs: number | undefined;
    for (let t = 0; t < 40 && trippedAtMs === undefined; t++) {
      fresh();
      await h.clock.advance(100);
      await h.bus.drain();
      if (h.events.some((e) => e.kind === 'watchdog.tripped')) trippedAtMs = h.clock.nowMs();
    }
    expect(trippedAtMs! - lastMs).toBeGreaterThan(3000);
    expect(trippedAtMs! - lastMs).toBeLessThanOrEqual(3100);
    expect(h.decisions.at(-1)).toMatchObject({ source: 'guard/watchdog', verdict: 'allow' });
    expect(h.commands.at(-1)?.action).toEqual({ kind: 'hold' });
    expect(h.events.find((e) => e.kind === 'watchdog.tripped')?.data).toMatchObject({
      source: 'behavior/test',
      motion: 'velocity',
    });
    // It trips once, and the behavior takes over again as soon as it proposes.
    for (let t = 0; t < 50; t++) {
      fresh();
      await h.clock.advance(100);
      await h.bus.drain();
    }
    expect(h.events.filter((e) => e.kind === 'watchdog.tripped')).toHaveLength(1);
    h.propose('again', vel(1));
    await h.bus.drain();
    expect(h.commands.at(-1)).toMatchObject({ proposalId: 'again' });
    await h.component.stop('test');
  });

  it('watchdog off: no hold however long the behavior is silent', async () => {
    const h = harness(rails);
    const quiet = createGuardComponent({ guardrails: rails, watchdogMs: false });
    await h.start(quiet);
    h.bus.publish(poseTopic, { ...pose(0, 0), linearVelocityMps: { x: 2, y: 0, z: 0 } });
    h.bus.publish(batteryTopic, { frameId: 'b', percent: 80, voltageV: 22, currentA: 3 });
    await h.bus.drain();
    h.propose('v', vel(2));
    for (let t = 0; t < 50; t++) {
      h.bus.publish(poseTopic, { ...pose(0, 0), linearVelocityMps: { x: 2, y: 0, z: 0 } });
      await h.clock.advance(100);
      await h.bus.drain();
    }
    expect(h.events.some((e) => e.kind === 'watchdog.tripped')).toBe(false);
    await quiet.stop('test');
  });

  it('retask: returnHomePct may raise the reserve (the failsafe then returns home) but never lower it below the mission', async () => {
    const h = harness(rails);
    await h.start();
    const retask = (commandId: string, returnHomePct: number): void =>
      void h.bus.publish(operatorTopic, {
        operator: 'alice',
        commandId,
        command: { kind: 'retask', retask: { planId: `plan-${commandId}`, returnHomePct } },
      } satisfies OperatorMessage);
    const guard = h.services.get(guardService);
    // Lower than the mission's 30 %: refused, logged as an event, nothing changes.
    retask('c1', 20);
    await h.bus.drain();
    expect(h.events.find((e) => e.kind === 'retask.refused')).toMatchObject({
      severity: 'warning',
      data: { code: 'retask.return_home_below_mission', requestedPct: 20, returnHomePct: 30, planId: 'plan-c1' },
    });
    expect(guard.returnHome?.pct).toBe(30);
    // At 80 % charge, raising the reserve to 85 % makes the battery-low failsafe return home at the next check.
    h.freshState();
    await h.bus.drain();
    retask('c2', 85);
    for (let i = 0; i < 3; i++) {
      h.freshState();
      await h.clock.advance(100);
      await h.bus.drain();
    }
    expect(h.events.find((e) => e.kind === 'retask.return_home')).toMatchObject({
      data: { code: 'retask.return_home_raised', returnHomePct: 85, missionPct: 30 },
    });
    expect(guard.returnHome?.pct).toBe(85);
    expect(h.events).toContainEqual(
      expect.objectContaining({ kind: 'failsafe.triggered', data: expect.objectContaining({ cause: 'battery_low' }) }),
    );
    expect(h.commands.at(-1)?.action).toEqual({ kind: 'return_home' });
    // And the battery rule uses the same threshold: an outbound move by an operator is denied for the reserve.
    h.bus.publish(operatorTopic, {
      operator: 'alice',
      commandId: 'c3',
      command: { kind: 'action', action: vel(1) },
    } satisfies OperatorMessage);
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ verdict: 'deny', code: 'battery.reserve' });
    await h.component.stop('test');
  });

  it('resume: an operator resets a link-loss failsafe once the link is back, not before', async () => {
    const h = harness(guardrails({ linkLoss: { afterMs: 500, action: 'return_home' } }));
    await h.start();
    const step = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        h.bus.publish(poseTopic, pose(0, 0));
        await h.clock.advance(100);
        await h.bus.drain();
      }
    };
    const resume = (commandId: string): void =>
      void h.bus.publish(operatorTopic, { operator: 'bob', commandId, command: { kind: 'resume' } });
    h.bus.publish(linkTopic, { up: true, peer: 'gcs' });
    await step(2);
    h.bus.publish(linkTopic, { up: false, peer: 'gcs' });
    await step(7);
    expect(h.commands.at(-1)?.action).toEqual({ kind: 'return_home' });
    // Still down: a resume is refused with a reason.
    resume('r1');
    await step(1);
    expect(h.events.find((e) => e.kind === 'failsafe.reset_refused')).toMatchObject({
      data: { by: 'operator/bob', causes: ['link_lost'] },
    });
    // Back up: the failsafe stays (on_reset) ...
    h.bus.publish(linkTopic, { up: true, peer: 'gcs' });
    await step(5);
    expect(h.events.some((e) => e.kind === 'failsafe.cleared')).toBe(false);
    h.propose('blocked', vel(1));
    await h.bus.drain();
    expect(h.decisions.at(-1)).toMatchObject({ proposalId: 'blocked', verdict: 'deny', code: 'failsafe.active' });
    // ... until the operator resumes.
    resume('r2');
    await step(1);
    expect(h.events.at(-1)).toMatchObject({ kind: 'failsafe.cleared', data: { cause: 'link_lost' } });
    expect(h.health().state).toBe('ok');
    await h.component.stop('test');
  });
});
