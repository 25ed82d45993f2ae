import { z } from 'zod';
import { defineTopic } from '../bus/topic.js';

/**
 * Actions: what a behavior, an operator or a planner asks the robot to do.
 * Every action is a proposal until the guard decides. These schemas parse
 * actions at the boundary (operator commands over MQTT, plugins); inside the
 * runtime they travel as trusted typed values.
 */
// zod 4 numbers are finite already: NaN and Infinity are rejected.
const finite = z.number();
const vec3 = z.strictObject({ x: finite, y: finite, z: finite });

export const velocityActionSchema = z.strictObject({
  kind: z.literal('velocity'),
  /** Body frame (FLU: x forward, y left, z up), m/s. */
  linearMps: vec3,
  /** Counter-clockwise positive, rad/s. */
  yawRateRps: finite,
});

export const gotoActionSchema = z.strictObject({
  kind: z.literal('goto'),
  target: z.union([
    z.strictObject({ frame: z.literal('local'), x: finite, y: finite }),
    z.strictObject({ frame: z.literal('geo'), lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }),
  ]),
  altitudeM: finite.optional(),
  speedMps: z.number().positive().optional(),
});

export const payloadActionSchema = z.strictObject({
  kind: z.literal('payload'),
  on: z.boolean(),
  /** Release lasts this long, s; absent = until switched off. */
  durationS: z.number().positive().optional(),
});

export const gimbalActionSchema = z.strictObject({
  kind: z.literal('gimbal'),
  pitchDeg: z.number().min(-180).max(180),
  yawDeg: z.number().min(-180).max(180),
});

export const customActionSchema = z.strictObject({
  kind: z.literal('custom'),
  /** Registered action name, e.g. `acme.siren`. */
  name: z.string().regex(/^[a-z0-9_.-]+$/),
  params: z.record(z.string(), z.unknown()).default({}),
});

export const actionSchema = z.discriminatedUnion('kind', [
  velocityActionSchema,
  gotoActionSchema,
  z.strictObject({ kind: z.literal('hold') }),
  z.strictObject({ kind: z.literal('return_home') }),
  z.strictObject({ kind: z.literal('land') }),
  payloadActionSchema,
  gimbalActionSchema,
  z.strictObject({ kind: z.literal('stop') }),
  customActionSchema,
]);

export type Action = z.infer<typeof actionSchema>;
export type VelocityAction = z.infer<typeof velocityActionSchema>;
export type GotoAction = z.infer<typeof gotoActionSchema>;

/** What the action was derived from, for latency tracing (frame → decision → actuation). */
export interface ActionBasis {
  /** Source stamp of the camera frame the action was derived from, epoch ms. */
  readonly frameStampMs?: number;
  /** Source stamp of the pose the action was derived from, epoch ms. */
  readonly poseStampMs?: number;
}

export interface ActionProposal {
  /** Unique per runtime, e.g. `behavior-000123`. */
  readonly id: string;
  /** Who proposes: `behavior/area_search`, `operator/alice`, `plugin/acme`. */
  readonly source: string;
  readonly action: Action;
  readonly basis?: ActionBasis;
  readonly proposedAtMs: number;
}

export type Verdict = 'allow' | 'modify' | 'deny';

/** A guard decision is a value: which rule, what code, why, and the evidence it saw. */
export interface Decision {
  readonly proposalId: string;
  readonly source: string;
  readonly verdict: Verdict;
  /** The action as it may run (after clamps); absent when denied. */
  readonly action?: Action;
  readonly requested: Action;
  /** Rule that decided (the last that modified, or the one that denied). */
  readonly ruleId: string;
  /** Stable code, e.g. `geofence.exit_predicted`, `source.stale`. */
  readonly code: string;
  readonly reason: string;
  readonly evidence?: Readonly<Record<string, unknown>>;
  readonly decidedAtMs: number;
  readonly basis?: ActionBasis;
}

/** An approved action on its way to the actuator. */
export interface Command {
  readonly proposalId: string;
  readonly action: Action;
  readonly issuedAtMs: number;
  readonly basis?: ActionBasis;
}

export const proposalsTopic = defineTopic<ActionProposal>('control/proposals', 'kestrel/ActionProposal');
export const decisionsTopic = defineTopic<Decision>('control/decisions', 'kestrel/Decision');
export const commandsTopic = defineTopic<Command>('control/commands', 'kestrel/Command');
