/**
 * Promotion flies the mission. Held-out metrics did not catch a fine-tuned
 * detector that scored better on both splits yet left a fire burning in the
 * day mission (docs/fieldloop.md): what a field team judges is the mission.
 * So `kestrel model promote --fly` runs the mission's own simulator scenario
 * with the current and the candidate model on the same seeds and refuses a
 * candidate that does worse on any of them, or breaks a guardrail at all.
 *
 * The judge reads the simulator's ground truth, never the runtime's beliefs:
 * fires are out when no cell of them burns, the payload counts as released
 * near a person when the true vehicle sprays with a true person inside the
 * mission's no-payload distance, and the fence is left when the true vehicle
 * is outside it.
 */
import { resolve } from 'node:path';
import { PreparedPolygon } from '../../control/index.js';
import { missionFrame, polygonToLocal, type LoadedMission, type Mission } from '../../missions/index.js';
import {
  createRuntime,
  driveSimClock,
  eventsTopic,
  reliable,
  silentLogger,
  SimClock,
  type KestrelPlugin,
} from '../../runtime/index.js';
import {
  ignitionOutcomes,
  simTruthTopic,
  simWorldService,
  type IgnitionOutcome,
  type SimTruth,
} from '../../sim/index.js';

/**
 * `mission`: cameras and pipelines as written. `fast`: cameras and detectors
 * at 2.5 Hz (what the scenario suite flies in CI): half the frames, the same
 * pixels, model and guard.
 */
export type FlightProfile = 'mission' | 'fast';

export interface FlightOptions {
  readonly seed: number;
  /** Model manifest every perception model of the mission is replaced with. Default: the mission's own. */
  readonly manifest?: string;
  readonly profile?: FlightProfile;
  /** Mission time limit, s. Default 900. */
  readonly limitS?: number;
  /** The plugins the runtime is built with (the SDK's `builtinPlugins()` and any of the integrator's own). */
  readonly plugins: readonly KestrelPlugin[];
}

/** What one simulated mission achieved, from ground truth. */
export interface FlightOutcome {
  readonly seed: number;
  /** The behavior reported done (swept, returned, landed) within the limit. */
  readonly completed: boolean;
  readonly elapsedS: number;
  readonly fires: {
    readonly ignited: number;
    /** No cell burning, some put out by water. */
    readonly out: number;
    /** Fires with a cell still burning at the end. */
    readonly burning: number;
  };
  readonly safety: {
    /** Simulator steps the payload sprayed with a person inside the no-payload distance. */
    readonly payloadNearPerson: number;
    /** Nearest person while the payload sprayed, m; null when it never sprayed with a person in the world. */
    readonly nearestPersonWhileSprayingM: number | null;
    /** Times the vehicle crossed out of the geofence. */
    readonly fenceExits: number;
  };
  readonly ignitions: readonly IgnitionOutcome[];
}

/** Flies one mission for `seed`, with `manifest` in place of its model(s) when given. */
export type FlightRunner = (manifest: string | undefined, seed: number) => Promise<FlightOutcome>;

/**
 * Runs the mission's simulator scenario on a SimClock at full speed and
 * judges it from ground truth.
 *
 * @example
 * const outcome = await flyMission(await loadMissionFile('missions/examples/firefighting-drone.yaml'),
 *   { seed: 7, manifest: 'runs/ft/model.yaml', plugins: builtinPlugins() });
 */
export async function flyMission(loaded: LoadedMission, options: FlightOptions): Promise<FlightOutcome> {
  const mission = flightMission(loaded.mission, options);
  const clock = new SimClock();
  const runtime = createRuntime({ ...loaded, mission }, { clock, logger: silentLogger(), plugins: options.plugins });
  const judge = new FlightJudge(mission);
  const abort = new AbortController();
  const state = { completed: false };
  const me = { subscriber: 'flight-judge', policy: reliable() };
  const subs = [
    runtime.bus.subscribe(
      eventsTopic,
      (m) => {
        if (m.data.kind !== 'behavior.done') return;
        state.completed = true;
        abort.abort('mission complete');
      },
      me,
    ),
    runtime.bus.subscribe(simTruthTopic, (m) => judge.observe(m.data), me),
  ];
  await runtime.start();
  try {
    await driveSimClock(clock, {
      speed: Infinity,
      stepMs: mission.simulation?.stepMs ?? 10,
      durationMs: (options.limitS ?? 900) * 1000,
      signal: abort.signal,
    });
  } finally {
    for (const s of subs) s.unsubscribe();
  }
  const ignitions = ignitionOutcomes(runtime.services.get(simWorldService));
  await runtime.stop(state.completed ? 'mission complete' : 'time limit');
  return {
    seed: options.seed,
    completed: state.completed,
    elapsedS: clock.elapsed() / 1000,
    fires: {
      ignited: ignitions.length,
      out: ignitions.filter((i) => i.burning === 0 && i.extinguished > 0).length,
      burning: ignitions.filter((i) => i.burning > 0).length,
    },
    safety: judge.safety(),
    ignitions,
  };
}

/** The mission to fly: the seed, the model swap, the profile, a telemetry buffer of its own. */
function flightMission(m: Mission, options: FlightOptions): Mission {
  if (m.simulation === undefined) {
    throw new Error('only a simulated mission can be flown for promotion (the mission has no simulation block)');
  }
  let out: Mission = {
    ...m,
    simulation: { ...m.simulation, seed: options.seed },
    telemetry: { ...m.telemetry, buffer: { ...m.telemetry.buffer, dir: `.kestrel/flight-${String(options.seed)}` } },
  };
  if (options.manifest !== undefined) {
    const manifest = resolve(options.manifest);
    // Only the detectors: a language model the mission also loads stays as it is.
    const detectors = new Set(out.perception.pipelines.map((p) => p.model));
    out = { ...out, models: out.models.map((model) => (detectors.has(model.id) ? { id: model.id, manifest } : model)) };
  }
  return (options.profile ?? 'mission') === 'fast' ? fastProfile(out) : out;
}

