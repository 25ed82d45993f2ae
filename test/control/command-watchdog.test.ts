import { describe, expect, it } from 'vitest';
import { COMMAND_WATCHDOG_MS, CommandWatchdog } from '../../control/index.js';
import { gotoLocal, vel } from './fixtures.js';

describe('command watchdog (deadman)', () => {
  it('trips once when a behavior moving the robot goes silent for longer than the limit', () => {
    const w = new CommandWatchdog(3000);
    w.onApproved('behavior/area_search', vel(2), 0);
    expect(w.check(3000, 2)).toBeUndefined();
    expect(w.check(3001, 2)).toEqual({ source: 'behavior/area_search', kind: 'velocity', silentMs: 3001 });
    // Once: the hold is commanded, the watch ends.
    expect(w.check(5000, 2)).toBeUndefined();
    expect(w.watching).toBeUndefined();
  });

  it('fresh approved commands from the same source keep it quiet', () => {
    const w = new CommandWatchdog(3000);
    for (let t = 0; t <= 20_000; t += 1000) {
      w.onApproved('behavior/patrol', gotoLocal(10, 0), t);
      expect(w.check(t + 999, 5)).toBeUndefined();
    }
  });

  it('a robot at rest is not tripped (a reached goto, a dwell), but is as soon as it moves on the stale command', () => {
    const w = new CommandWatchdog(1000);
    w.onApproved('behavior/inspection', gotoLocal(10, 0), 0);
    expect(w.check(5000, 0.05)).toBeUndefined();
    expect(w.watching).toBe('behavior/inspection');
    expect(w.check(5100, 1)).toMatchObject({ source: 'behavior/inspection', kind: 'goto' });
  });

  it('an unknown speed (no fresh pose) or a NaN age counts as moving: fail safe', () => {
    const w = new CommandWatchdog(1000);
    w.onApproved('plugin/acme', vel(1), 0);
    expect(w.check(1001)).toBeDefined();
    const n = new CommandWatchdog(1000);
    n.onApproved('plugin/acme', vel(1), Number.NaN);
    expect(n.check(10)).toBeDefined();
  });

  it('hold, stop, land and return home end the watch; payload and gimbal do not', () => {
    for (const kind of ['hold', 'stop', 'land', 'return_home'] as const) {
      const w = new CommandWatchdog(1000);
      w.onApproved('behavior/x', vel(1), 0);
      w.onApproved('failsafe/link_lost', { kind }, 10);
      expect(w.check(10_000, 3), kind).toBeUndefined();
    }
    const w = new CommandWatchdog(1000);
    w.onApproved('behavior/x', vel(1), 0);
    w.onApproved('behavior/x', { kind: 'payload', on: true }, 900);
    w.onApproved('behavior/x', { kind: 'gimbal', pitchDeg: -90, yawDeg: 0 }, 900);
    expect(w.check(1001, 3)).toBeDefined();
  });

  it("an operator's goto is a one-shot plan and is not watched; an operator's velocity (a joystick) is", () => {
    const w = new CommandWatchdog(1000);
    w.onApproved('operator/alice', gotoLocal(50, 50), 0);
    expect(w.check(60_000, 5)).toBeUndefined();
    w.onApproved('operator/alice', vel(1), 0);
    expect(w.check(1001, 1)).toMatchObject({ source: 'operator/alice' });
    expect(COMMAND_WATCHDOG_MS).toBe(3000);
  });
});
