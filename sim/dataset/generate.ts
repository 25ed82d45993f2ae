import type { Platform } from '../../missions/index.js';
import { KestrelError } from '../../runtime/index.js';
import { RandomStream } from '../random.js';
import { CameraRenderer, type CameraPose, type LabelBox } from '../render/renderer.js';
import type { Scenario } from '../scenario/schema.js';
import { SimWorld } from '../world.js';
import { labelFrame } from './label-frame.js';
import { samplePose, type DatasetView } from './poses.js';
import { varyScenario } from './variation.js';
import type { YoloLabel } from './yolo.js';

export interface DatasetOptions {
  readonly scenario: Scenario;
  readonly frames: number;
  readonly seed: number;
  /** Fraction of frames in the validation split, 0..1. Default 0.2. */
  readonly valFraction?: number;
  /** Default 640 x 480, as the example missions' cameras. */
  readonly width?: number;
  readonly height?: number;
  /** Default down (a drone's camera). */
  readonly view?: DatasetView;
  /** Episodes start and ignite extra fires within this much scenario time, s. Default 300. */
  readonly spanS?: number;
}

export type DatasetSplit = 'train' | 'val';

/** One exported frame: pixels, its split and its labels. */
export interface DatasetFrame {
  readonly index: number;
  readonly split: DatasetSplit;
  /** File stem, unique in the dataset: `<scenario>-<seed>-<index>`. */
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** rgb8, row-major. */
  readonly rgb: Uint8Array;
  readonly pose: CameraPose;
  readonly timeS: number;
  /** Merged boxes (one per fire cluster), pixels. */
  readonly boxes: readonly LabelBox[];
  readonly labels: readonly YoloLabel[];
}

/** A simulated drone; the dataset places the camera itself, so only the world needs it. */
const PLATFORM: Platform = {
  kind: 'multirotor',
  id: 'dataset-camera',
  maxSpeedMps: 10,
  maxClimbMps: 3,
  maxYawRateDps: 90,
  maxAccelMps2: 4,
};

/** Frames share a world for at most this many, so fires grow and people walk between them. */
const MAX_FRAMES_PER_EPISODE = 50;
/** Target episode count for large exports: more worlds, more variety. */
const EPISODES = 40;
const STEP_MS = 100;

/**
 * Renders a labelled dataset from a scenario, one frame at a time.
 *
 * Frames come in episodes: each episode is a fresh world built from a varied
 * copy of the scenario (`varyScenario`), run forward to a random time, then
 * stepped a few seconds between frames while the camera jumps to a new pose.
 * Whole episodes go to one split so near-duplicate frames never straddle
 * train and val. Everything is drawn from streams named by (seed, episode):
 * the same options give the same bytes.
 *
 * @example
 * for (const frame of generateDataset({ scenario, frames: 2000, seed: 1 })) write(frame);
 */
export function* generateDataset(options: DatasetOptions): Generator<DatasetFrame, void, undefined> {
  const { scenario, frames, seed } = options;
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const valFraction = options.valFraction ?? 0.2;
  const view = options.view ?? 'down';
  // From just-lit to a few minutes old: the firefighting mission meets fires of every age in that range.
  const spanS = options.spanS ?? 300;
  checkOptions(frames, width, height, valFraction, seed, spanS);
  const perEpisode = Math.max(1, Math.min(MAX_FRAMES_PER_EPISODE, Math.ceil(frames / EPISODES)));
  const episodes = Math.ceil(frames / perEpisode);
  const val = valEpisodes(episodes, valFraction, seed);
  let index = 0;
  for (let e = 0; e < episodes; e++) {
    const rng = new RandomStream(seed, `dataset:episode:${e}`);
    const world = new SimWorld({
      scenario: varyScenario(scenario, rng, spanS),
      platform: PLATFORM,
      seed: rng.nextUint32(),
    });
    const fovDeg = rng.uniform(80, 100);
    const camera = new CameraRenderer(
      world,
      { width, height, fovDeg },
      new RandomStream(seed, `dataset:camera:${e}`),
      rng.uniform(1, 7),
    );
    advance(world, rng.uniform(Math.min(5, spanS), spanS));
    const split: DatasetSplit = val.has(e) ? 'val' : 'train';
    for (let k = 0; k < perEpisode && index < frames; k++, index++) {
      if (k > 0) advance(world, rng.uniform(1, 8));
      const pose = samplePose(world, rng, view, fovDeg);
      const { data, boxes } = camera.render(pose, index);
      const { merged, labels } = labelFrame(boxes, width, height, world.fire?.cols);
      yield {
        index,
        split,
        name: `${scenario.name}-${seed}-${String(index).padStart(5, '0')}`,
        width,
        height,
        rgb: data,
        pose,
        timeS: world.timeS,
        boxes: merged,
        labels,
      };
    }
  }
}

function advance(world: SimWorld, seconds: number): void {
  const steps = Math.round((seconds * 1000) / STEP_MS);
  for (let i = 0; i < steps; i++) world.step(STEP_MS);
}

/**
 * Which episodes are validation: a seeded shuffle. 0 and 1 mean none and all;
 * anything between leaves at least one episode on each side.
 */
function valEpisodes(episodes: number, fraction: number, seed: number): Set<number> {
  const all = Array.from({ length: episodes }, (_, i) => i);
  if (fraction >= 1) return new Set(all);
  if (fraction <= 0) return new Set();
  if (episodes < 2) return new Set(fraction >= 0.5 ? all : []);
  const want = Math.min(episodes - 1, Math.max(1, Math.round(episodes * fraction)));
  const order = Array.from({ length: episodes }, (_, i) => i);
  const rng = new RandomStream(seed, 'dataset:split');
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return new Set(order.slice(0, want));
}

function checkOptions(
  frames: number,
  width: number,
  height: number,
  valFraction: number,
  seed: number,
  spanS: number,
): void {
  const issues: { code: string; path: string[]; message: string }[] = [];
  if (!Number.isInteger(frames) || frames < 1)
    issues.push({ code: 'too_small', path: ['frames'], message: `frames must be an integer >= 1, got ${frames}` });
  for (const [key, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v < 32 || v > 4096)
      issues.push({ code: 'out_of_range', path: [key], message: `${key} must be an integer in 32..4096, got ${v}` });
  }
  if (!(valFraction >= 0 && valFraction <= 1))
    issues.push({
      code: 'out_of_range',
      path: ['valFraction'],
      message: `valFraction must be in 0..1, got ${valFraction}`,
    });
  if (!Number.isInteger(seed))
    issues.push({ code: 'invalid_type', path: ['seed'], message: `seed must be an integer, got ${seed}` });
  if (!(spanS >= 1 && spanS <= 86_400))
    issues.push({ code: 'out_of_range', path: ['spanS'], message: `spanS must be in 1..86400 s, got ${spanS}` });
  if (issues.length > 0)
    throw new KestrelError('sim.dataset_invalid', issues.map((i) => i.message).join('; '), { issues });
}
