/**
 * Renders the model card's example: a forest-fire frame from the drone's
 * camera with the ground truth (thin, white) and the detector's boxes (thick,
 * coloured per class). Dev-time only.
 *
 *   npx tsx tools/train/draw-example.ts models/kestrel-sim-det.yaml models/kestrel-sim-det-example.png
 *
 * With a scenario and a second manifest, the two models side by side on the
 * same frame (the field data loop's before and after):
 *
 *   npx tsx tools/train/draw-example.ts old.yaml docs/fieldloop-night.png 150 forest-fire-night new.yaml
 *
 * A sixth argument places the camera (x,y,z in metres, looking straight down;
 * default 160,135,40 with a 0.4 rad heading): the README's 320 / 640 pair is
 *
 *   npx tsx tools/train/draw-example.ts models/kestrel-sim-det.yaml models/kestrel-sim-det-640-example.png \
 *     150 forest-fire models/kestrel-sim-det-640.yaml 367,282,36
 */
import sharp from 'sharp';
import { createDetector } from '../../perception/index.js';
import { silentLogger } from '../../runtime/index.js';
import { builtinScenario, CameraRenderer, mergeFireClusters, mergeOverlapping, SimWorld } from '../../sim/index.js';

const COLOURS: Record<string, string> = { fire: '#ff3030', smoke: '#30e0ff', person: '#ffe030', vehicle: '#ff40ff' };

async function main(): Promise<void> {
  const [
    manifest = 'models/kestrel-sim-det.yaml',
    out = 'models/kestrel-sim-det-example.png',
    when = '150',
    scenarioName = 'forest-fire',
    manifest2,
    pose,
  ] = process.argv.slice(2);
  const world = new SimWorld({
    scenario: builtinScenario(scenarioName)!,
    platform: { kind: 'multirotor', id: 'd', maxSpeedMps: 10, maxClimbMps: 3, maxYawRateDps: 90, maxAccelMps2: 4 },
    seed: 7,
  });
  for (let i = 0; i < Number(when) * 10; i++) world.step(100);
  const width = 640;
  const height = 480;
  const camera = new CameraRenderer(world, { width, height, fovDeg: 90 }, world.rng.stream('example:cam'));
  const [x = 160, y = 135, z = 40] = pose === undefined ? [] : pose.split(',').map(Number);
  const yawRad = pose === undefined ? 0.4 : 0;
  const { data, boxes } = camera.render({ x, y, z, yawRad, pitchRad: Math.PI / 2, rollRad: 0 }, 0);
  const truth = mergeOverlapping(mergeFireClusters(boxes, world.fire!.cols), 'smoke');
  const detect = async (m: string) => {
    const detector = await createDetector(m, { logger: silentLogger() });
    const f = await detector.run({ data, width, height, encoding: 'rgb8' });
    await detector.close();
    return f;
  };
  const frame = await detect(manifest);
  const rects = boxesSvg(truth, frame.detections);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${rects.join('')}</svg>`;
  const raw = { raw: { width, height, channels: 3 as const } };
  const after = await sharp(Buffer.from(data), raw)
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
  let left = await sharp(Buffer.from(data), raw).png().toBuffer();
  let right = after;
  if (manifest2 !== undefined) {
    // Two models: the first's boxes on the left, the second's on the right.
    const second = await detect(manifest2);
    const svg2 = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${boxesSvg(truth, second.detections).join('')}</svg>`;
    left = after;
    right = await sharp(Buffer.from(data), raw)
      .composite([{ input: Buffer.from(svg2), top: 0, left: 0 }])
      .png()
      .toBuffer();
    console.log(
      `${manifest2}: ${second.detections.length} detections (${second.detections.map((d) => d.className).join(', ')})`,
    );
  }
  // Before (the camera frame, or the first model) and after (with boxes, or the second model), side by side.
  await sharp({ create: { width: width * 2 + 8, height, channels: 3, background: '#202020' } })
    .composite([
      { input: left, top: 0, left: 0 },
      { input: right, top: 0, left: width + 8 },
    ])
    .png()
    .toFile(out);
  console.log(
    `wrote ${out}: ${frame.detections.length} detections (${frame.detections.map((d) => d.className).join(', ')}), ` +
      `${truth.length} labelled objects, ${frame.timings.totalMs.toFixed(1)} ms`,
  );
}

function boxesSvg(
  truth: readonly { x: number; y: number; w: number; h: number }[],
  detections: readonly { className: string; score: number; box: { x1: number; y1: number; x2: number; y2: number } }[],
): string[] {
  return [
    ...truth.map(
      (b) =>
        `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" fill="none" stroke="white" stroke-width="1" stroke-dasharray="4 3"/>`,
    ),
    ...detections.map((d) => {
      const c = COLOURS[d.className] ?? '#ffffff';
      const { x1, y1, x2, y2 } = d.box;
      return (
        `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${c}" stroke-width="2.5"/>` +
        `<text x="${x1 + 2}" y="${Math.max(12, y1 - 3)}" font-family="sans-serif" font-size="13" fill="${c}">${d.className} ${d.score.toFixed(2)}</text>`
      );
    }),
  ];
}

await main();
