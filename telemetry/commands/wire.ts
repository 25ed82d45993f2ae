import { z } from 'zod';
import { FEEDBACK_MARKS, RETASK_BEHAVIORS, actionSchema } from '../../runtime/index.js';

/**
 * A command as an operator's ground station sends it on
 * `<prefix>/<robot>/cmd/<kind>`:
 *
 * ```json
 * { "v": 1, "robot": "drone-1", "operator": "alice", "commandId": "gcs-alice-000042",
 *   "issuedAtMs": 1767225600000, "ttlMs": 5000,
 *   "command": { "kind": "estop", "reason": "person in the field" },
 *   "sig": { "alg": "ed25519", "value": "<base64 signature>" } }
 * ```
 *
 * `sig.value` signs the canonical JSON of everything but `sig`
 * (`canonical.ts`) with the operator's Ed25519 private key, or is the
 * HMAC-SHA256 of it under the operator's shared secret. `robot` binds the
 * command to one robot, `commandId` is the nonce (unique per operator; the
 * robot remembers it for the command's lifetime), `issuedAtMs + ttlMs` is
 * when it expires.
 */

export const MAX_COMMAND_BYTES = 16 * 1024;

export const wireOperatorCommandSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('estop'), reason: z.string().min(1).max(500) }),
  z.strictObject({ kind: z.literal('estop_reset') }),
  z.strictObject({ kind: z.literal('confirm'), proposalId: z.string().min(1).max(128) }),
  z.strictObject({ kind: z.literal('deny'), proposalId: z.string().min(1).max(128) }),
  z.strictObject({ kind: z.literal('pause') }),
  z.strictObject({ kind: z.literal('resume') }),
  z.strictObject({ kind: z.literal('action'), action: actionSchema }),
  /** Operator words for the mission's language model; tasking answers with a checked plan. */
  z.strictObject({ kind: z.literal('task'), request: z.string().min(1).max(4000) }),
  /** A change of plan, applied by the behavior and checked by the guard like any other. */
  z.strictObject({ kind: z.literal('retask'), retask: retaskWireSchema() }),
  /** The operator marks a false positive or a missed target; the field data loop captures the frame. */
  feedbackWireSchema(),
]);

function feedbackWireSchema() {
  const finite = z.number();
  return z.strictObject({
    kind: z.literal('feedback'),
    mark: z.enum(FEEDBACK_MARKS),
    camera: z.string().min(1).max(64).optional(),
    frameStampMs: z.number().int().nonnegative().optional(),
    trackId: z.number().int().nonnegative().optional(),
    className: z.string().min(1).max(64).optional(),
    box: z.strictObject({ x1: finite, y1: finite, x2: finite, y2: finite }).optional(),
    note: z.string().max(500).optional(),
  });
}

function retaskWireSchema() {
  const xy = z.tuple([z.number(), z.number()]);
  return z.strictObject({
    planId: z.string().min(1).max(128),
    behavior: z.enum(RETASK_BEHAVIORS).optional(),
    areaName: z.string().min(1).max(64).optional(),
    area: z.array(xy).min(3).max(256).optional(),
    altitudeM: z.number().optional(),
    speedMps: z.number().optional(),
    returnHomePct: z.number().min(0).max(100).optional(),
    targets: z.array(z.string().min(1).max(64)).max(16).optional(),
    payload: z.enum(['auto', 'confirm', 'off']).optional(),
  });
}

export const signatureSchema = z.strictObject({
  alg: z.enum(['ed25519', 'hmac-sha256']),
  /** Base64. */
  value: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
    .max(200),
});

export const signedCommandSchema = z.strictObject({
  v: z.literal(1),
  robot: z.string().min(1).max(64),
  operator: z.string().min(1).max(64),
  commandId: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 of [A-Za-z0-9_.:-]'),
  /** Operator's clock when the command was issued, epoch ms. */
  issuedAtMs: z.number().int().nonnegative(),
  /** Lifetime from issuedAtMs, ms. */
  ttlMs: z.number().int().positive(),
  command: wireOperatorCommandSchema,
  sig: signatureSchema,
});

export type SignedCommand = z.infer<typeof signedCommandSchema>;
export type WireOperatorCommand = z.input<typeof wireOperatorCommandSchema>;
export type SignatureAlgorithm = SignedCommand['sig']['alg'];
