import { z } from 'zod';
import { RETASK_BEHAVIORS } from '../runtime/index.js';

/** Target classes a plan may prioritise: the classes the mission's detectors know. */
export const PLAN_TARGET_CLASSES = ['fire', 'smoke', 'person', 'vehicle'] as const;
export const PAYLOAD_POLICIES = ['auto', 'confirm', 'off'] as const;

/** The key order of a canonical plan: models are trained on it and the constraint emits it. */
export const PLAN_KEYS = ['behavior', 'zone', 'altitudeM', 'speedMps', 'returnHomePct', 'targets', 'payload'] as const;

/**
 * What a language model may say, and nothing else. Structure only: whether an
 * altitude of 10^15 m or a zone outside the fence is acceptable is the
 * guard's call after the plan is resolved, so the schema does not hide absurd
 * values from it. Zone names are free text here and resolved against the
 * mission's zones afterwards: an unknown name becomes a rejection, not a
 * guess.
 */
export const planSchema = z.strictObject({
  behavior: z.enum(RETASK_BEHAVIORS),
  zone: z
    .string()
    .max(40)
    .regex(/^[a-z][a-z0-9 ]*$/, 'must be lowercase words')
    .optional(),
  altitudeM: z.number().int().optional(),
  speedMps: z.number().int().optional(),
  returnHomePct: z.number().int().optional(),
  targets: z
    .array(z.enum(PLAN_TARGET_CLASSES))
    .max(PLAN_TARGET_CLASSES.length)
    .refine((t) => new Set(t).size === t.length, 'targets must not repeat')
    .optional(),
  payload: z.enum(PAYLOAD_POLICIES).optional(),
});

export type Plan = z.infer<typeof planSchema>;

/**
 * The same schema as JSON Schema, in the subset both constrained decoders
 * support (node-llama-cpp's JSON-schema grammar and Kestrel's token mask):
 * properties in canonical order, enums, bounded strings, integers.
 */
export const PLAN_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['behavior'],
  properties: {
    behavior: { type: 'string', enum: [...RETASK_BEHAVIORS] },
    zone: { type: 'string', maxLength: 40, pattern: '^[a-z][a-z0-9 ]*$' },
    altitudeM: { type: 'integer' },
    speedMps: { type: 'integer' },
    returnHomePct: { type: 'integer' },
    targets: {
      type: 'array',
      items: { type: 'string', enum: [...PLAN_TARGET_CLASSES] },
      maxItems: PLAN_TARGET_CLASSES.length,
      uniqueItems: true,
    },
    payload: { type: 'string', enum: [...PAYLOAD_POLICIES] },
  },
} as const;

export type PlanParse = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly reason: string };

/** Parses a model's output. Never throws: a bad output is a reason, and the current plan keeps running. */
export function parsePlanText(text: string): PlanParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `model output is not JSON (${(error as Error).message}): ${clip(text)}` };
  }
  const parsed = planSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first === undefined || first.path.length === 0 ? 'plan' : first.path.join('.');
    return { ok: false, reason: `model output is not a valid plan: ${where}: ${first?.message ?? 'invalid'}` };
  }
  return { ok: true, plan: parsed.data };
}

/** The canonical text of a plan (keys in PLAN_KEYS order, no whitespace): what a tuned model emits. */
export function canonicalPlanText(plan: Plan): string {
  const out: Record<string, unknown> = {};
  for (const key of PLAN_KEYS) if (plan[key] !== undefined) out[key] = plan[key];
  return JSON.stringify(out);
}

function clip(text: string): string {
  return text.length > 120 ? `${JSON.stringify(text.slice(0, 120))}...` : JSON.stringify(text);
}
