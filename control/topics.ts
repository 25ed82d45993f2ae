import { defineTopic } from '../runtime/index.js';

/**
 * Topics the guard listens to besides the runtime's well-known ones (the
 * operator channel and link status live in runtime/messages). `control/estop`
 * is for in-process e-stop sources: a physical button's driver, an embedder.
 */

/** Engage or release the e-stop. Releases need an identity and pass the guard's authoriser. */
export interface EStopCommand {
  readonly engage: boolean;
  /** Who asks, e.g. `operator/alice`. */
  readonly by: string;
  readonly reason?: string;
  readonly token?: string;
}

export const estopTopic = defineTopic<EStopCommand>('control/estop', 'kestrel/EStopCommand');
