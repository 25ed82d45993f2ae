import { KestrelError } from '../../runtime/index.js';

/**
 * Errors setting up a replay. Codes are API:
 * `replay.no_topics` (no mission sensor maps to a topic of the bag).
 */
export class ReplayError extends KestrelError {}
