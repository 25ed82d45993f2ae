import { KestrelError, linkTopic, type Component, type ComponentContext, type TimerHandle } from '../runtime/index.js';
import type { SimWorld } from './world.js';

/** Peer name the simulated ground station reports on `runtime/link`. */
export const SIM_LINK_PEER = 'sim/ground-station';

export interface SimLinkOptions {
  /** Heartbeat period while the link is up, ms. Default 1000 (a MAVLink GCS heartbeat is 1 Hz). */
  readonly heartbeatMs?: number;
  /** How often the link looks at the scenario's `link_loss` faults, ms. Default 100. */
  readonly checkMs?: number;
}

/**
 * What the simulated link publishes at one check: heartbeats while up, one
 * `{ up: false }` when it drops (as the telemetry component does when its
 * broker connection closes) and nothing while down, then `{ up: true }` at
 * once when it returns. Pure: the component feeds it the world's time and the
 * fault state.
 */
export class SimLinkState {
  private up: boolean | undefined;
  private lastBeatMs = -Infinity;

  constructor(private readonly heartbeatMs: number) {}

  /** The message to publish now, if any. */
  check(nowMs: number, faulted: boolean): { up: boolean } | undefined {
    const wasUp = this.up;
    this.up = !faulted;
    if (faulted) return wasUp === false ? undefined : { up: false };
    if (wasUp !== true || nowMs - this.lastBeatMs >= this.heartbeatMs) {
      this.lastBeatMs = nowMs;
      return { up: true };
    }
    return undefined;
  }
}

/**
 * `sim-link`: the ground-station link of a simulated run. The scenario's
 * `link_loss` faults cut it, so the guard's link-loss failsafe
 * (`guardrails.linkLoss`) runs in the simulator as it would on a robot.
 * `world` finds the running world at start (the plugin passes the `sim.world` service).
 */
export function simLinkComponent(world: (ctx: ComponentContext) => SimWorld, options: SimLinkOptions = {}): Component {
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const checkMs = options.checkMs ?? 100;
  let timer: TimerHandle | undefined;
  return {
    name: 'sim-link',
    dependsOn: ['sim-world'],
    start(ctx) {
      const w = world(ctx);
      if (!(heartbeatMs > 0 && checkMs > 0))
        throw new KestrelError('sim.config_invalid', 'sim-link periods must be positive');
      const link = new SimLinkState(heartbeatMs);
      const check = (): void => {
        if (ctx.bus.isClosed) return;
        // The world's own time, so the outage lines up with the scenario's script and ground truth.
        const out = link.check(w.timeMs, w.faultActive('link_loss'));
        if (out === undefined) return;
        ctx.bus.publish(linkTopic, { up: out.up, peer: SIM_LINK_PEER });
        if (!out.up) ctx.logger.info({ atS: w.timeS }, 'simulated link lost');
      };
      check();
      timer = ctx.clock.setInterval(check, checkMs);
    },
    stop() {
      timer?.cancel();
      timer = undefined;
    },
  };
}
