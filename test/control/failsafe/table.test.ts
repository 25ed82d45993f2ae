import { describe, expect, it } from 'vitest';
import { ACTION_STRENGTH, failsafeTable } from '../../../control/index.js';
import { guardrails } from '../fixtures.js';

describe('failsafeTable', () => {
  it('lists configured conditions weakest first, e-stop last', () => {
    const rows = failsafeTable(
      guardrails({
        linkLoss: { afterMs: 30_000, action: 'return_home' },
        staleSensor: { afterMs: 2000, action: 'hold' },
        battery: { returnHomePct: 30, landPct: 15 },
      }),
    );
    expect(rows.map((r) => [r.cause, r.action, r.clear])).toEqual([
      ['pose_stale', 'hold', 'when_clear'],
      ['link_lost', 'return_home', 'on_reset'],
      ['battery_low', 'return_home', 'on_reset'],
      ['battery_critical', 'land', 'never'],
      ['estop', 'stop', 'when_clear'],
    ]);
    for (let i = 1; i < rows.length; i++) {
      expect(ACTION_STRENGTH[rows[i]!.action]).toBeGreaterThanOrEqual(ACTION_STRENGTH[rows[i - 1]!.action]);
    }
  });

  it('has only the e-stop row when nothing is configured', () => {
    expect(failsafeTable(guardrails()).map((r) => r.cause)).toEqual(['estop']);
  });

  it('orders a mission-chosen land on link loss after return home on low battery', () => {
    const rows = failsafeTable(
      guardrails({ linkLoss: { afterMs: 1000, action: 'land' }, battery: { returnHomePct: 30, landPct: 15 } }),
    );
    expect(rows.map((r) => r.cause)).toEqual(['battery_low', 'link_lost', 'battery_critical', 'estop']);
  });
});
