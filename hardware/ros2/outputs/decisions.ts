import type { Decision, Verdict } from '../../../runtime/index.js';
import { msToStamp, type RosTime } from './stamp.js';

/** diagnostic_msgs/msg/DiagnosticArray. */
export interface DiagnosticArrayMsg {
  readonly header: { readonly stamp: RosTime; readonly frame_id: string };
  readonly status: readonly {
    readonly level: number;
    readonly name: string;
    readonly message: string;
    readonly hardware_id: string;
    readonly values: readonly { readonly key: string; readonly value: string }[];
  }[];
}

/** DiagnosticStatus levels: an allowed action is OK, a clamped one WARN, a denied one ERROR. */
const LEVEL: Readonly<Record<Verdict, number>> = { allow: 0, modify: 1, deny: 2 };

/**
 * A guard decision as a DiagnosticArray of one status, the ROS-native way to
 * show "what the safety layer did and why" (rqt_robot_monitor, Foxglove's
 * diagnostics panel). The status is named after the rule; the stable code,
 * verdict and actions go in `values` (actions as JSON) so nothing is lost.
 */
export function toDiagnosticArray(decision: Decision, hardwareId: string): DiagnosticArrayMsg {
  const values = [
    { key: 'proposal_id', value: decision.proposalId },
    { key: 'source', value: decision.source },
    { key: 'verdict', value: decision.verdict },
    { key: 'code', value: decision.code },
    { key: 'requested', value: JSON.stringify(decision.requested) },
  ];
  if (decision.action !== undefined) values.push({ key: 'action', value: JSON.stringify(decision.action) });
  return {
    header: { stamp: msToStamp(decision.decidedAtMs), frame_id: '' },
    status: [
      {
        level: LEVEL[decision.verdict],
        name: `kestrel/guard/${decision.ruleId}`,
        message: decision.reason,
        hardware_id: hardwareId,
        values,
      },
    ],
  };
}
