import type { Action } from '../runtime/index.js';

/**
 * How long a streaming source (a behavior, a plugin, an operator's joystick)
 * may go without a fresh approved command while the robot moves on its last
 * one, ms. Three of a behavior's 1 s re-propose intervals: one lost or
 * denied proposal never trips it, a hung behavior does within 3 s. A
 * constant until the mission schema gets `guardrails.watchdog.afterMs`.
 */
export const COMMAND_WATCHDOG_MS = 3000;

/** Below this speed the robot is not moving on the watched command (a goto it has reached), m/s. */
export const WATCHDOG_MOVING_MPS = 0.3;

/** Sources whose gotos are one-shot plans, not a stream: an operator's goto is flown without being re-sent. */
const ONE_SHOT_GOTO_SOURCES = ['operator/', 'failsafe/', 'guard/'];
/** Sources the watchdog never watches: the guard's own safe actions. */
const UNWATCHED_SOURCES = ['failsafe/', 'guard/'];

/** What tripped the watchdog. */
export interface WatchdogTrip {
  /** Who went silent. */
  readonly source: string;
  /** The motion it left running. */
  readonly kind: 'velocity' | 'goto';
  /** Time since that source's last approved command, ms. */
  readonly silentMs: number;
}

/**
 * The deadman: while the robot moves on a streaming source's command
 * (velocity from anyone but the guard; goto from a behavior or plugin), that
 * source must keep getting fresh commands approved, at least one every
 * `afterMs`. If it stops (hung, crashed, or every proposal now denied or
 * stale), `check` trips once and the guard commands a hold. A hold, stop,
 * land or return home ends the watch; payload and gimbal commands do not
 * move the robot and change nothing. Pure: time is an argument.
 */
export class CommandWatchdog {
  private watched: { source: string; kind: 'velocity' | 'goto'; lastMs: number } | undefined;

  constructor(readonly afterMs: number = COMMAND_WATCHDOG_MS) {}

  /** The source being watched, if the robot moves on a streamed command. */
  get watching(): string | undefined {
    return this.watched?.source;
  }

  /** An approved command went to the actuator. */
  onApproved(source: string, action: Action, nowMs: number): void {
    switch (action.kind) {
      case 'velocity':
      case 'goto': {
        const oneShot = (action.kind === 'goto' ? ONE_SHOT_GOTO_SOURCES : UNWATCHED_SOURCES).some((p) =>
          source.startsWith(p),
        );
        this.watched = oneShot ? undefined : { source, kind: action.kind, lastMs: nowMs };
        return;
      }
      case 'hold':
      case 'stop':
      case 'land':
      case 'return_home':
        this.watched = undefined;
        return;
      default:
        return;
    }
  }

  /**
   * Trips (once) when the watched source has been silent for more than
   * `afterMs` and the robot is moving. `speedMps` is the estimated speed;
   * leave it out when the pose is unknown or stale, and the watchdog assumes
   * the robot moves. A robot at rest (a goto reached, a behavior dwelling)
   * stays watched without tripping until it moves again or a command comes.
   */
  check(nowMs: number, speedMps?: number): WatchdogTrip | undefined {
    const w = this.watched;
    if (w === undefined) return undefined;
    const silentMs = nowMs - w.lastMs;
    if (speedMps !== undefined && speedMps < WATCHDOG_MOVING_MPS) return undefined;
    // Written so a NaN age trips: an unknown silence is not a fresh command.
    if (silentMs <= this.afterMs) return undefined;
    this.watched = undefined;
    return { source: w.source, kind: w.kind, silentMs };
  }
}