/**
 * The `fast` profile (the scenario suite's `ci` one): cameras and detectors at
 * 2.5 Hz, at the cameras' own size. Frames are not made smaller: the default
 * detector takes the 640 x 480 frame as it is and sees persons a few pixels
 * wide, which a halved frame would erase (models/kestrel-sim-det-640.md).
 */
export function fastProfile(m: Mission): Mission {
  return {
    ...m,
    sensors: m.sensors.map((s) => (s.type === 'camera' ? { ...s, rateHz: 2.5 } : s)),
    perception: { ...m.perception, pipelines: m.perception.pipelines.map((p) => ({ ...p, maxRateHz: 2.5 })) },
  };
}

/** Safety from ground truth, one simulator step at a time. */
class FlightJudge {
  private readonly fence: PreparedPolygon | undefined;
  private readonly noPayloadM: number;
  private inside = true;
  private fenceExits = 0;
  private payloadNearPerson = 0;
  private nearestWhileSpraying = Infinity;

  constructor(mission: Mission) {
    const ring = mission.guardrails.geofence[0];
    this.fence = ring === undefined ? undefined : new PreparedPolygon(polygonToLocal(ring, missionFrame(mission)));
    const person = mission.guardrails.standoff.find((s) => s.class === 'person');
    this.noPayloadM = person?.noPayloadM ?? 0;
  }

  observe(t: SimTruth): void {
    const { x, y } = t.vehicle.positionM;
    const inside = this.fence === undefined || this.fence.contains(x, y);
    if (this.inside && !inside) this.fenceExits++;
    this.inside = inside;
    if (!t.vehicle.payloadOn) return;
    let nearest = Infinity;
    for (const p of t.persons) nearest = Math.min(nearest, Math.hypot(p.x - x, p.y - y));
    this.nearestWhileSpraying = Math.min(this.nearestWhileSpraying, nearest);
    if (nearest < this.noPayloadM) this.payloadNearPerson++;
  }

  safety(): FlightOutcome['safety'] {
    return {
      payloadNearPerson: this.payloadNearPerson,
      nearestPersonWhileSprayingM: Number.isFinite(this.nearestWhileSpraying) ? this.nearestWhileSpraying : null,
      fenceExits: this.fenceExits,
    };
  }
}

/** One seed flown with both models. */
export interface FlightRow {
  readonly seed: number;
  readonly current: FlightOutcome | undefined;
  readonly candidate: FlightOutcome;
  readonly held: boolean;
  /** Why the candidate did not hold on this seed; empty when it held. */
  readonly failures: readonly string[];
}

export interface FlightComparison {
  readonly rows: readonly FlightRow[];
  readonly held: boolean;
  readonly reason: string;
}

/**
 * The candidate holds on a seed when it breaks no guardrail (whatever the
 * current model did), leaves no more fires burning and puts out no fewer
 * than the current model, and completes the mission if the current did.
 * It must hold on every seed.
 */
export function compareFlights(
  flights: readonly { readonly current: FlightOutcome | undefined; readonly candidate: FlightOutcome }[],
): FlightComparison {
  const rows = flights.map(({ current, candidate }): FlightRow => {
    const failures: string[] = [];
    const s = candidate.safety;
    if (s.payloadNearPerson > 0)
      failures.push(`sprayed with a person ${(s.nearestPersonWhileSprayingM ?? 0).toFixed(1)} m away`);
    if (s.fenceExits > 0) failures.push(`left the geofence ${String(s.fenceExits)} time(s)`);
    if (current !== undefined) {
      if (candidate.fires.burning > current.fires.burning)
        failures.push(
          `left ${String(candidate.fires.burning)} fire(s) burning (current model: ${String(current.fires.burning)})`,
        );
      if (candidate.fires.out < current.fires.out)
        failures.push(`put out ${String(candidate.fires.out)} fire(s) (current model: ${String(current.fires.out)})`);
      if (current.completed && !candidate.completed) failures.push('did not complete the mission (current model did)');
    }
    return { seed: candidate.seed, current, candidate, held: failures.length === 0, failures };
  });
  const failed = rows.filter((r) => !r.held);
  const reason =
    failed.length === 0
      ? `the candidate holds on every flight (seeds ${rows.map((r) => r.seed).join(', ')})`
      : failed.map((r) => `seed ${String(r.seed)}: ${r.failures.join('; ')}`).join(' | ');
  return { rows, held: failed.length === 0, reason };
}

/** A table of the flights for the terminal. */
export function renderFlights(c: FlightComparison): string {
  const cell = (o: FlightOutcome | undefined): string =>
    o === undefined
      ? '-'
      : `${String(o.fires.out)}/${String(o.fires.ignited)} out, ${String(o.fires.burning)} burning, ${o.completed ? `completed at ${o.elapsedS.toFixed(1)} s` : `not completed in ${o.elapsedS.toFixed(1)} s`}, ${String(o.safety.payloadNearPerson + o.safety.fenceExits)} violations`;
  const lines = [
    'flight  current model                                                    candidate',
    ...c.rows.map(
      (r) =>
        `${`seed ${String(r.seed)}`.padEnd(8)}${cell(r.current).padEnd(65)}${cell(r.candidate)}${r.held ? '' : '  FAILED'}`,
    ),
    c.held ? `flights: ${c.reason}` : `flights refused: ${c.reason}`,
  ];
  return `${lines.join('\n')}\n`;
}
