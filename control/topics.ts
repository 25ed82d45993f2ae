import { defineTopic } from '../runtime/index.js';

/**
 * Topics the guard listens to besides the runtime's well-known ones. The
 * telemetry command channel (a later issue) publishes on them; until then
 * tests and embedders do.
 */

/** A sign of life from the operator's ground station; its absence is link loss. */
export interface LinkHeartbeat {
  /** Who is on the other end, e.g. `gcs/alice`. */
  readonly peer: string;
}

/** Engage or release the e-stop. Releases need an identity and pass the guard's authoriser. */
export interface EStopCommand {
  readonly engage: boolean;
  /** Who asks, e.g. `operator/alice`. */
  readonly by: string;
  readonly reason?: string;
  readonly token?: string;
}

export const linkTopic = defineTopic<LinkHeartbeat>('control/link', 'kestrel/LinkHeartbeat');
export const estopTopic = defineTopic<EStopCommand>('control/estop', 'kestrel/EStopCommand');
