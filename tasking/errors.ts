import { KestrelError } from '../runtime/index.js';

/**
 * Tasking failures. Codes are API:
 * - `tasking.request_empty`, `tasking.request_too_long`: refused before the model runs;
 * - `tasking.not_configured`: the mission has no `tasking` block or its model is not a language model;
 * - `tasking.model_failed`: the model threw (the current plan keeps running);
 * - `tasking.data_invalid`: a line of an evaluation file does not parse.
 */
export class TaskingError extends KestrelError {}
