import { z } from 'zod';
import { modelManifestSchema } from '../../perception/index.js';
import { idSchema } from './ids.js';

/**
 * A model the mission loads: either a reference to a manifest on disk
 * (`model.yaml`, or the model file itself with a `model.yaml` beside it) or
 * the manifest written inline. The manifest schema is perception's own, so a
 * `model.yaml` and an inline entry accept exactly the same fields.
 */
export const modelSchema = z.union([
  z.strictObject({
    id: idSchema.describe('Model id, referenced by pipelines.'),
    manifest: z
      .string()
      .min(1)
      .describe('A model.yaml manifest, or a model file with a model.yaml beside it; relative to the mission file.'),
  }),
  modelManifestSchema.extend({ id: idSchema.describe('Model id, referenced by pipelines.') }),
]);

export type ModelEntry = z.infer<typeof modelSchema>;
