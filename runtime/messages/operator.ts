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
  | { readonly kind: 'action'; readonly action: Action };

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
