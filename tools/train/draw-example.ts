/**
 * Renders the model card's example: a forest-fire frame from the drone's
 * camera with the ground truth (thin, white) and the detector's boxes (thick,
 * coloured per class). Dev-time only.
 *
 *   npx tsx tools/train/draw-example.ts models/kestrel-sim-det.yaml models/kestrel-sim-det-example.png
 */
import sharp from 'sharp';
import { createDetector } from '../../perception/index.js';
import { silentLogger } from '../../runtime/index.js';
import { builtinScenario, CameraRenderer, mergeFireClusters, mergeOverlapping, SimWorld } from '../../sim/index.js';

const COLOURS: Record<string, string> = { fire: '#ff3030', smoke: '#30e0ff', person: '#ffe030', vehicle: '#ff40ff' };

async function main(): Promise<void> {
  const [manifest = 'models/kestrel-sim-det.yaml', out = 'models/kestrel-sim-det-example.png', when = '150'] =
    process.argv.slice(2);
  const world = new SimWorld({
    scenario: builtinScenario('forest-fire')!,
    platform: { kind: 'multirotor', id: 'd', maxSpeedMps: 10, maxClimbMps: 3, maxYawRateDps: 90, maxAccelMps2: 4 },
    seed: 7,
  });
  for (let i = 0; i < Number(when) * 10; i++) world.step(100);
  const width = 640;
  const height = 480;
  const camera = new CameraRenderer(world, { width, height, fovDeg: 90 }, world.rng.stream('example:cam'));
  const { data, boxes } = camera.render({ x: 160, y: 135, z: 40, yawRad: 0.4, pitchRad: Math.PI / 2, rollRad: 0 }, 0);
  const truth = mergeOverlapping(mergeFireClusters(boxes, world.fire!.cols), 'smoke');
  const detector = await createDetector(manifest, { logger: silentLogger() });
  const frame = await detector.run({ data, width, height, encoding: 'rgb8' });
  await detector.close();
  const rects = [
    ...truth.map(
      (b) =>
        `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" fill="none" stroke="white" stroke-width="1" stroke-dasharray="4 3"/>`,
    ),
    ...frame.detections.map((d) => {
      const c = COLOURS[d.className] ?? '#ffffff';
      const { x1, y1, x2, y2 } = d.box;
      return (
        `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${c}" stroke-width="2.5"/>` +
        `<text x="${x1 + 2}" y="${Math.max(12, y1 - 3)}" font-family="sans-serif" font-size="13" fill="${c}">${d.className} ${d.score.toFixed(2)}</text>`
      );
    }),
  ];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${rects.join('')}</svg>`;
  const before = sharp(Buffer.from(data), { raw: { width, height, channels: 3 } });
  const after = await sharp(Buffer.from(data), { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
  // Before (the camera frame) and after (with boxes), side by side.
  await sharp({ create: { width: width * 2 + 8, height, channels: 3, background: '#202020' } })
    .composite([
      { input: await before.png().toBuffer(), top: 0, left: 0 },
      { input: after, top: 0, left: width + 8 },
    ])
    .png()
    .toFile(out);
  console.log(
    `wrote ${out}: ${frame.detections.length} detections (${frame.detections.map((d) => d.className).join(', ')}), ` +
      `${truth.length} labelled objects, ${frame.timings.totalMs.toFixed(1)} ms`,
  );
}

await main();
