/**
 * Runs the default firefighting mission in the simulator on a SimClock at
 * full speed and records what the scenario suite judges: ground truth (fires,
 * persons, the true vehicle), every guard decision and every event.
 */
import { createRuntime } from '../../index.js';
import { fastProfile } from '../../fieldloop/index.js';
import { loadMissionFile, type LoadedMission, type Mission } from '../../missions/index.js';
import {
  decisionsTopic,
  driveSimClock,
  eventsTopic,
  reliable,
  silentLogger,
  SimClock,
  type Decision,
  type LatencyReport,
  type Runtime,
  type RuntimeEvent,
} from '../../runtime/index.js';
import {
  ignitionOutcomes,
  simTruthTopic,
  simWorldService,
  type IgnitionOutcome,
  type SimTruth,
} from '../../sim/index.js';

export type { IgnitionOutcome };

export const DEFAULT_MISSION = 'missions/examples/firefighting-drone.yaml';

/**
 * `ci`: camera and detector at 2.5 Hz (the camera renders only what the
 * detector runs on), at the camera's own size: half the frames; `full`: the
 * mission as written.
 */
export type ScenarioProfile = 'ci' | 'full';

export interface ScenarioOptions {
  readonly seed: number;
  readonly profile?: ScenarioProfile;
  /** Mission time limit, s. Default 900. */
  readonly limitS?: number;
  /** Change the mission before it runs (a scripted fault, a different battery). */
  readonly edit?: (m: Mission) => Mission;
  readonly missionFile?: string;
  /** Called with the runtime before it starts (diagnostics: subscribe to more topics). */
  readonly onRuntime?: (runtime: Runtime) => void;
}

export interface PayloadApproval {
  readonly atMs: number;
  readonly vehicle: { readonly x: number; readonly y: number; readonly z: number };
  /** Horizontal distance from the vehicle to the nearest true person, m. */
  readonly nearestPersonM: number;
  /** Burning cells the water can reach from there (the payload's 3D range), per the truth at approval. */
  readonly burningInReach: number;
  /** Horizontal distance to the nearest burning cell, m. */
  readonly nearestFireM: number;
}

export interface ScenarioResult {
  readonly ignitions: readonly IgnitionOutcome[];
  readonly mission: Mission;
  readonly reason: 'mission complete' | 'time limit';
  readonly elapsedS: number;
  readonly events: readonly (RuntimeEvent & { readonly atMs: number })[];
  readonly decisions: readonly Decision[];
  readonly truth: readonly SimTruth[];
  readonly payloads: readonly PayloadApproval[];
  readonly latency: LatencyReport | undefined;
  readonly cpuMs: number;
}

export async function runForestFire(options: ScenarioOptions): Promise<ScenarioResult> {
  const loaded = await loadMissionFile(options.missionFile ?? DEFAULT_MISSION);
  const mission = profiled(loaded.mission, options);
  const input: LoadedMission = { ...loaded, mission };
  const clock = new SimClock();
  const runtime = createRuntime(input, { clock, logger: silentLogger() });
  options.onRuntime?.(runtime);
  const events: (RuntimeEvent & { atMs: number })[] = [];
  const decisions: Decision[] = [];
  const truth: SimTruth[] = [];
  const payloads: PayloadApproval[] = [];
  let latest: SimTruth | undefined;
  const state = { done: false };
  const abort = new AbortController();
  const me = { subscriber: 'scenario', policy: reliable() };
  const subs = [
    runtime.bus.subscribe(
      eventsTopic,
      (m) => {
        events.push({ ...m.data, atMs: m.stampMs - clock.nowMs() + clock.elapsed() });
        if (m.data.kind === 'behavior.done') {
          state.done = true;
          abort.abort('mission complete');
        }
      },
      me,
    ),
    runtime.bus.subscribe(
      decisionsTopic,
      (m) => {
        decisions.push(m.data);
        const a = m.data.action;
        if (m.data.verdict !== 'deny' && a?.kind === 'payload' && a.on && latest !== undefined) {
          const v = latest.vehicle.positionM;
          let nearest = Infinity;
          for (const p of latest.persons) nearest = Math.min(nearest, Math.hypot(p.x - v.x, p.y - v.y));
          const range = rangeM(mission);
          const disc = v.z < range ? Math.sqrt(range * range - v.z * v.z) : 0;
          let inReach = 0;
          let nearestFire = Infinity;
          for (const c of latest.fires.cells) {
            const d = Math.hypot(c.x - v.x, c.y - v.y);
            nearestFire = Math.min(nearestFire, d);
            if (d <= disc) inReach++;
          }
          payloads.push({
            atMs: clock.elapsed(),
            vehicle: v,
            nearestPersonM: nearest,
            burningInReach: inReach,
            nearestFireM: nearestFire,
          });
        }
      },
      me,
    ),
    runtime.bus.subscribe(
      simTruthTopic,
      (m) => {
        latest = m.data;
        truth.push(thin(m.data));
      },
      me,
    ),
  ];
  const cpu0 = process.cpuUsage();
  await runtime.start();
  await driveSimClock(clock, {
    speed: Infinity,
    stepMs: mission.simulation?.stepMs ?? 10,
    durationMs: (options.limitS ?? 900) * 1000,
    signal: abort.signal,
  });
  const latency = runtime.latency();
  const ignitions = ignitionOutcomes(runtime.services.get(simWorldService));
  for (const s of subs) s.unsubscribe();
  await runtime.stop(state.done ? 'mission complete' : 'time limit');
  const cpu = process.cpuUsage(cpu0);
  return {
    ignitions,
    mission,
    reason: state.done ? 'mission complete' : 'time limit',
    elapsedS: clock.elapsed() / 1000,
    events,
    decisions,
    truth,
    payloads,
    latency,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

function rangeM(m: Mission): number {
  return m.platform.kind === 'multirotor' ? (m.platform.payload?.rangeM ?? 0) : 0;
}

function profiled(m: Mission, options: ScenarioOptions): Mission {
  const sim = m.simulation;
  if (sim === undefined) throw new Error('the scenario mission must be simulated');
  let out: Mission = {
    ...m,
    simulation: { ...sim, seed: options.seed },
    // Telemetry stays in memory-free mode: the suite judges the bus, not the disk buffer.
    telemetry: { ...m.telemetry, buffer: { ...m.telemetry.buffer, dir: `.kestrel/scenario-${String(options.seed)}` } },
  };
  // `ci` is the promotion flights' `fast` profile.
  if ((options.profile ?? 'ci') === 'ci') out = fastProfile(out);
  return options.edit === undefined ? out : options.edit(out);
}

/** Keeps what the checks need: the vehicle, the persons and the burning cells' count (not each cell). */
function thin(t: SimTruth): SimTruth {
  return { ...t, fires: { ...t.fires, cells: [] }, vehicles: [] };
}
