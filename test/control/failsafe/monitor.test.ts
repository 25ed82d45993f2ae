/**
 * Failsafe scenarios on a stepped clock, in the manner of PX4's
 * failsafe_test.cpp: time advances in fixed steps, each step says what happens.
 */
import { describe, expect, it } from 'vitest';
import { FailsafeMonitor } from '../../../control/index.js';
import type { FailsafeUpdate, GuardState } from '../../../control/index.js';
import { guardrails, NOW, pose } from '../fixtures.js';

const rails = guardrails({
  linkLoss: { afterMs: 3000, action: 'return_home' },
  staleSensor: { afterMs: 2000, action: 'hold' },
  battery: { returnHomePct: 30, landPct: 15 },
});

/** A world the test edits between steps. */
function scenario() {
  let t = NOW;
  const s: { -readonly [K in keyof GuardState]: GuardState[K] } = {
    pose: pose(0, 0),
    poseStampMs: t,
    targets: [],
    battery: { frameId: 'b', percent: 90, voltageV: 22, currentA: 5 },
    batteryStampMs: t,
    linkSeenMs: t,
  };
  const monitor = new FailsafeMonitor({ guardrails: rails, startedAtMs: t });
  return {
    monitor,
    s,
    get now() {
      return t;
    },
    /** Advances time by `ms`, keeping the named inputs fresh, and runs the monitor. */
    step(
      ms: number,
      fresh: { pose?: boolean; link?: boolean; battery?: boolean } = { pose: true, link: true, battery: true },
    ): FailsafeUpdate {
      t += ms;
      if (fresh.pose === true) s.poseStampMs = t;
      if (fresh.link === true) s.linkSeenMs = t;
      if (fresh.battery === true) s.batteryStampMs = t;
      return monitor.update(s, false, t);
    },
  };
}

describe('FailsafeMonitor', () => {
  it('does nothing while everything is fresh', () => {
    const w = scenario();
    for (let i = 0; i < 50; i++)
      expect(w.step(100)).toMatchObject({ transitions: [], active: undefined, proposal: undefined });
  });

  it('link loss: return home after afterMs, latched until reset after the link is back', () => {
    const w = scenario();
    // The ground station goes quiet; pose and battery stay fresh.
    for (let i = 0; i < 30; i++) expect(w.step(100, { pose: true, battery: true }).proposal).toBeUndefined();
    // 3.1 s of silence: link lost.
    const u = w.step(100, { pose: true, battery: true });
    expect(u.transitions).toMatchObject([{ cause: 'link_lost', kind: 'triggered', action: 'return_home' }]);
    expect(u.proposal).toMatchObject({
      source: 'failsafe/link_lost',
      action: { kind: 'return_home' },
      proposedAtMs: w.now,
    });
    // The link comes back: still returning home (PX4 waits for the pilot).
    expect(w.step(100).active).toMatchObject({ cause: 'link_lost' });
    // A reset while the link is silent would be refused; now it is back, so it clears.
    const r = w.monitor.reset('link_lost', w.s, false, w.now);
    expect(r?.transitions).toMatchObject([{ cause: 'link_lost', kind: 'cleared' }]);
    expect(w.monitor.active()).toBeUndefined();
  });

  it('a link that never came is never lost (no ground station)', () => {
    const w = scenario();
    delete w.s.linkSeenMs;
    for (let i = 0; i < 100; i++) expect(w.step(100, { pose: true, battery: true }).active).toBeUndefined();
  });

  it('GNSS/pose loss: hold after afterMs, and clear by itself when the pose returns', () => {
    const w = scenario();
    for (let i = 0; i < 20; i++) w.step(100, { link: true, battery: true });
    const u = w.step(100, { link: true, battery: true }); // 2.1 s without a pose
    expect(u.proposal).toMatchObject({ source: 'failsafe/pose_stale', action: { kind: 'hold' } });
    const back = w.step(100);
    expect(back.transitions).toMatchObject([{ cause: 'pose_stale', kind: 'cleared' }]);
    expect(back.active).toBeUndefined();
  });

  it('a pose that never arrived is stale from the start', () => {
    const w = scenario();
    delete w.s.poseStampMs;
    w.step(2000, { link: true, battery: true });
    expect(w.step(100, { link: true, battery: true }).active).toMatchObject({ cause: 'pose_stale', action: 'hold' });
  });

  it('battery drain: return home at 30 %, land at 15 %, and land is never cleared', () => {
    const w = scenario();
    const proposals: string[] = [];
    for (let pct = 90; pct >= 5; pct -= 5) {
      w.s.battery = { frameId: 'b', percent: pct, voltageV: 22, currentA: 5 };
      const u = w.step(1000);
      if (u.proposal !== undefined) proposals.push(`${pct}%: ${u.proposal.action.kind}`);
    }
    expect(proposals).toEqual(['30%: return_home', '15%: land']);
    // A fresh pack reading (a glitch) does not undo the landing; a reset is refused.
    w.s.battery = { frameId: 'b', percent: 80, voltageV: 22, currentA: 5 };
    expect(w.step(100).active).toMatchObject({ cause: 'battery_critical', action: 'land' });
    expect(w.monitor.reset('battery_critical', w.s, false, w.now)).toBeUndefined();
  });

  it('stronger wins: a pose loss during a return home does not downgrade it to hold', () => {
    const w = scenario();
    w.s.battery = { frameId: 'b', percent: 25, voltageV: 22, currentA: 5 };
    expect(w.step(100).proposal).toMatchObject({ action: { kind: 'return_home' } });
    for (let i = 0; i < 25; i++) expect(w.step(100, { link: true, battery: true }).proposal).toBeUndefined();
    expect(w.monitor.active()).toMatchObject({ cause: 'battery_low', action: 'return_home' });
  });

  it('e-stop beats everything and hands back when released', () => {
    const w = scenario();
    w.s.battery = { frameId: 'b', percent: 10, voltageV: 22, currentA: 5 };
    w.step(100);
    const e = w.monitor.update(w.s, true, w.now + 10);
    expect(e.proposal).toMatchObject({ source: 'failsafe/estop', action: { kind: 'stop' } });
    const released = w.monitor.update(w.s, false, w.now + 20);
    expect(released.active).toMatchObject({ cause: 'battery_critical' });
    expect(released.proposal).toMatchObject({ action: { kind: 'land' } });
  });

  it('a NaN battery reading counts as the reserve reached', () => {
    const w = scenario();
    w.s.battery = { frameId: 'b', percent: NaN, voltageV: 22, currentA: 5 };
    expect(w.step(100).active).toMatchObject({ cause: 'battery_low' });
  });
});
