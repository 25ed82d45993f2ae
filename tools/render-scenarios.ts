/**
 * Renders one camera frame of each built-in scenario to docs/sim-<scenario>.png,
 * from the matching example mission's camera, after some simulated time.
 *
 *   npx tsx tools/render-scenarios.ts
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadMissionFile } from '../missions/index.js';
import { SimWorld, builtinScenario, createSimSensor } from '../sim/index.js';
import type { CameraFrame } from '../runtime/index.js';

interface Shot {
  readonly scenario: string;
  readonly mission: string;
  readonly camera: string;
  /** Simulated seconds before the shot. */
  readonly atS: number;
  /** Where the vehicle stands for the shot: x, y (m), z (m), yaw (deg). */
  readonly pose: readonly [number, number, number, number];
}

const SHOTS: readonly Shot[] = [
  {
    scenario: 'forest-fire',
    mission: 'firefighting-drone.yaml',
    camera: 'cam_down',
    atS: 300,
    pose: [150, 125, 40, 30],
  },
  { scenario: 'dark-factory', mission: 'factory-inspection.yaml', camera: 'cam_front', atS: 45, pose: [9, 14, 0, -5] },
  { scenario: 'perimeter', mission: 'perimeter-patrol.yaml', camera: 'cam_front', atS: 75, pose: [28, 30, 0, 75] },
];

async function main(): Promise<void> {
  const root = process.cwd();
  await mkdir(join(root, 'docs'), { recursive: true });
  for (const shot of SHOTS) {
    const loaded = await loadMissionFile(join(root, 'missions', 'examples', shot.mission));
    const mission = loaded.mission;
    const scenario = builtinScenario(shot.scenario);
    if (scenario === undefined) throw new Error(`no scenario ${shot.scenario}`);
    const world = new SimWorld({
      scenario,
      platform: mission.platform,
      seed: mission.simulation?.seed ?? 1,
      ...(mission.origin === undefined ? {} : { origin: mission.origin }),
    });
    const sensor = mission.sensors.find((s) => s.id === shot.camera);
    if (sensor === undefined) throw new Error(`no camera ${shot.camera} in ${shot.mission}`);
    const camera = createSimSensor(sensor, world);
    const stepMs = mission.simulation?.stepMs ?? 10;
    for (let t = 0; t < shot.atS * 1000; t += stepMs) world.step(stepMs);
    const s = world.vehicle.state;
    [s.x, s.y, s.z] = shot.pose;
    s.yawRad = (shot.pose[3] * Math.PI) / 180;
    const frame = camera.sample(world) as CameraFrame;
    const out = join(root, 'docs', `sim-${shot.scenario}.png`);
    await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .png()
      .toFile(out);
    process.stdout.write(
      `${out}: ${frame.width}x${frame.height} at t=${shot.atS}s, ${world.truth().fires.burning} cells burning\n`,
    );
  }
}

await main();
