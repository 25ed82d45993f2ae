import { z } from 'zod';
import { polygonSchema } from './geometry.js';

/**
 * Named places an operator can refer to ("the east sector", "base"). Tasking
 * resolves a name in a request against this list and nothing else: an unknown
 * name is a rejection, never a guess.
 */
export const zoneSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9 ]*[a-z0-9]$/, 'must be lowercase words separated by single spaces, e.g. "east sector"')
    .max(40)
    .describe('Name an operator uses, lowercase words, e.g. "east sector".'),
  aliases: z
    .array(z.string().regex(/^[a-z][a-z0-9 ]*[a-z0-9]$/, 'must be lowercase words separated by single spaces'))
    .default([])
    .describe('Other names for the same zone, e.g. ["east block"].'),
  polygon: polygonSchema.describe('The zone, in local ENU metres or geographic points.'),
});

export type Zone = z.infer<typeof zoneSchema>;
