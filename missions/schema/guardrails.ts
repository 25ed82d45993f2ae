import { z } from 'zod';
import { polygonSchema } from './geometry.js';

/**
 * Guardrails: the bounds every action is checked against before it reaches an
 * actuator. A missing block means that rule is off, except the ones a
 * platform needs to be safe at all (speed limits default to the platform's).
 */
export const failsafeActionSchema = z
  .enum(['hold', 'return_home', 'land', 'stop', 'continue'])
  .describe(
    'What the robot does when a failsafe triggers: hold (hover/stop in place), return_home, land, stop, continue.',
  );

export type FailsafeAction = z.infer<typeof failsafeActionSchema>;

export const actionKindSchema = z.enum([
  'velocity',
  'goto',
  'hold',
  'return_home',
  'land',
  'payload',
  'gimbal',
  'stop',
]);

export type ActionKind = z.infer<typeof actionKindSchema>;

const noGoZoneSchema = z.strictObject({
  name: z.string().min(1).describe('Name shown in guard decisions, e.g. "school".'),
  polygon: polygonSchema,
});

const standoffSchema = z
  .strictObject({
    class: z.string().min(1).describe('Target class from the world model, e.g. person.'),
    stopM: z.number().nonnegative().describe('Inside this distance the robot stops approaching, m.'),
    slowM: z
      .number()
      .nonnegative()
      .optional()
      .describe('Inside this distance speed is scaled down, m. Default: no slow zone.'),
    noPayloadM: z
      .number()
      .nonnegative()
      .optional()
      .describe('No payload release within this distance, m. Default: stopM.'),
  })
  .superRefine((s, ctx) => {
    if (s.slowM !== undefined && s.slowM < s.stopM) {
      ctx.addIssue({
        code: 'custom',
        path: ['slowM'],
        message: `slow zone (${s.slowM} m) must not be inside the stop zone (${s.stopM} m)`,
      });
    }
  });

const altitudeSchema = z
  .strictObject({
    minM: z.number().describe('Lowest allowed altitude above home, m.'),
    maxM: z.number().describe('Highest allowed altitude above home, m.'),
  })
  .superRefine((a, ctx) => {
    if (a.minM >= a.maxM)
      ctx.addIssue({ code: 'custom', path: ['maxM'], message: `maxM (${a.maxM}) must be above minM (${a.minM})` });
  })
  .describe('Altitude band above home, metres.');

const speedSchema = z
  .strictObject({
    maxLinearMps: z.number().positive().describe('Horizontal speed limit, m/s.'),
    maxVerticalMps: z.number().positive().optional().describe('Climb/descent limit, m/s.'),
    maxYawRateDps: z.number().positive().optional().describe('Yaw rate limit, degrees/s.'),
    maxAccelMps2: z.number().positive().optional().describe('Acceleration limit, m/s².'),
  })
  .describe('Speed limits; commands above them are clamped.');

const batterySchema = z
  .strictObject({
    returnHomePct: z.number().min(0).max(100).describe('Return home at or below this charge, %.'),
    landPct: z.number().min(0).max(100).describe('Land where it is at or below this charge, %.'),
  })
  .superRefine((b, ctx) => {
    if (b.landPct >= b.returnHomePct) {
      ctx.addIssue({
        code: 'custom',
        path: ['landPct'],
        message: `landPct (${b.landPct}) must be below returnHomePct (${b.returnHomePct})`,
      });
    }
  })
  .describe('Battery reserve.');

const timeoutFailsafeSchema = z.strictObject({
  afterMs: z.number().int().positive().describe('Trigger after this long without the signal, ms.'),
  action: failsafeActionSchema,
});

export const guardrailsSchema = z
  .strictObject({
    geofence: z
      .array(polygonSchema)
      .default([])
      .describe('Keep-in polygons: the robot must stay inside at least one. Empty = no keep-in fence.'),
    noGo: z.array(noGoZoneSchema).default([]).describe('Keep-out zones the robot must never enter.'),
    horizonS: z
      .number()
      .positive()
      .max(30)
      .default(3)
      .describe('Velocity commands are checked along their predicted path for this long, s. Default 3.'),
    altitude: altitudeSchema.optional(),
    speed: speedSchema.optional(),
    standoff: z.array(standoffSchema).default([]).describe('Distances to keep from target classes.'),
    battery: batterySchema.optional(),
    linkLoss: timeoutFailsafeSchema.optional().describe('What to do when the operator link is lost.'),
    staleSensor: timeoutFailsafeSchema
      .optional()
      .describe('What to do when a sensor the guard needs (pose) is stale for afterMs.'),
    requireConfirmation: z
      .array(actionKindSchema)
      .default([])
      .describe('Action kinds that wait for an operator confirmation before they run, e.g. [payload].'),
    rateLimits: z
      .partialRecord(actionKindSchema, z.number().positive())
      .optional()
      .describe('Most actions of a kind per second, e.g. { payload: 0.2 }.'),
  })
  .describe('Guardrails applied to every action.');

export type Guardrails = z.infer<typeof guardrailsSchema>;
