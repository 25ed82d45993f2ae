import { z } from 'zod';
import { localPointSchema } from './geometry.js';

/** What kind of machine runs the mission, and its physical envelope. */
const common = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, "-" and "_"')
    .describe('Robot id, unique in the fleet; used in telemetry topics (kestrel/<id>/...).'),
  maxSpeedMps: z.number().positive().describe('Top horizontal speed of the machine, m/s.'),
  massKg: z.number().positive().optional().describe('Mass, kg (used by the simulator).'),
};

/**
 * Refilling a water or retardant tank at base: landed within `radiusM` of the
 * refill point, motors idle, the tank fills at `rateLps`. A behavior that runs
 * dry with a fire still burning flies there, lands, waits until full and goes
 * back. Absent: the tank is never refilled during the mission.
 */
export const payloadRefillSchema = z
  .strictObject({
    at: z
      .union([z.literal('home'), localPointSchema])
      .default('home')
      .describe(
        'Where the tank is refilled: "home" (the take-off point) or a local [x, y] point, metres. Default home.',
      ),
    rateLps: z.number().positive().default(4).describe('Fill rate, litres per second. Default 4.'),
    radiusM: z
      .number()
      .positive()
      .default(8)
      .describe('The vehicle must be landed within this distance of the refill point, metres. Default 8.'),
  })
  .describe('Refill at base: land at the refill point and the tank is filled. Absent: no refill.');

export const multirotorSchema = z.strictObject({
  kind: z.literal('multirotor'),
  ...common,
  maxClimbMps: z.number().positive().default(3).describe('Top climb/descent rate, m/s. Default 3.'),
  maxYawRateDps: z.number().positive().default(90).describe('Top yaw rate, degrees/s. Default 90.'),
  maxAccelMps2: z.number().positive().default(4).describe('Top horizontal acceleration, m/s². Default 4.'),
  payload: z
    .strictObject({
      kind: z.enum(['water', 'retardant', 'sensor', 'none']).describe('What the payload is.'),
      capacity: z.number().nonnegative().describe('Capacity in litres (water, retardant) or units.'),
      rangeM: z.number().positive().describe('Effective range of the payload, metres.'),
      refill: payloadRefillSchema.optional(),
    })
    .optional(),
});

export const groundSchema = z.strictObject({
  kind: z.literal('ground'),
  ...common,
  maxYawRateDps: z.number().positive().default(90).describe('Top turn rate, degrees/s. Default 90.'),
  maxAccelMps2: z.number().positive().default(1).describe('Top acceleration, m/s². Default 1.'),
  wheelBaseM: z.number().positive().default(0.5).describe('Distance between the drive wheels, m. Default 0.5.'),
  footprint: z
    .array(z.tuple([z.number(), z.number()]))
    .min(3)
    .optional()
    .describe('Footprint polygon in the body frame, metres (x forward, y left).'),
});

export const fixedSiteSchema = z.strictObject({
  kind: z.literal('fixed_site'),
  id: common.id,
  maxSpeedMps: z.number().nonnegative().default(0).describe('Fixed sites do not move. Default 0.'),
  massKg: common.massKg,
});

export const platformSchema = z
  .discriminatedUnion('kind', [multirotorSchema, groundSchema, fixedSiteSchema])
  .describe('The machine: multirotor drone, ground vehicle, or fixed site (mast, tower).');

export type Platform = z.infer<typeof platformSchema>;
