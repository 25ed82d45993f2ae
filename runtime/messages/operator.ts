import { defineTopic } from '../bus/topic.js';
import type { Action } from './actions.js';

/**
 * Commands from an authenticated operator, after the command channel has
 * checked signature, freshness and authority. The guard consumes e-stop
 * (latched), its reset, confirmations and denials of actions that wait for an
 * operator, and operator actions (proposed and guarded like any other); the
 * behavior consumes pause (hold, propose nothing) and resume.
 */
export type OperatorCommand =
  | { readonly kind: 'estop'; readonly reason: string }
  | { readonly kind: 'estop_reset' }
  | { readonly kind: 'confirm'; readonly proposalId: string }
  | { readonly kind: 'deny'; readonly proposalId: string }
  | { readonly kind: 'pause' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'action'; readonly action: Action }
  | { readonly kind: 'retask'; readonly retask: Retask }
  /** Words for the mission's language model; tasking answers with a checked plan (see tasking/). */
  | { readonly kind: 'task'; readonly request: string }
  /** The operator says the model got a frame wrong; the field data loop captures it (see fieldloop/). */
  | ({ readonly kind: 'feedback' } & OperatorFeedback);

/** What an operator can say about the model's output. */
export const FEEDBACK_MARKS = ['false_positive', 'missed_target'] as const;
export type FeedbackMark = (typeof FEEDBACK_MARKS)[number];

/**
 * An operator's correction of the model: a detection that is not there
 * (`false_positive`) or a target the model did not report (`missed_target`).
 * Every field but `mark` is optional: what is left out means "the latest frame".
 */
export interface OperatorFeedback {
  readonly mark: FeedbackMark;
  /** Camera sensor id. Default: the first captured camera. */
  readonly camera?: string;
  /** Source stamp of the frame meant, epoch ms. Default: the newest frame. */
  readonly frameStampMs?: number;
  /** The tracked detection meant (false positive). */
  readonly trackId?: number;
  readonly className?: string;
  /** Where in the frame, pixels. */
  readonly box?: { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number };
  readonly note?: string;
}

/** Behaviors a retask may switch to. */
export const RETASK_BEHAVIORS = ['area_search', 'patrol', 'inspection', 'hold', 'return_home', 'land'] as const;
export type RetaskBehavior = (typeof RETASK_BEHAVIORS)[number];

/**
 * A change of plan for the running mission, from a signed operator command or
 * a tasking plan an operator confirmed. Every field is optional: what is left
 * out stays as it is. The behavior applies behavior, area, altitude, speed,
 * targets and payload policy; the guard applies returnHomePct, and only
 * within the mission's bounds (it can raise the return-home threshold, never
 * lower it below the mission file's). Approved actions still pass the guard.
 */
export interface Retask {
  /** Id of the plan this came from, for logs and the audit trail. */
  readonly planId: string;
  readonly behavior?: RetaskBehavior;
  /** Name of the mission zone the area came from, for messages. */
  readonly areaName?: string;
  /** Search or patrol area, local ENU metres (x east, y north), open ring. */
  readonly area?: readonly (readonly [number, number])[];
  readonly altitudeM?: number;
  readonly speedMps?: number;
  readonly returnHomePct?: number;
  /** Target classes, highest priority first. */
  readonly targets?: readonly string[];
  /** auto: payload when the guard approves; confirm: each payload action waits for an operator; off: never. */
  readonly payload?: 'auto' | 'confirm' | 'off';
}

export interface OperatorMessage {
  /** Operator id from the key that signed the command. */
  readonly operator: string;
  /** Command id, unique per operator (replay protection happens before the bus). */
  readonly commandId: string;
  readonly command: OperatorCommand;
}

export const operatorTopic = defineTopic<OperatorMessage>('control/operator', 'kestrel/OperatorMessage');
/** Heartbeat of the operator link: published whenever the ground station is heard from. */
export const linkTopic = defineTopic<{ readonly up: boolean; readonly peer: string }>('runtime/link', 'kestrel/Link');
