import { z } from 'zod';
import { localPointSchema, polygonSchema } from './geometry.js';

const altitude = z.number().describe('Flight altitude above home, m (multirotors).');

export const areaSearchSchema = z.strictObject({
  kind: z.literal('area_search'),
  area: polygonSchema.describe('Area to sweep in a lawnmower pattern.'),
  laneSpacingM: z.number().positive().describe('Distance between sweep lanes, m.'),
  altitudeM: altitude.optional(),
  speedMps: z.number().positive().describe('Cruise speed, m/s.'),
  onFire: z
    .enum(['suppress', 'report'])
    .default('report')
    .describe('When a fire is confirmed: suppress it with the payload, or only report it. Default report.'),
  suppressRangeM: z
    .number()
    .positive()
    .default(15)
    .describe('Distance from a fire to release the payload, m. Default 15.'),
});

export const patrolSchema = z.strictObject({
  kind: z.literal('patrol'),
  route: z.array(localPointSchema).min(2).describe('Waypoints [x, y] in metres, visited in order.'),
  loop: z.boolean().default(true).describe('Go round again after the last waypoint. Default true.'),
  speedMps: z.number().positive().describe('Cruise speed, m/s.'),
  altitudeM: altitude.optional(),
  report: z.array(z.string().min(1)).default(['person', 'vehicle']).describe('Target classes to report as intrusions.'),
});

export const inspectionSchema = z.strictObject({
  kind: z.literal('inspection'),
  points: z
    .array(
      z.strictObject({
        name: z.string().min(1).describe('Name of the point of interest, e.g. "pump-3".'),
        at: localPointSchema,
        dwellS: z.number().nonnegative().default(5).describe('Time to look at the point, s. Default 5.'),
      }),
    )
    .min(1)
    .describe('Points of interest, visited in order.'),
  speedMps: z.number().positive().describe('Cruise speed, m/s.'),
});

export const holdSchema = z.strictObject({
  kind: z.literal('hold'),
});

export const behaviorSchema = z
  .discriminatedUnion('kind', [areaSearchSchema, patrolSchema, inspectionSchema, holdSchema])
  .describe('The mission behavior and its parameters. Behaviors propose actions; the guard decides.');

export type Behavior = z.infer<typeof behaviorSchema>;
