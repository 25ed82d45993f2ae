import { z } from 'zod';
import { idSchema } from './ids.js';

const wordList = z
  .array(
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9]+( [a-z0-9]+)*$/, 'must be words of letters and digits separated by single spaces'),
  )
  .max(64);

/**
 * Language tasking: which language model turns an operator's words into a
 * plan, and what a plan may do before a person confirms it.
 */
export const taskingSchema = z
  .strictObject({
    model: idSchema.describe('Id of a language model in `models` (a manifest with backend gguf or onnx-lm).'),
    requireConfirmation: z
      .boolean()
      .default(true)
      .describe('A plan takes effect only after an operator confirms it. Default true.'),
    maxRequestChars: z
      .number()
      .int()
      .positive()
      .max(4000)
      .default(400)
      .describe('Longer requests are refused before the model runs. Default 400.'),
    grounding: z
      .boolean()
      .default(true)
      .describe(
        'Constrain plans to what the request says: every number must be one the operator spoke, a zone must be a mission zone or words of the request, a behavior other than hold or a target class one the request names, a payload policy only when the request speaks of the payload. Default true.',
      ),
    vocabulary: z
      .strictObject({
        behaviors: z
          .strictObject({
            area_search: wordList.optional(),
            patrol: wordList.optional(),
            inspection: wordList.optional(),
            return_home: wordList.optional(),
            land: wordList.optional(),
          })
          .optional()
          .describe('Extra words that name each behavior ("quarter" for area_search, say). Hold needs none.'),
        targets: z
          .strictObject({
            fire: wordList.optional(),
            smoke: wordList.optional(),
            person: wordList.optional(),
            vehicle: wordList.optional(),
          })
          .optional()
          .describe('Extra words that name each target class ("bambi" for a person, say).'),
        payload: wordList.optional().describe('Extra words that speak of the payload ("bucket", "foam").'),
      })
      .optional()
      .describe(
        "Crews' own words, added to Kestrel's: with grounding on, a plan may switch to a behavior other than hold, or name a target class, only when the request names it, and set the payload policy only when the request speaks of the payload.",
      ),
    timeBudgetMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Wall-clock limit for one plan; default the model manifest's own."),
  })
  .describe('Language tasking: an operator request becomes a structured plan that the guard checks.');

export type Tasking = z.infer<typeof taskingSchema>;
