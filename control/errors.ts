import { KestrelError } from '../runtime/index.js';

/**
 * Errors raised by `control/` when it is set up or called wrongly. A proposal
 * the guard refuses is not an error: it is a `Decision` with verdict `deny`.
 *
 * Codes (API, never renamed):
 * - `geometry.polygon_invalid`: fewer than 3 points or a non-finite coordinate;
 * - `guard.geo_without_origin`: a geographic point with no mission origin to convert it;
 * - `guard.config_invalid`: a rule option out of range;
 * - `guard.duplicate_rule`: two rules share an id;
 * - `guard.estop_reset_unauthorised`: an e-stop reset the authoriser refused;
 * - `guard.state_invalid`: a state file for `kestrel guard check` that is not JSON or not a state.
 */
export class GuardError extends KestrelError {}
