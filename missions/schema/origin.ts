import { z } from 'zod';

export const originSchema = z
  .strictObject({
    lat: z.number().min(-90).max(90).describe('Latitude of the local frame origin, degrees.'),
    lon: z.number().min(-180).max(180).describe('Longitude of the local frame origin, degrees.'),
    altM: z.number().default(0).describe('Altitude of the origin above the WGS-84 ellipsoid, m. Default 0.'),
  })
  .describe('GNSS origin of the local ENU frame; needed when any point is geographic or a GNSS sensor is fused.');

export type Origin = z.infer<typeof originSchema>;
