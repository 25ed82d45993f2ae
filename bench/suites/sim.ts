/**
 * Simulator throughput: simulated seconds per wall second for each built-in
 * scenario with its example mission's sensors and one camera at 15 fps,
 * 640x480 (the whole plugin on a SimClock and a bus, as `kestrel run` runs
 * it), and camera frames rendered per second. Reference: real time.
 */
import { join } from 'node:path';
import { Lifecycle, MessageBus, Services, SimClock, latest, sensorTopic, silentLogger } from '../../runtime/index.js';
import type { AssemblyContext, Component } from '../../runtime/index.js';
import { loadMissionFile, type Mission } from '../../missions/index.js';
import { SimWorld, builtinScenario, createSimSensor, simPlugin } from '../../sim/index.js';
import { assertWork, entry, gc, heapUsedBytes, median, packageRoot, MIB, type BenchEntry } from '../harness.js';

const SUITE = 'sim';
const SIM_SECONDS = 10;
const CAMERA = { width: 640, height: 480, rateHz: 15 };
const FRAMES = 60;

const SCENARIOS: readonly { readonly scenario: string; readonly mission: string }[] = [
  { scenario: 'forest-fire', mission: 'firefighting-drone.yaml' },
  { scenario: 'dark-factory', mission: 'factory-inspection.yaml' },
  { scenario: 'perimeter', mission: 'perimeter-patrol.yaml' },
];

/** The example mission with exactly one camera, at the benchmark's size and rate. */
function withOneCamera(m: Mission): Mission {
  const cams = m.sensors.filter((s) => s.type === 'camera');
  const first = cams[0];
  if (first === undefined) throw new Error(`mission ${m.mission.id} has no camera`);
  const others = m.sensors.filter((s) => s.type !== 'camera');
  return { ...m, sensors: [{ ...first, ...CAMERA }, ...others] };
}

function components(m: Mission): Component[] {
  const asm: AssemblyContext = { mission: m, baseDir: packageRoot(), clock: new SimClock(), logger: silentLogger() };
  const sim = m.simulation;
  if (sim === undefined) throw new Error(`mission ${m.mission.id} has no simulation block`);
  const out: Component[] = [];
  const add = (c: Component | readonly Component[]): void => {
    if (Array.isArray(c)) out.push(...(c as readonly Component[]));
    else out.push(c as Component);
  };
  add(simPlugin.simulation!(sim, asm));
  for (const s of m.sensors) add(simPlugin.sources!.sim!(s, asm));
  add(simPlugin.actuators!.sim!({ kind: 'sim' }, asm));
  return out;
}

/** Wall seconds to run the mission's sim components for SIM_SECONDS, and the camera frames delivered. */
async function runOnce(m: Mission): Promise<{ wallS: number; cpuS: number; frames: number }> {
  const clock = new SimClock();
  const bus = new MessageBus({ clock });
  const lifecycle = new Lifecycle(components(m), { bus, clock, logger: silentLogger(), services: new Services() });
  const cam = m.sensors.find((s) => s.type === 'camera');
  let frames = 0;
  if (cam !== undefined)
    bus.subscribe(
      sensorTopic(cam.type, cam.id),
      () => {
        frames++;
      },
      {
        policy: latest,
        subscriber: 'bench',
      },
    );
  await lifecycle.start();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < SIM_SECONDS * 10; i++) await clock.advance(100);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  await lifecycle.stop('bench done');
  await bus.close();
  return { wallS, cpuS: (cpu.user + cpu.system) / 1e6, frames };
}

export async function simSuite(ctx: { sharedDir: string | undefined; repeats: number }): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  const root = packageRoot();
  for (const { scenario, mission: file } of SCENARIOS) {
    const m = withOneCamera((await loadMissionFile(join(root, 'missions', 'examples', file))).mission);
    const ratios: number[] = [];
    // CPU time beside wall time: on a shared machine wall time also counts other processes' turns.
    const cpuRatios: number[] = [];
    let heapMiB = 0;
    await runOnce(m); // warm-up: JIT, ground texture
    for (let i = 0; i < ctx.repeats; i++) {
      gc();
      const before = heapUsedBytes();
      const { wallS, cpuS, frames } = await runOnce(m);
      heapMiB = Math.max(heapMiB, (heapUsedBytes() - before) / MIB);
      // 15 fps for 10 s; the frame measured at the very end is still inside its latency.
      assertWork(`${scenario} camera frames`, frames >= SIM_SECONDS * CAMERA.rateHz - 1 ? 1 : 0, 1);
      ratios.push(SIM_SECONDS / wallS);
      cpuRatios.push(SIM_SECONDS / cpuS);
    }
    entries.push(
      entry({
        suite: SUITE,
        metric: `${scenario} sim speed (1 camera 640x480 @15 fps)`,
        value: median(ratios),
        unit: 'x real time',
        reference: { name: 'real time', value: 1 },
        target: { op: '>=', value: 5 },
      }),
      entry({
        suite: SUITE,
        metric: `${scenario} sim seconds per CPU second`,
        value: median(cpuRatios),
        unit: 'x real time',
        reference: { name: 'real time', value: 1 },
      }),
      entry({ suite: SUITE, metric: `${scenario} heap growth per run`, value: heapMiB, unit: 'MiB' }),
    );

    // Rendering alone, from the mission's camera at its start pose.
    const scen = builtinScenario(scenario);
    if (scen === undefined) throw new Error(`no scenario ${scenario}`);
    const world = new SimWorld({
      scenario: scen,
      platform: m.platform,
      seed: 1,
      ...(m.origin === undefined ? {} : { origin: m.origin }),
    });
    if (world.vehicle.kind === 'multirotor') {
      world.vehicle.state.z = 40;
      world.vehicle.state.landed = false;
    }
    const cam = m.sensors.find((s) => s.type === 'camera');
    if (cam === undefined) throw new Error('no camera');
    const camera = createSimSensor(cam, world);
    camera.sample(world);
    const fps: number[] = [];
    const cpuFps: number[] = [];
    for (let i = 0; i < ctx.repeats; i++) {
      gc();
      let rendered = 0;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (let f = 0; f < FRAMES; f++) if (camera.sample(world) !== undefined) rendered++;
      const wallS = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      cpuFps.push(FRAMES / ((cpu.user + cpu.system) / 1e6));
      assertWork(`${scenario} frames rendered`, rendered, FRAMES);
      fps.push(FRAMES / wallS);
    }
    entries.push(
      entry({
        suite: SUITE,
        metric: `${scenario} frames rendered 640x480`,
        value: median(fps),
        unit: 'frames/s',
        reference: { name: '15 fps camera', value: 15 },
        target: { op: '>=', value: 75 },
      }),
      entry({ suite: SUITE, metric: `${scenario} frames per CPU second`, value: median(cpuFps), unit: 'frames/s' }),
    );
  }
  return entries;
}
