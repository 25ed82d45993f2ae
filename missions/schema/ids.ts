import { z } from 'zod';

/** Ids that other parts of the mission refer to (sensors, models, pipelines). */
export const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, "-" and "_", starting with a letter or digit');
