import type { Action } from '../../runtime/index.js';
import { ALLOW, deny, type GuardRule } from '../guard/rule.js';
import type { FailsafeMonitor } from './monitor.js';
import { ACTION_STRENGTH } from './table.js';

/** Sources that may act while a failsafe is in charge: the failsafe itself and a human. */
const OVERRIDING_SOURCES = ['failsafe/', 'operator/'];

/**
 * While a failsafe is in charge, behaviors and plugins must not undo it (a
 * mission behavior's next velocity command would otherwise cancel a return
 * home at once). Their proposals are denied with `failsafe.active` unless the
 * action is at least as strong as the failsafe's own (a land during a return
 * home is fine). Operators may take over, as PX4 lets a pilot do. A first
 * step towards the priority arbiter (e-stop > failsafe > operator > behavior > plugins).
 */
export function failsafeLockRule(monitor: FailsafeMonitor): GuardRule {
  return {
    id: 'failsafe-lock',
    evaluate(action: Action, _state, _nowMs, proposal) {
      const active = monitor.active();
      if (active === undefined || active.action === 'continue') return ALLOW;
      for (const prefix of OVERRIDING_SOURCES) if (proposal.source.startsWith(prefix)) return ALLOW;
      const strength = (ACTION_STRENGTH as Readonly<Record<string, number>>)[action.kind];
      if (strength !== undefined && strength >= ACTION_STRENGTH[active.action]) return ALLOW;
      return deny(
        'failsafe.active',
        `failsafe ${active.cause} is in charge (${active.action}); ${proposal.source} may not override it`,
        {
          cause: active.cause,
          failsafeAction: active.action,
          sinceMs: active.sinceMs,
        },
      );
    },
  };
}
